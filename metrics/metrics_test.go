package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLabelsStayBounded checks that values from outside (a surface, a fallback reason, a Slack
// method) cannot create new series: unknown ones become "other".
func TestLabelsStayBounded(t *testing.T) {
	m := New()
	m.Answer("command", "sl", "high", "llm", "", 20*time.Millisecond, 100, 50, true)
	m.Answer("U12345 injected", "de", "maybe", "x", "a reason nobody knows", time.Second, 0, 0, true)
	m.Event("deduplicated")
	m.Event("anything else")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := &http.Client{Transport: m.Transport(nil)}
	for _, p := range []string{"/api/chat.postMessage", "/api/users.secretMethod", "/response/T1/abc"} {
		resp, err := c.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	out := string(body)
	for _, want := range []string{
		`krog_questions_total{confidence="high",lang="sl",mode="llm",surface="command"} 1`,
		`krog_questions_total{confidence="other",lang="other",mode="other",surface="other"} 1`,
		`krog_llm_fallbacks_total{reason="other"} 1`,
		`krog_llm_tokens_total{kind="prompt"} 100`,
		`krog_bot_events_total{kind="other"} 1`,
		`krog_slack_api_calls_total{method="chat.postMessage"} 1`,
		`krog_slack_api_calls_total{method="other"} 1`,
		`krog_slack_api_rate_limited_total{method="response_url"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(out, "U12345") || strings.Contains(out, "secretMethod") {
		t.Error("an outside value became a label")
	}
}
