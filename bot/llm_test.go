package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/answer/openai"
	"github.com/krog-advisor/krog/answer/openai/openaitest"
	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/bot/fakeslack"
)

// slowSSE is an OpenAI-compatible server that streams its reply in pieces, one every gap, as a
// model writing does.
func slowSSE(t *testing.T, pieces []string, gap time.Duration) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream bool `json:"stream"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if !req.Stream {
			http.Error(w, `{"error":{"message":"this fake only streams"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		send := func(v any) {
			b, _ := json.Marshal(v)
			fmt.Fprintf(w, "data: %s\n\n", b)
			f.Flush()
		}
		chunk := func(delta map[string]any, finish any) map[string]any {
			return map[string]any{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "slow-model",
				"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
		}
		send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
		for _, p := range pieces {
			select {
			case <-time.After(gap):
			case <-r.Context().Done():
				return
			}
			send(chunk(map[string]any{"content": p}, nil))
		}
		send(chunk(map[string]any{}, "stop"))
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func llm(baseURL string, timeout time.Duration) answer.Config {
	return answer.Config{Summarizer: openai.New(openai.Config{APIKey: "sk-test", BaseURL: baseURL, Model: "test-model"}), Timeout: timeout}
}

const llmAnswer = "Ostanek je stranski proizvod, če so hkrati izpolnjeni vsi štirje pogoji iz 5. člena [1]. " +
	"Nadaljnja uporaba mora biti zanesljiva [1]. Podjetje to dokazuje s pogodbami in specifikacijami [2]."

// A model's answer streams into a placeholder, edited at most once a second, and then becomes the
// final answer with its sources and buttons.
func TestLLMStreamsIntoPlaceholderThrottled(t *testing.T) {
	pieces := openaitest.Pieces(llmAnswer, 2)
	sse := slowSSE(t, pieces, 2500*time.Millisecond/time.Duration(len(pieces)))
	w := start(t, options{socket: true, cfg: llm(sse.URL+"/v1", 20*time.Second)})
	w.event("L1", mention(channel, user, "1700000070.000100", "", "<@"+fakeslack.BotUser+"> Kdaj je ostanek proizvodnje stranski proizvod?"))
	ph := w.waitAt(1, channel, "chat.postMessage")[0]
	if !strings.Contains(ph.Text(), "Razmišljam") || ph.Get("thread_ts") != "1700000070.000100" {
		t.Errorf("placeholder:\n%s", ph.Text())
	}
	var final fakeslack.Call
	w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
		for _, c := range calls {
			if strings.Contains(c.Blocks(), `"action_id":"vote_up"`) {
				final = c
				return true
			}
		}
		return false
	}, "chat.update")
	w.settle()
	updates := w.slack.Calls("chat.update")
	for _, u := range updates {
		if u.Get("ts") != ph.TS || u.Get("channel") != channel {
			t.Errorf("chat.update of %s %s, want the placeholder %s", u.Get("channel"), u.Get("ts"), ph.TS)
		}
	}
	if len(updates) < 2 {
		t.Errorf("%d edits: the answer did not stream", len(updates))
	}
	// At most one edit per second: each edit at least a second after the previous one (or after
	// the placeholder), with a little room for the loopback's jitter.
	prev := ph.At
	for i, u := range updates {
		if gap := u.At.Sub(prev); gap < 950*time.Millisecond {
			t.Errorf("edit %d came %v after the previous one", i+1, gap)
		}
		prev = u.At
	}
	partial := updates[0].Text()
	if !strings.Contains(partial, "Razmišljam") || strings.Contains(partial, "vote_up") {
		t.Errorf("first edit is not a partial answer:\n%s", partial)
	}
	if final.TS != updates[len(updates)-1].TS || !strings.Contains(final.Text(), "[1]") || !strings.Contains(final.Text(), "*Viri*") || strings.Contains(final.Text(), "Razmišljam") {
		t.Errorf("final answer:\n%s", final.Text())
	}
	if n := len(w.slack.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d messages posted, want only the placeholder", n)
	}
	rs := rows(t, w)
	if len(rs) != 1 || rs[0].Mode != "llm" || rs[0].Model != "slow-model" {
		t.Errorf("feedback store: %+v", rs)
	}
}

// When the model fails, the placeholder becomes the extractive answer: never left hanging.
func TestLLMFailureBecomesExtractive(t *testing.T) {
	cases := []struct {
		name    string
		reply   openaitest.Reply
		timeout time.Duration
	}{
		{"server error", openaitest.Reply{Status: 500}, 10 * time.Second},
		{"rate limited", openaitest.Reply{Status: 429}, 10 * time.Second},
		{"garbage", openaitest.Reply{Body: "<html>oops</html>"}, 10 * time.Second},
		{"no citation", openaitest.Reply{Text: "Ja, to je stranski proizvod."}, 10 * time.Second},
		{"hangs", openaitest.Reply{Hang: true}, 300 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ai := openaitest.New(t, openaitest.Always(c.reply))
			w := start(t, options{socket: true, cfg: llm(ai.BaseURL(), c.timeout), interval: 50 * time.Millisecond})
			w.event("F1", mention(channel, user, "1700000080.000100", "", "<@"+fakeslack.BotUser+"> Kdaj je ostanek proizvodnje stranski proizvod?"))
			ph := w.waitAt(1, channel, "chat.postMessage")[0]
			final := w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
				return len(calls) > 0 && strings.Contains(calls[len(calls)-1].Blocks(), "vote_up")
			}, "chat.update")
			last := final[len(final)-1]
			if last.Get("ts") != ph.TS || !strings.Contains(last.Text(), "5. člen") || strings.Contains(last.Text(), "Razmišljam") {
				t.Errorf("after %s the placeholder shows:\n%s", c.name, last.Text())
			}
			w.settle()
			if rs := rows(t, w); len(rs) != 1 || rs[0].Mode != "extractive" || rs[0].Fallback == "" {
				t.Errorf("feedback store: %+v", rs)
			}
		})
	}
}

// A model stream that breaks off mid-answer (closed, or the connection dropped, with no
// finish_reason) does not stay in the placeholder as if it were the answer: the placeholder becomes
// the extractive answer and the store records why.
func TestLLMCutStreamBecomesExtractive(t *testing.T) {
	pieces := openaitest.Pieces(llmAnswer, 3)
	for _, abort := range []bool{false, true} {
		t.Run(fmt.Sprintf("abort=%v", abort), func(t *testing.T) {
			// Cut after "… iz 5. člena [1]. Nadaljnja uporaba": cited text has been shown.
			ai := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: llmAnswer, Chunks: pieces, CutAfter: 6, Abort: abort}))
			w := start(t, options{socket: true, cfg: llm(ai.BaseURL(), 10*time.Second), interval: 50 * time.Millisecond})
			w.event("T1", mention(channel, user, "1700000085.000100", "", "<@"+fakeslack.BotUser+"> Kdaj je ostanek proizvodnje stranski proizvod?"))
			ph := w.waitAt(1, channel, "chat.postMessage")[0]
			final := w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
				return len(calls) > 0 && strings.Contains(calls[len(calls)-1].Blocks(), "vote_up")
			}, "chat.update")
			last := final[len(final)-1]
			if last.Get("ts") != ph.TS || strings.Contains(last.Text(), "Nadaljnja uporaba") || strings.Contains(last.Text(), "Razmišljam") {
				t.Errorf("the placeholder shows:\n%s", last.Text())
			}
			w.settle()
			if rs := rows(t, w); len(rs) != 1 || rs[0].Mode != "extractive" || rs[0].Fallback != "truncated" {
				t.Errorf("feedback store: %+v", rs)
			}
			if n := len(ai.Requests()); n != 1 {
				t.Errorf("%d LLM requests, want 1: the fragment was already shown", n)
			}
		})
	}
}

// A link in the model's answer is a link in Slack only if it leads to a source shown with the
// answer: a phishing link, in Markdown, in Slack's own <url|text> or bare, arrives as plain text,
// also in the edits made while the answer streams.
func TestLLMLinksOnlyToSources(t *testing.T) {
	const q = "Kdaj je ostanek proizvodnje stranski proizvod?"
	ext, err := answer.New(bot.TestingIndex(t), answer.Config{}).Answer(context.Background(), answer.Request{Question: q})
	if err != nil || len(ext.Sources) == 0 || ext.Sources[0].URL == "" {
		t.Fatalf("sources %+v, err %v", ext.Sources, err)
	}
	src := ext.Sources[0].URL
	text := "Prijavite se prek [Slack SSO](https://evil.example/phish) ali <https://evil.example/x|tukaj> ali na https://evil.example/y. " +
		"Ostanek je stranski proizvod, če so izpolnjeni vsi štirje pogoji [1], glej [5. člen](" + src + ")."
	ai := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: text}))
	w := start(t, options{socket: true, cfg: llm(ai.BaseURL(), 10*time.Second), interval: 50 * time.Millisecond})
	w.event("K1", mention(channel, user, "1700000087.000100", "", "<@"+fakeslack.BotUser+"> "+q))
	w.waitAt(1, channel, "chat.postMessage")
	final := w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
		return len(calls) > 0 && strings.Contains(calls[len(calls)-1].Blocks(), "vote_up")
	}, "chat.update")
	w.settle()
	last := final[len(final)-1].Text()
	for _, want := range []string{"Prijavite se prek Slack SSO ali tukaj ali na evil[.]example.", "glej <" + src + "|5. člen>"} {
		if !strings.Contains(last, want) {
			t.Errorf("final answer lacks %q:\n%s", want, last)
		}
	}
	for _, u := range w.slack.Calls("chat.update") {
		if strings.Contains(u.Text(), "evil.example") {
			t.Errorf("an edit shows the phishing URL:\n%s", u.Text())
		}
	}
}

// A slash command's placeholder lives at its response_url: replaced there, within Slack's five
// posts per response_url.
func TestLLMSlashCommandReplacesPlaceholder(t *testing.T) {
	ai := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: llmAnswer}))
	w := start(t, options{socket: false, cfg: llm(ai.BaseURL(), 10*time.Second), interval: 50 * time.Millisecond})
	ru := w.command(user, channel, "Kdaj je ostanek proizvodnje stranski proizvod?")
	w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
		got := filter(calls, to(pathOf(ru)))
		return len(got) > 0 && strings.Contains(got[len(got)-1].Blocks(), "vote_up")
	}, "response_url")
	w.settle()
	calls := filter(w.slack.Calls("response_url"), to(pathOf(ru)))
	if len(calls) < 2 || len(calls) > 5 {
		t.Fatalf("%d posts to the response_url, want 2 to 5", len(calls))
	}
	if !strings.Contains(calls[0].Text(), "Razmišljam") || calls[0].Get("response_type") != "ephemeral" {
		t.Errorf("placeholder:\n%s", calls[0].Text())
	}
	last := calls[len(calls)-1]
	if last.Get("replace_original") != "true" || !strings.Contains(last.Text(), "[1]") || !strings.Contains(last.Text(), `"action_id":"share"`) {
		t.Errorf("final (replace_original %s):\n%s", last.Get("replace_original"), last.Text())
	}
	if reqs := ai.Requests(); len(reqs) != 1 || !reqs[0].Stream {
		t.Errorf("LLM requests: %d (stream %v)", len(reqs), len(reqs) > 0 && reqs[0].Stream)
	}
}

// An off-topic question costs no LLM call and gets the friendly "not found".
func TestLLMNotCalledWhenNotFound(t *testing.T) {
	ai := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: llmAnswer}))
	w := start(t, options{socket: true, cfg: llm(ai.BaseURL(), 10*time.Second)})
	ru := w.command(user, channel, "Who won the football world cup in 2018?")
	w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
		got := filter(calls, to(pathOf(ru)))
		return len(got) > 0 && strings.Contains(got[len(got)-1].Text(), "no guidance")
	}, "response_url")
	w.settle()
	if n := len(ai.Requests()); n != 0 {
		t.Errorf("%d LLM requests for an off-topic question", n)
	}
}

// In an assistant thread krog shows its status with assistant.threads.setStatus instead of a
// placeholder, and offers example prompts when the thread starts.
func TestAssistantThreadUsesStatus(t *testing.T) {
	ai := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: llmAnswer}))
	w := start(t, options{socket: true, cfg: llm(ai.BaseURL(), 10*time.Second)})
	w.event("A1", map[string]any{"type": "assistant_thread_started", "event_ts": "1700000090.000050",
		"assistant_thread": map[string]any{"user_id": user, "channel_id": "D0ANA", "thread_ts": "1700000090.000100", "context": map[string]any{}}})
	w.slack.WaitN(t, 1, "assistant.threads.setSuggestedPrompts")
	w.event("A2", message("im", "D0ANA", user, "1700000090.000200", "1700000090.000100", "Kdaj je ostanek proizvodnje stranski proizvod?"))
	post := w.waitAt(1, "D0ANA", "chat.postMessage")[0]
	w.settle()
	status := w.slack.Calls("assistant.threads.setStatus")
	if len(status) != 1 || status[0].Get("thread_ts") != "1700000090.000100" || status[0].Get("status") != "Razmišljam…" {
		t.Errorf("setStatus calls: %+v", status)
	}
	if post.Get("thread_ts") != "1700000090.000100" || !strings.Contains(post.Text(), "[1]") || strings.Contains(post.Text(), "Razmišljam") {
		t.Errorf("assistant answer:\n%s", post.Text())
	}
	if n := len(w.slack.Calls("chat.update")); n != 0 {
		t.Errorf("%d chat.update calls in an assistant thread, want none", n)
	}
}
