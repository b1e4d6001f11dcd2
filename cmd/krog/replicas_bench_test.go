package main

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot/fakeslack"
	"github.com/krog-advisor/krog/internal/latency"
	"github.com/krog-advisor/krog/internal/pgtest"
)

// replicaBenchQuestions are the questions of bot's BenchmarkConcurrentSlashCommands, so the figures
// of the two benchmarks can be set side by side.
var replicaBenchQuestions = []string{
	"Kdaj je ostanek proizvodnje stranski proizvod?",
	"What is industrial symbiosis?",
	"Kaj je razširjena odgovornost proizvajalca?",
	"Which EU funding supports circular economy projects?",
	"Who won the football world cup in 2018?",
}

// BenchmarkReplicas compares one `krog serve --http` process on SQLite with three on one PostgreSQL
// database. Each iteration sends 200 signed slash commands at once (each from its own user, to its
// own response_url), spread round-robin over the replicas, and waits until the fake Slack has all
// of their replies. It reports the acknowledgement latency (until the HTTP response is back, as in
// bot's BenchmarkConcurrentSlashCommands), the answer latency (until the reply reached the
// response_url), and answers per second from the first command sent to the last reply received.
func BenchmarkReplicas(b *testing.B) {
	b.Run("sqlite-1", func(b *testing.B) {
		benchReplicas(b, 1, filepath.Join(b.TempDir(), "krog.db"), "sqlite")
	})
	b.Run("postgres-3", func(b *testing.B) {
		benchReplicas(b, 3, pgtest.DSN(b), "postgres")
	})
}

func benchReplicas(b *testing.B, n int, db, backend string) {
	const commands = 200
	const secret = "s3cret"
	fake := fakeslack.New(b)
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": fake.APIURL(),
		"KROG_HTTP_ADDR": "127.0.0.1:0", "KROG_DB": db, "KROG_LLM": "off", "KROG_RATE_LIMIT": "0",
		// Not warn: startReplica waits for the "listening" and "krog serve ready" records, which
		// are logged at info.
		"KROG_LOG_LEVEL": "info",
	}
	reps := make([]*replica, n)
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() { reps[i] = startReplica(b, env) })
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	for _, r := range reps {
		if !strings.Contains(r.logs.String(), `"store":"`+backend+`"`) {
			b.Fatalf("replica %s is not on %s:\n%s", r.addr, backend, r.logs.String())
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()

	var acks, answers []time.Duration
	var total time.Duration
	answered, refused := 0, 0
	iter := 0
	b.ResetTimer()
	for b.Loop() {
		iter++
		names := make([]string, commands)
		bodies := make([]string, commands)
		for i := range commands {
			names[i] = fmt.Sprintf("it%d-%d", iter, i)
			bodies[i] = url.Values{
				"team_id": {fakeslack.Team}, "channel_id": {"C0BENCH"}, "user_id": {fmt.Sprintf("U%d%03d", iter, i)},
				"command": {"/krog"}, "text": {replicaBenchQuestions[i%len(replicaBenchQuestions)]},
				"response_url": {fake.ResponseURL(names[i])}, "trigger_id": {"t"},
			}.Encode()
		}
		sent := make([]time.Time, commands)
		accepted := make([]bool, commands)
		var mu sync.Mutex
		began := time.Now()
		for i := range commands {
			r := reps[i%len(reps)]
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, "http://"+r.addr+"/slack/commands", strings.NewReader(bodies[i]))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				ts := strconv.FormatInt(time.Now().Unix(), 10)
				req.Header.Set("X-Slack-Request-Timestamp", ts)
				req.Header.Set("X-Slack-Signature", signature(secret, ts, bodies[i]))
				start := time.Now()
				resp, err := client.Do(req)
				d := time.Since(start)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				sent[i] = start
				if resp.StatusCode != http.StatusOK {
					refused++
					b.Logf("command %s on %s: HTTP %d", names[i], r.addr, resp.StatusCode)
					return
				}
				accepted[i] = true
				acks = append(acks, d)
			})
		}
		wg.Wait()
		if b.Failed() {
			b.FailNow()
		}
		want := map[string]int{}
		for i, name := range names {
			if accepted[i] {
				want["/response/"+name] = i
			}
		}
		mine := func(calls []fakeslack.Call) []fakeslack.Call {
			var out []fakeslack.Call
			for _, c := range calls {
				if _, ok := want[c.Path]; ok {
					out = append(out, c)
				}
			}
			return out
		}
		calls := mine(fake.WaitFor(b, func(calls []fakeslack.Call) bool { return len(mine(calls)) >= len(want) }, "response_url"))
		last := began
		for _, c := range calls {
			answers = append(answers, c.At.Sub(sent[want[c.Path]]))
			if c.At.After(last) {
				last = c.At
			}
		}
		answered += len(calls)
		total += last.Sub(began)
	}
	b.StopTimer()
	busy := 0
	for _, r := range reps {
		busy += r.logs.count("busy: question turned away") + r.logs.count("busy: no answer slot")
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(latency.MS(latency.Percentile(acks, 0.50)), "ack-p50-ms")
	b.ReportMetric(latency.MS(latency.Percentile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(latency.MS(latency.Percentile(answers, 0.50)), "answer-p50-ms")
	b.ReportMetric(latency.MS(latency.Percentile(answers, 0.99)), "answer-p99-ms")
	b.ReportMetric(float64(answered)/total.Seconds(), "answers/s")
	// Commands turned away (HTTP 503 when a replica reads too many bodies at once) and replies
	// that were "busy, ask again" instead of an answer; both are expected to be 0.
	b.ReportMetric(float64(refused)/float64(iter), "refused/op")
	b.ReportMetric(float64(busy)/float64(iter), "busy/op")
}
