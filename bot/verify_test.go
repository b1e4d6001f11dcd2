package bot

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
)

// Slack's published example request (slack-platform.md).
const (
	vectorSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	vectorTS     = "1531420618"
	vectorBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	vectorSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

var vectorTime = time.Unix(1531420618, 0)

func vectorHeader(ts, sig string) http.Header {
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", sig)
	return h
}

func TestVerifySlackExample(t *testing.T) {
	cases := []struct {
		name   string
		secret string
		h      http.Header
		body   string
		now    time.Time
		ok     bool
	}{
		{"slack's example", vectorSecret, vectorHeader(vectorTS, vectorSig), vectorBody, vectorTime, true},
		{"4 minutes later", vectorSecret, vectorHeader(vectorTS, vectorSig), vectorBody, vectorTime.Add(4 * time.Minute), true},
		{"5 minutes and a second later", vectorSecret, vectorHeader(vectorTS, vectorSig), vectorBody, vectorTime.Add(5*time.Minute + time.Second), false},
		{"from the future", vectorSecret, vectorHeader(vectorTS, vectorSig), vectorBody, vectorTime.Add(-6 * time.Minute), false},
		{"other secret", "8f742231b10e8888abcd99yyyzzz85a6", vectorHeader(vectorTS, vectorSig), vectorBody, vectorTime, false},
		{"empty secret", "", vectorHeader(vectorTS, vectorSig), vectorBody, vectorTime, false},
		{"body changed", vectorSecret, vectorHeader(vectorTS, vectorSig), strings.Replace(vectorBody, "text=", "text=x", 1), vectorTime, false},
		{"timestamp changed", vectorSecret, vectorHeader("1531420619", vectorSig), vectorBody, vectorTime, false},
		{"no signature", vectorSecret, vectorHeader(vectorTS, ""), vectorBody, vectorTime, false},
		{"no timestamp", vectorSecret, vectorHeader("", vectorSig), vectorBody, vectorTime, false},
		{"timestamp not a number", vectorSecret, vectorHeader("soon", vectorSig), vectorBody, vectorTime, false},
		{"upper-case hex", vectorSecret, vectorHeader(vectorTS, strings.ToUpper(vectorSig)), vectorBody, vectorTime, false},
	}
	for _, c := range cases {
		err := verify(c.secret, c.h, []byte(c.body), c.now)
		if (err == nil) != c.ok {
			t.Errorf("%s: verify = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

// rewrite sends every request, whatever its host, to a test server: Slack's example request names
// hooks.slack.com as its response_url, and tests stay on loopback.
type rewrite struct{ to *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// The example request through the real handler, with the clock at Slack's timestamp: accepted,
// and (its text being empty) answered with the help at its response_url.
func TestHandlerAcceptsSlackExample(t *testing.T) {
	var mu sync.Mutex
	var got []string
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer hooks.Close()
	u, _ := url.Parse(hooks.URL)
	api := slack.New("xoxb-test", slack.OptionHTTPClient(&http.Client{Transport: rewrite{u}}), slack.OptionAPIURL(hooks.URL+"/api/"))
	b, err := New(Config{Service: answer.New(TestingIndex(t), answer.Config{}), Client: api, Logger: slog.New(slog.DiscardHandler),
		SigningSecret: vectorSecret, Now: func() time.Time { return vectorTime }})
	if err != nil {
		t.Fatal(err)
	}
	h := b.Handler()
	post := func(sig string) int {
		req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(vectorBody))
		req.Header = vectorHeader(vectorTS, sig)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(vectorSig[:len(vectorSig)-1] + "4"); code != http.StatusUnauthorized {
		t.Errorf("a wrong signature: HTTP %d, want 401", code)
	}
	if code := post(vectorSig); code != http.StatusOK {
		t.Fatalf("Slack's example: HTTP %d, want 200", code)
	}
	if err := b.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN" {
		t.Errorf("posts after the example: %v, want one to its response_url", got)
	}
}
