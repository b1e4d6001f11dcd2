package bot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/bot/fakeslack"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/store"
)

// theIndex is the index of the embedded corpus, built once per test binary.
func theIndex(t testing.TB) *index.Index { return bot.TestingIndex(t) }

const secret = "test-signing-secret"

// world is a bot under test, with its fake Slack and its feedback store.
type world struct {
	t      testing.TB
	slack  *fakeslack.Server
	bot    *bot.Bot
	store  *store.Store
	dbPath string
	http   *httptest.Server
	socket bool
	stop   func()
	done   chan error
	seq    atomic.Int64
}

type options struct {
	socket    bool
	answerer  func(svc *answer.Service) bot.Answerer
	cfg       answer.Config
	rateLimit int
	interval  time.Duration
	log       *bytes.Buffer
	fake      func(*fakeslack.Server) // sets the fake's faults before any call
	memory    bot.Memory              // nil: the bot's own
	oauth     func(st *store.Store, fake *fakeslack.Server) *bot.OAuth
}

// start runs a bot against a fake Slack, in Socket Mode or HTTP mode.
func start(t testing.TB, o options) *world {
	t.Helper()
	fake := fakeslack.New(t)
	if o.fake != nil {
		o.fake(fake)
	}
	dbPath := filepath.Join(t.TempDir(), "krog.db")
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Logger == nil {
		o.cfg.Logger = slog.New(slog.DiscardHandler)
	}
	svc := answer.New(theIndex(t), o.cfg)
	var ans bot.Answerer
	if o.answerer != nil {
		ans = o.answerer(svc)
	}
	logger := slog.New(slog.DiscardHandler)
	if o.log != nil {
		logger = slog.New(slog.NewJSONHandler(o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var oauth *bot.OAuth
	if o.oauth != nil {
		oauth = o.oauth(st, fake)
	}
	b, err := bot.New(bot.Config{
		Service: svc, Answerer: ans, Feedback: st, Memory: o.memory, OAuth: oauth, Client: bot.NewClient("xoxb-test", "xapp-test", fake.APIURL(), nil),
		Logger: logger, SigningSecret: secret, RateLimit: o.rateLimit, StoreQuestions: true, StreamInterval: o.interval,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, slack: fake, bot: b, store: st, dbPath: dbPath, socket: o.socket, done: make(chan error, 1)}
	if o.socket {
		go func() { w.done <- b.RunSocket(ctx) }()
		fake.WaitConnected(t)
	} else {
		w.http = httptest.NewServer(b.Handler())
		w.done <- nil
	}
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-w.done; err != nil {
				t.Errorf("RunSocket: %v", err)
			}
			if w.http != nil {
				w.http.Close()
			}
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			if err := b.Shutdown(sctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
		})
	}
	t.Cleanup(func() { st.Close() })
	t.Cleanup(w.stop)
	return w
}

// settle stops intake and waits for every running answer: after it, what the fake Slack recorded
// is all the bot will ever send.
func (w *world) settle() {
	w.t.Helper()
	w.stop()
}

func sign(body []byte, ts int64) (string, string) {
	s := strconv.FormatInt(ts, 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", s)
	mac.Write(body)
	return s, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// postSigned sends a signed request to the bot's HTTP endpoint.
func (w *world) postSigned(path, contentType string, body []byte) *http.Response {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.http.URL+path, bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	ts, sig := sign(body, time.Now().Unix())
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// command sends /krog text from user in channel and returns the response_url the answer goes to.
func (w *world) command(user, channel, text string) string {
	w.t.Helper()
	ru := w.slack.ResponseURL(fmt.Sprintf("cmd-%d", w.seq.Add(1)))
	form := url.Values{
		"token": {"x"}, "team_id": {fakeslack.Team}, "team_domain": {"krog"}, "channel_id": {channel}, "channel_name": {"general"},
		"user_id": {user}, "user_name": {"ana"}, "command": {"/krog"}, "text": {text}, "response_url": {ru},
		"trigger_id": {"trigger-cmd"}, "api_app_id": {"A0KROG"},
	}
	if w.socket {
		payload := map[string]string{}
		for k := range form {
			payload[k] = form.Get(k)
		}
		w.slack.WaitAck(w.t, w.slack.Send("slash_commands", payload))
	} else {
		resp := w.postSigned("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
		if resp.StatusCode != http.StatusOK {
			w.t.Fatalf("slash command: HTTP %d", resp.StatusCode)
		}
	}
	return ru
}

// event delivers an Events API event with the given id and inner event.
func (w *world) event(id string, inner map[string]any) {
	w.t.Helper()
	outer := map[string]any{
		"token": "x", "team_id": fakeslack.Team, "api_app_id": "A0KROG", "type": "event_callback",
		"event_id": id, "event_time": time.Now().Unix(), "event": inner,
	}
	if w.socket {
		w.slack.WaitAck(w.t, w.slack.Send("events_api", outer))
		return
	}
	body, _ := json.Marshal(outer)
	if resp := w.postSigned("/slack/events", "application/json", body); resp.StatusCode != http.StatusOK {
		w.t.Fatalf("event: HTTP %d", resp.StatusCode)
	}
}

// interact delivers an interaction payload.
func (w *world) interact(payload map[string]any) {
	w.t.Helper()
	if w.socket {
		w.slack.WaitAck(w.t, w.slack.Send("interactive", payload))
		return
	}
	p, _ := json.Marshal(payload)
	form := url.Values{"payload": {string(p)}}
	if resp := w.postSigned("/slack/interactive", "application/x-www-form-urlencoded", []byte(form.Encode())); resp.StatusCode != http.StatusOK {
		w.t.Fatalf("interaction: HTTP %d", resp.StatusCode)
	}
}

// click presses a button under a message.
func (w *world) click(user, channel, action, value, responseURL string) {
	w.t.Helper()
	w.interact(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.Team},
		"channel": map[string]any{"id": channel}, "trigger_id": "trigger-" + action, "response_url": responseURL,
		"container": map[string]any{"type": "message", "channel_id": channel, "is_ephemeral": true},
		"actions":   []any{map[string]any{"type": "button", "action_id": action, "block_id": "answer", "value": value}},
	})
}

func mention(channel, user, ts, threadTS, text string) map[string]any {
	e := map[string]any{"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

func message(channelType, channel, user, ts, threadTS, text string) map[string]any {
	e := map[string]any{"type": "message", "channel_type": channelType, "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

// buttonValue finds the value of the button with action id in a call's blocks.
func buttonValue(t testing.TB, c fakeslack.Call, action string) string {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(c.Blocks()), &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", c.Method, err)
	}
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.ActionID == action {
				return e.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", action, c.Blocks())
	return ""
}

// to filters calls by response_url path or channel.
func to(where string) func(fakeslack.Call) bool {
	return func(c fakeslack.Call) bool {
		return strings.HasSuffix(c.Path, "/"+where) || c.Get("channel") == where
	}
}

func filter(calls []fakeslack.Call, keep func(fakeslack.Call) bool) []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// waitAt waits for n successful calls of methods matching where.
func (w *world) waitAt(n int, where string, methods ...string) []fakeslack.Call {
	w.t.Helper()
	var got []fakeslack.Call
	w.slack.WaitFor(w.t, func(calls []fakeslack.Call) bool {
		got = filter(calls, to(where))
		return len(got) >= n
	}, methods...)
	return got
}

func pathOf(responseURL string) string {
	u, _ := url.Parse(responseURL)
	return strings.TrimPrefix(u.Path, "/response/")
}

// postJSON sends a signed JSON event to the bot's HTTP endpoint; it must be acknowledged.
func (w *world) postJSON(t testing.TB, path string, v any) {
	t.Helper()
	body, _ := json.Marshal(v)
	if resp := w.postSigned(path, "application/json", body); resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d", path, resp.StatusCode)
	}
}
