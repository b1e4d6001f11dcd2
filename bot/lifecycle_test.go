package bot_test

import (
	"bytes"
	"context"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/answer/openai/openaitest"
	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/bot/fakeslack"
)

// streamThenPanic starts a model's text and panics halfway, as a bug in the answer path might.
type streamThenPanic struct{}

func (streamThenPanic) Answer(_ context.Context, req answer.Request) (answer.Reply, error) {
	if req.OnDelta != nil {
		req.OnDelta("Ostanek je ")
	}
	panic("boom in the middle of a stream")
}

// streamers counts the goroutines running a streamer's loop.
func streamers() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "(*streamer).loop")
}

// TestPanicMidStreamLeavesNoGoroutine checks that a panic while a model's answer streams stops the
// streamer (no goroutine is left waiting for ever) and that the user still gets the apology.
func TestPanicMidStreamLeavesNoGoroutine(t *testing.T) {
	ai := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: llmAnswer}))
	w := start(t, options{cfg: llm(ai.BaseURL(), 5*time.Second), interval: 10 * time.Millisecond,
		answerer: func(*answer.Service) bot.Answerer { return streamThenPanic{} }})
	before := streamers()
	ru := w.command(user, channel, "Kdaj je ostanek proizvodnje stranski proizvod?")
	w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
		for _, c := range filter(calls, to(pathOf(ru))) {
			if strings.Contains(c.Text(), "Pri meni je šlo nekaj narobe") {
				return true
			}
		}
		return false
	}, "response_url")
	w.settle()
	if after := streamers(); after > before {
		t.Errorf("%d streamer goroutines left running after the panic (%d before)", after, before)
	}
}

// TestLoggedErrorsCarryNoURL sends a command whose response_url cannot be reached and checks that
// the errors in the log name its host only: a response_url is a credential for half an hour, and
// the HTTP client's errors quote it whole.
func TestLoggedErrorsCarryNoURL(t *testing.T) {
	var log bytes.Buffer
	w := start(t, options{log: &log})
	const secret = "/commands/T0KROG/1234/s3cr3tTok3n"
	form := url.Values{
		"team_id": {fakeslack.Team}, "channel_id": {channel}, "user_id": {user}, "command": {"/krog"},
		"text": {"What is industrial symbiosis?"}, "response_url": {"http://127.0.0.1:1" + secret}, "trigger_id": {"t"},
	}
	if resp := w.postSigned("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode())); resp.StatusCode != 200 {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	w.settle() // the answer and the apology both fail to arrive, and are logged
	if !strings.Contains(log.String(), "127.0.0.1:1") {
		t.Fatalf("no delivery error logged:\n%s", log.String())
	}
	if strings.Contains(log.String(), "s3cr3tTok3n") {
		t.Errorf("the log quotes the response_url:\n%s", log.String())
	}
}
