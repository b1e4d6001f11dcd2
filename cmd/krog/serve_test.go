package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot/fakeslack"
)

func TestServeConfigMistakesAreOneLine(t *testing.T) {
	base := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-A-2-abc"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	const key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	oauth := []string{"SLACK_CLIENT_ID", "1.2", "SLACK_CLIENT_SECRET", "s", "KROG_PUBLIC_URL", "https://krog.example.org", "KROG_HTTP_ADDR", ":0", "SLACK_SIGNING_SECRET", "x"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string // the variable the message names
	}{
		{"no bot token", with("SLACK_BOT_TOKEN", ""), nil, "SLACK_BOT_TOKEN is not set"},
		{"app token as bot token", with("SLACK_BOT_TOKEN", "xapp-1-A-2-abc"), nil, "SLACK_BOT_TOKEN holds an app-level token"},
		{"user token", with("SLACK_BOT_TOKEN", "xoxp-1-2"), nil, "SLACK_BOT_TOKEN does not look like a bot token"},
		{"quoted bot token", with("SLACK_BOT_TOKEN", `"xoxb-1-2"`), nil, "SLACK_BOT_TOKEN does not look like a bot token"},
		{"bot token as app token", with("SLACK_APP_TOKEN", "xoxb-1-2"), nil, "SLACK_APP_TOKEN holds a bot token"},
		{"bad app token", with("SLACK_APP_TOKEN", "xapp 1"), nil, "SLACK_APP_TOKEN does not look like an app-level token"},
		{"no mode", with("SLACK_APP_TOKEN", ""), nil, "SLACK_APP_TOKEN is not set"},
		{"http without secret", with("SLACK_APP_TOKEN", ""), []string{"--http", ":0"}, "SLACK_SIGNING_SECRET is not set"},
		{"secret without http", with("SLACK_APP_TOKEN", "", "SLACK_SIGNING_SECRET", "abc"), nil, "no HTTP address"},
		{"bad address", with("KROG_HTTP_ADDR", "localhost"), nil, "is not HOST:PORT"},
		{"bad api url", with("SLACK_API_URL", "slack.com/api"), nil, "SLACK_API_URL"},
		{"bad rate limit", with("KROG_RATE_LIMIT", "lots"), nil, "KROG_RATE_LIMIT"},
		{"bad bool", with("KROG_STORE_QUESTIONS", "perhaps"), nil, "KROG_STORE_QUESTIONS"},
		{"bad log level", with("KROG_LOG_LEVEL", "loud"), nil, "KROG_LOG_LEVEL"},
		{"arguments", base, []string{"now"}, "serve takes no arguments"},
		{"oauth without key", with(oauth...), nil, "KROG_SECRET_KEY: empty"},
		{"oauth with a short key", with(append(oauth, "KROG_SECRET_KEY", "c2hvcnQ=")...), nil, "KROG_SECRET_KEY: not 32 bytes"},
		{"oauth without secret", with(append(oauth, "SLACK_CLIENT_SECRET", "")...), nil, "SLACK_CLIENT_SECRET is not set"},
		{"oauth without public url", with(append(oauth, "KROG_PUBLIC_URL", "krog.example.org", "KROG_SECRET_KEY", key)...), nil, "KROG_PUBLIC_URL"},
		{"oauth without http", with("SLACK_CLIENT_ID", "1.2", "SLACK_CLIENT_SECRET", "s", "KROG_PUBLIC_URL", "https://krog.example.org", "KROG_SECRET_KEY", key), nil, "needs an HTTP address"},
		{"client secret alone", with("SLACK_CLIENT_SECRET", "s"), nil, "SLACK_CLIENT_ID is not"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"serve", "--env-file", ""}, c.args...)
			_, stderr, code := krog(t, c.env, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if !strings.Contains(stderr, c.want) || (c.name != "arguments" && len(lines) != 1) {
				t.Errorf("stderr = %q, want one line with %q", stderr, c.want)
			}
		})
	}
}

func TestDotenvEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	os.WriteFile(path, []byte("# krog\nSLACK_BOT_TOKEN=xoxb-from-file\nSLACK_APP_TOKEN=\"xapp-from-file\"\nKROG_DB=/tmp/file.db\n"), 0o600)
	e := &env{ctx: context.Background(), getenv: func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-from-env"}[k]
	}}
	e2, err := e.withDotenv(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := readServeConfig(e2, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.botToken != "xoxb-from-env" || c.appToken != "xapp-from-file" || c.db != "/tmp/file.db" {
		t.Errorf("config = %+v", c)
	}
	if e3, err := e.withDotenv(filepath.Join(dir, "missing")); err != nil || e3 != e {
		t.Errorf("a missing .env: %v", err)
	}
	os.WriteFile(path, []byte("NOT A LINE\n"), 0o600)
	if _, err := e.withDotenv(path); err == nil {
		t.Error("a broken .env was accepted")
	}
}

// logBuffer collects krog's log and lets a test wait for a line.
type logBuffer struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  bytes.Buffer
}

func newLogBuffer() *logBuffer {
	l := &logBuffer{}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cond.Broadcast()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits for a log record with msg and returns it.
func (l *logBuffer) waitFor(t testing.TB, msg string) map[string]any {
	t.Helper()
	return l.waitUntil(t, msg, func(rec map[string]any) bool { return rec["msg"] == msg })
}

// waitUntil waits (30 s at most) for a log record that ok accepts and returns it.
func (l *logBuffer) waitUntil(t testing.TB, what string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	timer := time.AfterFunc(30*time.Second, func() { l.mu.Lock(); l.cond.Broadcast(); l.mu.Unlock() })
	defer timer.Stop()
	deadline := time.Now().Add(30 * time.Second)
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		for _, line := range strings.Split(l.buf.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && ok(rec) {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", what, l.buf.String())
		}
		l.cond.Wait()
	}
}

// records returns the log records with msg.
func (l *logBuffer) records(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(l.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// count is the number of log records with msg.
func (l *logBuffer) count(msg string) int { return len(l.records(msg)) }

// waitForAny waits for a log record with one of msgs.
func (l *logBuffer) waitForAny(t testing.TB, msgs ...string) map[string]any {
	t.Helper()
	return l.waitUntil(t, strings.Join(msgs, " or "), func(rec map[string]any) bool {
		for _, m := range msgs {
			if rec["msg"] == m {
				return true
			}
		}
		return false
	})
}

// waitForWith waits for a log record with msg whose key is val.
func (l *logBuffer) waitForWith(t testing.TB, msg, key string, val any) map[string]any {
	t.Helper()
	return l.waitUntil(t, fmt.Sprintf("%s with %s=%v", msg, key, val), func(rec map[string]any) bool {
		return rec["msg"] == msg && rec[key] == val
	})
}

// startServe runs krog serve in the background with vars until stop, which returns what serve
// returned; it waits until serve is ready and returns its HTTP address and log.
func startServe(t *testing.T, vars map[string]string) (addr string, logs *logBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = newLogBuffer()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--env-file", ""}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	addr = logs.waitFor(t, "listening")["addr"].(string)
	logs.waitFor(t, "krog serve ready")
	return addr, logs, stop
}

// krog serve, whole, in both modes at once against a fake Slack: healthz, a slash command over
// the socket and one over signed HTTP, and a graceful stop that keeps what was answered.
func TestServeBothModes(t *testing.T) {
	fake := fakeslack.New(t)
	db := filepath.Join(t.TempDir(), "krog.db")
	vars := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_SIGNING_SECRET": "s3cret",
		"SLACK_API_URL": fake.APIURL(), "KROG_HTTP_ADDR": "127.0.0.1:0", "KROG_DB": db, "KROG_LLM": "off",
	}
	addr, logs, stop := startServe(t, vars)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	fake.WaitConnected(t)

	// Socket Mode.
	id := fake.Send("slash_commands", map[string]string{"command": "/krog", "text": "What is industrial symbiosis?", "user_id": "U1", "team_id": fakeslack.Team, "channel_id": "C1", "response_url": fake.ResponseURL("sock")})
	fake.WaitAck(t, id)
	// HTTP mode.
	body := "command=%2Fkrog&user_id=U2&team_id=" + fakeslack.Team + "&channel_id=C1&text=Kaj+je+stranski+proizvod%3F&response_url=" + fake.ResponseURL("http")
	if code := signedPost(t, addr, "s3cret", "/slack/commands", "application/x-www-form-urlencoded", body); code != 200 {
		t.Errorf("signed command: HTTP %d", code)
	}
	fake.WaitFor(t, func(c []fakeslack.Call) bool { return len(c) >= 2 }, "response_url")
	// The answer is counted right after it is delivered.
	metrics := get(t, "http://"+addr+"/metrics")
	for i := 0; i < 50 && strings.Count(metrics, "krog_questions_total{") < 2; i++ {
		time.Sleep(20 * time.Millisecond)
		metrics = get(t, "http://"+addr+"/metrics")
	}
	for _, want := range []string{
		`krog_questions_total{confidence="high",lang="en",mode="extractive",surface="command"} 1`,
		`krog_questions_total{confidence="high",lang="sl",mode="extractive",surface="command"} 1`,
		`krog_slack_api_calls_total{method="response_url"} 2`,
		`krog_knowledge_info{version="`, `krog_index_passages `, `krog_answer_duration_seconds_bucket{mode="extractive"`,
		`go_goroutines `, `process_resident_memory_bytes `,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	var health struct {
		Status           string
		KnowledgeVersion string `json:"knowledge_version"`
		Documents        int
	}
	if err := json.Unmarshal([]byte(get(t, "http://"+addr+"/healthz")), &health); err != nil || health.KnowledgeVersion == "" || !strings.Contains(metrics, `version="`+health.KnowledgeVersion+`"`) {
		t.Errorf("/healthz = %+v (%v)", health, err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if strings.Contains(logs.String(), "industrial symbiosis") {
		t.Error("question text in the log")
	}
	stdout, _, code := krog(t, map[string]string{"KROG_DB": db}, "feedback", "--env-file", "")
	if code != 0 || !strings.Contains(stdout, "Answers: 2") || !strings.Contains(stdout, "What is industrial symbiosis?") {
		t.Errorf("feedback after serve (exit %d):\n%s", code, stdout)
	}
}

// get returns the body of a GET that must answer 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func TestServeBotTokenRefusedBySlack(t *testing.T) {
	fake := fakeslack.New(t)
	fake.FailSlack("auth.test", 1, "invalid_auth")
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": fake.APIURL(),
		"KROG_DB": filepath.Join(t.TempDir(), "krog.db"), "KROG_LOG_LEVEL": "error"}
	_, stderr, code := krog(t, vars, "serve", "--env-file", "")
	if code != 2 || !strings.Contains(stderr, "Slack refused SLACK_BOT_TOKEN") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// BenchmarkServeIdleRSS builds krog, runs `krog serve` in Socket Mode against a fake Slack, asks
// it a few questions, lets it idle and reports its resident memory; then stops it with SIGTERM,
// which must end it cleanly.
func BenchmarkServeIdleRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build krog with")
	}
	bin := filepath.Join(b.TempDir(), "krog")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var rss []float64
	for b.Loop() {
		fake := fakeslack.New(b)
		cmd := exec.Command(bin, "serve", "--env-file", "")
		cmd.Env = []string{"SLACK_BOT_TOKEN=xoxb-test", "SLACK_APP_TOKEN=xapp-test", "SLACK_API_URL=" + fake.APIURL(),
			"KROG_DB=" + filepath.Join(b.TempDir(), "krog.db"), "KROG_LLM=off", "HOME=" + b.TempDir()}
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		go io.Copy(io.Discard, bufio.NewReader(stderr))
		fake.WaitConnected(b)
		for i, q := range []string{"What is industrial symbiosis?", "Kaj je stranski proizvod?", "Who won the world cup?"} {
			fake.WaitAck(b, fake.Send("slash_commands", map[string]string{"command": "/krog", "text": q, "user_id": "U1", "team_id": fakeslack.Team, "channel_id": "C1", "response_url": fake.ResponseURL(fmt.Sprint(i))}))
		}
		fake.WaitN(b, 3, "response_url")
		time.Sleep(3 * time.Second) // idle
		rss = append(rss, rssMB(b, cmd.Process.Pid))
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Errorf("krog serve after SIGTERM: %v", err)
		}
	}
	b.ReportMetric(rss[len(rss)-1], "idle-rss-MB")
}

func rssMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// signature signs a request body as Slack does.
func signature(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func TestServeAppTokenRefusedBySlack(t *testing.T) {
	fake := fakeslack.New(t)
	fake.FailSlack("apps.connections.open", 1, "invalid_auth")
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-revoked", "SLACK_API_URL": fake.APIURL(),
		"KROG_DB": filepath.Join(t.TempDir(), "krog.db"), "KROG_LOG_LEVEL": "error"}
	_, stderr, code := krog(t, vars, "serve", "--env-file", "")
	if code != 2 || !strings.Contains(stderr, "Slack refused SLACK_APP_TOKEN") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// copyDir copies the directory tree src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeReloadsKnowledge runs krog serve on a knowledge directory, edits a document and sees the
// edit answered without a restart, then breaks the document and sees the working index kept, each
// lint problem logged and sent to the admin channel, and the reloads counted.
func TestServeReloadsKnowledge(t *testing.T) {
	fake := fakeslack.New(t)
	dir := t.TempDir()
	copyDir(t, testKnowledge, dir)
	vars := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake.APIURL(),
		"KROG_HTTP_ADDR": "127.0.0.1:0", "KROG_DB": filepath.Join(t.TempDir(), "krog.db"), "KROG_LLM": "off",
		"KROG_KNOWLEDGE": dir, "KROG_ADMIN_CHANNEL": "C0ADMIN", "KROG_RATE_LIMIT": "0",
	}
	addr, logs, stop := startServe(t, vars)
	n := 0
	ask := func(q string) string {
		t.Helper()
		n++
		ru := fake.ResponseURL(fmt.Sprintf("q%d", n))
		body := "command=%2Fkrog&user_id=U1&team_id=" + fakeslack.Team + "&channel_id=C1&text=" + strings.ReplaceAll(q, " ", "+") + "&response_url=" + ru + "&trigger_id=t" + strconv.Itoa(n)
		signedPost(t, addr, "s3cret", "/slack/commands", "application/x-www-form-urlencoded", body)
		calls := fake.WaitFor(t, func(c []fakeslack.Call) bool {
			for _, x := range c {
				if strings.HasSuffix(x.Path, fmt.Sprintf("/q%d", n)) {
					return true
				}
			}
			return false
		}, "response_url")
		for _, x := range calls {
			if strings.HasSuffix(x.Path, fmt.Sprintf("/q%d", n)) {
				return x.Text()
			}
		}
		return ""
	}
	const q = "What happened in Kalundborg?"
	if got := ask(q); strings.Contains(got, "Zelena vrba") {
		t.Fatal("the marker is there before the edit")
	}
	doc := filepath.Join(dir, "docs", "en", "case-kalundborg.md")
	orig, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(orig), "summary: >-\n", "summary: >-\n  Zelena vrba was the first exchange.\n", 1)
	if edited == string(orig) {
		t.Fatal("the test's edit changed nothing")
	}
	if err := os.WriteFile(doc, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "knowledge reloaded")
	if got := ask(q); !strings.Contains(got, "Zelena vrba") {
		t.Errorf("after the edit the answer is\n%s", got)
	}
	// A broken document never replaces a working index.
	if err := os.WriteFile(doc, []byte("no front matter\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := logs.waitFor(t, "knowledge not reloaded")
	if !strings.Contains(fmt.Sprint(rec["problem"]), "case-kalundborg.md:1") {
		t.Errorf("logged problem %v", rec["problem"])
	}
	admin := fake.WaitFor(t, func(c []fakeslack.Call) bool {
		for _, x := range c {
			if x.Get("channel") == "C0ADMIN" {
				return true
			}
		}
		return false
	}, "chat.postMessage")
	if txt := admin[len(admin)-1].Text(); !strings.Contains(txt, "case-kalundborg.md:1") {
		t.Errorf("admin channel got %s", txt)
	}
	if got := ask(q); !strings.Contains(got, "Zelena vrba") {
		t.Errorf("after a broken edit the answer is\n%s", got)
	}
	m := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{`krog_knowledge_reloads_total{result="ok"} 1`, `krog_knowledge_reloads_total{result="lint_failed"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestServeClosesItsListenerOnErrors stops krog serve on two error paths after it began listening —
// a knowledge directory with errors, and a bot token Slack refuses — and checks each time that the
// port is free again.
func TestServeClosesItsListenerOnErrors(t *testing.T) {
	broken := t.TempDir()
	copyDir(t, testKnowledge, broken)
	if err := os.WriteFile(filepath.Join(broken, "docs", "en", "by-product.md"), []byte("no front matter\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, extra := range map[string]map[string]string{
		"broken knowledge": {"KROG_KNOWLEDGE": broken},
		"refused token":    {"SLACK_BOT_TOKEN": "xoxb-revoked"},
	} {
		t.Run(name, func(t *testing.T) {
			fake := fakeslack.New(t)
			fake.FailSlack("auth.test", 1, "invalid_auth")
			vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake.APIURL(),
				"KROG_HTTP_ADDR": "127.0.0.1:0", "KROG_DB": filepath.Join(t.TempDir(), "krog.db"), "KROG_LLM": "off"}
			for k, v := range extra {
				vars[k] = v
			}
			logs := newLogBuffer()
			err := run(context.Background(), []string{"serve", "--env-file", ""}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, logs)
			if err == nil {
				t.Fatal("serve returned no error")
			}
			addr := logs.waitFor(t, "listening")["addr"].(string)
			ln, lerr := net.Listen("tcp", addr)
			if lerr != nil {
				t.Fatalf("after %v the port %s is still taken: %v", err, addr, lerr)
			}
			ln.Close()
		})
	}
}
