package bot_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot/fakeslack"
)

// signedCommand sends /krog text as user over HTTP mode with client; the answer goes to the
// response_url named ru.
func (w *world) signedCommand(client *http.Client, user, channel, text, ru string) (int, error) {
	form := url.Values{
		"team_id": {fakeslack.Team}, "channel_id": {channel}, "user_id": {user}, "command": {"/krog"},
		"text": {text}, "response_url": {w.slack.ResponseURL(ru)}, "trigger_id": {"t"},
	}
	body := []byte(form.Encode())
	req, _ := http.NewRequest(http.MethodPost, w.http.URL+"/slack/commands", bytes.NewReader(body))
	ts, sig := sign(body, time.Now().Unix())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// burst sends n commands at once, each from its own user, and returns the response_url names.
func (w *world) burst(t testing.TB, n int, prefix string) []string {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200, MaxConnsPerHost: 200}}
	names := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		names[i] = fmt.Sprintf("%s-%d", prefix, i)
		wg.Go(func() {
			code, err := w.signedCommand(client, fmt.Sprintf("U%s%05d", prefix, i), "C0LOAD", questions[i%len(questions)], names[i])
			if err != nil || code != http.StatusOK {
				t.Errorf("command %d: HTTP %d, %v", i, code, err)
			}
		})
	}
	wg.Wait()
	return names
}

// finals counts, per response_url name, the replies it received.
func finals(calls []fakeslack.Call, names []string) map[string]int {
	want := map[string]bool{}
	for _, n := range names {
		want["/response/"+n] = true
	}
	got := map[string]int{}
	for _, c := range calls {
		if want[c.Path] {
			got[strings.TrimPrefix(c.Path, "/response/")]++
		}
	}
	return got
}

// TestBurstWithSlowSlackLeavesNobodySilent sends 1,500 slash commands at once to a Slack that takes
// 200 ms per call: every user gets exactly one reply (an answer, or "busy, ask again"), none is
// left waiting — the answer slots are not held while posting.
func TestBurstWithSlowSlackLeavesNobodySilent(t *testing.T) {
	if testing.Short() {
		t.Skip("1,500 requests")
	}
	const n = 1500
	w := start(t, options{rateLimit: -1, fake: func(s *fakeslack.Server) {
		s.Delay = func(c fakeslack.Call) time.Duration {
			if c.Method == "response_url" {
				return 200 * time.Millisecond
			}
			return 0
		}
	}})
	began := time.Now()
	names := w.burst(t, n, "b")
	calls := w.slack.WaitFor(t, func(calls []fakeslack.Call) bool { return len(finals(calls, names)) >= n }, "response_url")
	took := time.Since(began)
	got := finals(calls, names)
	busy := 0
	for _, c := range calls {
		if strings.Contains(c.Text(), "ask again in a minute") || strings.Contains(c.Text(), "čez minuto") {
			busy++
		}
	}
	w.settle()
	for _, name := range names {
		if got[name] != 1 {
			t.Errorf("%s got %d replies, want exactly 1", name, got[name])
		}
	}
	t.Logf("%d commands with Slack at 200 ms: all replied in %v (%.0f replies/s), %d busy", n, took.Round(time.Millisecond), float64(n)/took.Seconds(), busy)
}

// TestRateLimitedChannelsDelayNobodyElse rate-limits three channels (429, Retry-After 2 s) and hangs
// one response_url: the other users' answers arrive before any of the held ones, which still arrive.
func TestRateLimitedChannelsDelayNobodyElse(t *testing.T) {
	slow := map[string]bool{"C0SLOW1": true, "C0SLOW2": true, "C0SLOW3": true}
	var mu sync.Mutex
	limited := map[string]bool{}
	w := start(t, options{rateLimit: -1, fake: func(s *fakeslack.Server) {
		s.Reject = func(c fakeslack.Call) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			ch := c.Get("channel")
			if c.Method == "chat.postMessage" && slow[ch] && !limited[ch] {
				limited[ch] = true
				return http.StatusTooManyRequests, "2"
			}
			return 0, ""
		}
		s.Delay = func(c fakeslack.Call) time.Duration {
			if strings.HasSuffix(c.Path, "/hang") {
				return 3 * time.Second
			}
			return 0
		}
	}})
	for ch := range slow {
		w.event("Ev"+ch, mention(ch, "U0SLOW", "1700000001.000001", "", "<@"+fakeslack.BotUser+"> What is industrial symbiosis?"))
	}
	client := &http.Client{}
	if code, err := w.signedCommand(client, "U0HANG", "C0HANG", "Kaj je stranski proizvod?", "hang"); err != nil || code != 200 {
		t.Fatalf("command: %d %v", code, err)
	}
	time.Sleep(100 * time.Millisecond) // the held requests are now waiting on Slack
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("fast-%d", i))
		if code, err := w.signedCommand(client, fmt.Sprintf("U0FAST%02d", i), "C0FAST", questions[i%len(questions)], names[i]); err != nil || code != 200 {
			t.Fatalf("command: %d %v", code, err)
		}
	}
	w.slack.WaitFor(t, func(calls []fakeslack.Call) bool {
		return len(filter(calls, func(c fakeslack.Call) bool { return slow[c.Get("channel")] })) >= 3
	}, "chat.postMessage")
	w.waitAt(1, "hang", "response_url")
	calls := w.slack.Calls("chat.postMessage", "response_url")
	var lastFast, firstHeld time.Time
	for _, c := range calls {
		if c.Status != http.StatusOK {
			continue
		}
		switch {
		case strings.HasPrefix(strings.TrimPrefix(c.Path, "/response/"), "fast-"):
			if c.At.After(lastFast) {
				lastFast = c.At
			}
		case slow[c.Get("channel")] || strings.HasSuffix(c.Path, "/hang"):
			if firstHeld.IsZero() || c.At.Before(firstHeld) {
				firstHeld = c.At
			}
		}
	}
	if got := finals(calls, names); len(got) != len(names) {
		t.Fatalf("%d of %d fast users answered", len(got), len(names))
	}
	if !lastFast.Before(firstHeld) {
		t.Errorf("the last fast answer (%v) came after the first held one (%v): held channels delayed others", lastFast.Format("15:04:05.000"), firstHeld.Format("15:04:05.000"))
	}
}

// TestShutdownDrainsAnswersInFlight stops the bot with 50 commands in flight and Slack answering
// in 0.5 s: all 50 users get their answer within the budget.
func TestShutdownDrainsAnswersInFlight(t *testing.T) {
	w := start(t, options{rateLimit: -1, fake: func(s *fakeslack.Server) {
		s.Delay = func(c fakeslack.Call) time.Duration {
			if c.Method == "response_url" {
				return 500 * time.Millisecond
			}
			return 0
		}
	}})
	names := w.burst(t, 50, "d")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.bot.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	got := finals(w.slack.Calls("response_url"), names)
	for _, n := range names {
		if got[n] != 1 {
			t.Errorf("%s got %d replies after shutdown, want 1", n, got[n])
		}
	}
}

// TestLockedStoreDelaysNoAnswerAndLosesNoRow holds a write lock on the feedback file from a second
// connection for longer than SQLite's busy timeout: answers go out meanwhile, and once the lock
// is released every answer is in the store.
func TestLockedStoreDelaysNoAnswerAndLosesNoRow(t *testing.T) {
	if testing.Short() {
		t.Skip("holds a lock for 6 s")
	}
	w := start(t, options{rateLimit: -1})
	other, err := sql.Open("sqlite", w.dbPath+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	names := w.burst(t, 10, "s")
	calls := w.slack.WaitFor(t, func(calls []fakeslack.Call) bool { return len(finals(calls, names)) >= 10 }, "response_url")
	for _, c := range calls {
		if d := c.At.Sub(locked); d > 2*time.Second {
			t.Errorf("answer %s took %v while the store was locked", c.Path, d)
		}
	}
	time.Sleep(6 * time.Second)
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	w.settle()
	r, err := w.store.Report(context.Background(), time.Time{}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers != 10 {
		t.Errorf("%d answers stored after the lock, want 10", r.Answers)
	}
}

// TestBodyReadsAreBounded opens 300 connections that each declare a 1 MiB body and send only part
// of it: at most bot.MaxBodyReads are read at once, the rest are turned away with 503 before their
// body is read, and a real command still gets through once they are gone.
func TestBodyReadsAreBounded(t *testing.T) {
	const n = 300
	w := start(t, options{rateLimit: -1})
	addr := strings.TrimPrefix(w.http.URL, "http://")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var conns []net.Conn
	refused := 0
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		ts, _ := sign(nil, time.Now().Unix())
		fmt.Fprintf(c, "POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: v0=%064d\r\nContent-Length: %d\r\n\r\n", ts, i, 1<<20-1)
		c.Write(bytes.Repeat([]byte("a"), 256<<10))
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, 64)
		if k, _ := c.Read(buf); k > 0 && strings.Contains(string(buf[:k]), " 503 ") {
			refused++
		}
	}
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	if want := n - 64; refused < want {
		t.Errorf("%d of %d body-holding connections refused, want at least %d", refused, n, want)
	}
	t.Logf("%d body-holding connections: %d refused with 503; heap grew %.1f MiB", n, refused, float64(int64(during.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))
	for _, c := range conns {
		c.Close()
	}
	time.Sleep(200 * time.Millisecond) // the server notices the closed connections
	ru := w.command("U0AFTER", "C0AFTER", "What is industrial symbiosis?")
	w.waitAt(1, pathOf(ru), "response_url")
}
