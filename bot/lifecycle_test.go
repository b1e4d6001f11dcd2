package bot_test

import (
	"context"
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
