package bot

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/secret"
)

// An install link's state expires after ten minutes: brought back later, by the right browser, it
// installs nothing (and Slack is not even asked).
func TestInstallStateExpires(t *testing.T) {
	key, _ := secret.ParseKey(strings.Repeat("cd", 32))
	c := &clock{time.Unix(1_800_000_000, 0)}
	var slackCalls int
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { slackCalls++ }))
	defer api.Close()
	b, err := New(Config{Service: answer.New(TestingIndex(t), answer.Config{}), Client: slack.New(""), Now: c.now,
		OAuth: &OAuth{ClientID: "c", ClientSecret: "s", PublicURL: "https://krog.example.org", Key: key, Only: true, APIURL: api.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	h := b.Handler()
	page := httptest.NewRecorder()
	h.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/slack/install", nil))
	m := regexp.MustCompile(`state=([^&"]+)`).FindStringSubmatch(page.Body.String())
	if page.Code != 200 || m == nil || len(page.Result().Cookies()) != 1 {
		t.Fatalf("install page: %d %v\n%s", page.Code, page.Result().Cookies(), page.Body)
	}
	state, _ := url.QueryUnescape(html.UnescapeString(m[1]))
	cookie := page.Result().Cookies()[0]
	if !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Value != state {
		t.Errorf("state cookie: %+v", cookie)
	}
	c.t = c.t.Add(stateTTL + time.Second)
	req := httptest.NewRequest(http.MethodGet, "/slack/oauth_redirect?code=x&state="+url.QueryEscape(state), nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "expired") {
		t.Errorf("an expired state: %d\n%s", rec.Code, rec.Body)
	}
	if slackCalls != 0 {
		t.Errorf("Slack was asked %d times for an expired state", slackCalls)
	}
}
