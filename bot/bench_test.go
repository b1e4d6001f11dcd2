package bot_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot/fakeslack"
	"github.com/krog-advisor/krog/internal/latency"
)

// BenchmarkConcurrentSlashCommands sends 100 slash commands at once over HTTP mode (signed, each
// from its own user) and measures, per command, the time to Slack's acknowledgement (the HTTP
// response) and the time until the answer reached the fake Slack's response_url.
func BenchmarkConcurrentSlashCommands(b *testing.B) {
	const n = 100
	w := start(b, options{})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
	var acks, answers []time.Duration
	round := 0
	for b.Loop() {
		round++
		sent := make([]time.Time, n)
		paths := make([]string, n)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range n {
			paths[i] = fmt.Sprintf("bench-%d-%d", round, i)
			form := url.Values{
				"team_id": {fakeslack.Team}, "channel_id": {"C0BENCH"}, "user_id": {fmt.Sprintf("U%03d", i)}, "command": {"/krog"},
				"text": {questions[i%len(questions)]}, "response_url": {w.slack.ResponseURL(paths[i])}, "trigger_id": {"t"},
			}
			body := []byte(form.Encode())
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, w.http.URL+"/slack/commands", bytes.NewReader(body))
				ts, sig := sign(body, time.Now().Unix())
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Slack-Request-Timestamp", ts)
				req.Header.Set("X-Slack-Signature", sig)
				start := time.Now()
				resp, err := client.Do(req)
				d := time.Since(start)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("HTTP %d", resp.StatusCode)
				}
				mu.Lock()
				sent[i] = start
				acks = append(acks, d)
				mu.Unlock()
			})
		}
		wg.Wait()
		want := map[string]int{}
		for i, p := range paths {
			want["/response/"+p] = i
		}
		calls := w.slack.WaitFor(b, func(calls []fakeslack.Call) bool {
			got := 0
			for _, c := range calls {
				if _, ok := want[c.Path]; ok {
					got++
				}
			}
			return got >= n
		}, "response_url")
		for _, c := range calls {
			if i, ok := want[c.Path]; ok {
				answers = append(answers, c.At.Sub(sent[i]))
			}
		}
	}
	b.ReportMetric(latency.MS(latency.Percentile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(latency.MS(latency.Percentile(answers, 0.99)), "answer-p99-ms")
	b.ReportMetric(latency.MS(latency.Percentile(answers, 0.50)), "answer-p50-ms")
}

var questions = []string{
	"Kdaj je ostanek proizvodnje stranski proizvod?",
	"What is industrial symbiosis?",
	"Kaj je razširjena odgovornost proizvajalca?",
	"Which EU funding supports circular economy projects?",
	"Who won the football world cup in 2018?",
}

// BenchmarkBurstSlowSlack sends 1,500 slash commands at once to a Slack that takes 200 ms per
// response_url call and reports how many replies a second reach the users, and how many of them
// were "busy" (none are expected at this size).
func BenchmarkBurstSlowSlack(b *testing.B) {
	const n = 1500
	w := start(b, options{rateLimit: -1, fake: func(s *fakeslack.Server) {
		s.Delay = func(c fakeslack.Call) time.Duration {
			if c.Method == "response_url" {
				return 200 * time.Millisecond
			}
			return 0
		}
	}})
	var total time.Duration
	round := 0
	for b.Loop() {
		round++
		began := time.Now()
		names := w.burst(b, n, fmt.Sprintf("r%d", round))
		w.slack.WaitFor(b, func(calls []fakeslack.Call) bool { return len(finals(calls, names)) >= n }, "response_url")
		total += time.Since(began)
	}
	b.ReportMetric(float64(n*round)/total.Seconds(), "replies/s")
}
