package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot/fakeslack"
	"github.com/krog-advisor/krog/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// krogBinary builds krog once per test binary and returns its path.
func krogBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		gobin, err := exec.LookPath("go")
		if err != nil {
			binErr = fmt.Errorf("no go command to build krog with: %w", err)
			return
		}
		if binDir, binErr = os.MkdirTemp("", "krog-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "krog")
		if out, err := exec.Command(gobin, "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// replica is a `krog serve` process.
type replica struct {
	addr string
	logs *logBuffer
	cmd  *exec.Cmd
}

// startReplica runs `krog serve` as a process with env (and nothing else of this environment) and
// waits until it is ready; the test's end stops it with SIGTERM.
func startReplica(t testing.TB, env map[string]string) *replica {
	t.Helper()
	cmd := exec.Command(krogBinary(t), "serve", "--env-file", "")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{logs: newLogBuffer(), cmd: cmd}
	copied := make(chan struct{})
	go func() {
		io.Copy(r.logs, bufio.NewReader(stderr))
		close(copied)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-copied
		if err := cmd.Wait(); err != nil {
			t.Errorf("replica %s after SIGTERM: %v\n%s", r.addr, err, r.logs.String())
		}
	})
	r.addr = r.logs.waitFor(t, "listening")["addr"].(string)
	r.logs.waitFor(t, "krog serve ready")
	return r
}

// post sends a request signed with secret to the replica and returns its status.
func (r *replica) post(t testing.TB, secret, path, contentType, body string) int {
	t.Helper()
	return signedPost(t, r.addr, secret, path, contentType, body)
}

// signedPost sends a request to krog serve at addr, signed with secret as Slack signs, and
// returns its status.
func signedPost(t testing.TB, addr, secret, path, contentType, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", signature(secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// event is an Events API callback as Slack sends it.
func event(id, inner string) string {
	return `{"token":"x","team_id":"` + fakeslack.Team + `","api_app_id":"A0KROG","type":"event_callback","event_id":"` + id +
		`","event_time":1700000000,"event":` + inner + `}`
}

// actionValue finds the value of the button with actionID in Block Kit JSON.
func actionValue(blocks, actionID string) string {
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			if x["action_id"] == actionID {
				if s, ok := x["value"].(string); ok {
					return s
				}
			}
			for _, e := range x {
				if s := walk(e); s != "" {
					return s
				}
			}
		case []any:
			for _, e := range x {
				if s := walk(e); s != "" {
					return s
				}
			}
		}
		return ""
	}
	var v any
	json.Unmarshal([]byte(blocks), &v)
	return walk(v)
}

// Three `krog serve --http` processes on one PostgreSQL database act as one Slack app: an event
// delivered to two of them is answered once, a button under an answer one made works on another,
// and a follow-up in a thread one answered is answered by another, in context.
func TestThreeReplicasActAsOne(t *testing.T) {
	dsn := pgtest.DSN(t)
	fake := fakeslack.New(t)
	const secret = "s3cret"
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": fake.APIURL(),
		"KROG_HTTP_ADDR": "127.0.0.1:0", "KROG_DB": dsn, "KROG_LLM": "off", "KROG_LOG_LEVEL": "debug",
	}
	var reps [3]*replica
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() { reps[i] = startReplica(t, env) })
	}
	wg.Wait()
	for _, r := range reps {
		if !strings.Contains(r.logs.String(), `"store":"postgres"`) {
			t.Fatalf("replica %s is not on PostgreSQL:\n%s", r.addr, r.logs.String())
		}
	}
	const jsonType, formType = "application/json", "application/x-www-form-urlencoded"

	// 1. Slack delivers one mention to replicas 1 and 2 (a retry that reached another replica).
	const root = "1700000000.000100"
	mention := event("Ev0001", `{"type":"app_mention","user":"U1","text":"<@`+fakeslack.BotUser+`> What is industrial symbiosis?","ts":"`+root+`","channel":"C1","event_ts":"`+root+`"}`)
	var codes [2]int
	for i := range 2 {
		wg.Go(func() { codes[i] = reps[i].post(t, secret, "/slack/events", jsonType, mention) })
	}
	wg.Wait()
	if codes != [2]int{200, 200} {
		t.Fatalf("event acknowledged with %v, want 200 by both", codes)
	}
	// Both decide: one answers, the other finds the event taken.
	for i := range 2 {
		reps[i].logs.waitForAny(t, "answered", "duplicate event ignored")
	}
	if a, d := reps[0].logs.count("answered")+reps[1].logs.count("answered"), reps[0].logs.count("duplicate event ignored")+reps[1].logs.count("duplicate event ignored"); a != 1 || d != 1 {
		t.Errorf("the event was answered %d times and ignored %d times, want once and once", a, d)
	}
	inThread := func(c []fakeslack.Call) []fakeslack.Call {
		var out []fakeslack.Call
		for _, x := range c {
			if x.Status == 200 && x.Get("thread_ts") == root {
				out = append(out, x)
			}
		}
		return out
	}
	if n := len(inThread(fake.Calls("chat.postMessage"))); n != 1 {
		t.Errorf("%d replies in the thread, want 1", n)
	}

	// 2. A follow-up in that thread, no mention, reaches the replica that did not answer the
	// mention (it only found the event taken): it knows the thread only through the shared memory.
	other := reps[1]
	if reps[1].logs.count("answered") == 1 {
		other = reps[0]
	}
	follow := event("Ev0002", `{"type":"message","channel_type":"channel","user":"U1","text":"And what are the legal barriers for it?","ts":"1700000000.000200","thread_ts":"`+root+`","channel":"C1","event_ts":"1700000000.000200"}`)
	if code := other.post(t, secret, "/slack/events", jsonType, follow); code != 200 {
		t.Fatalf("follow-up: HTTP %d", code)
	}
	rec := other.logs.waitForWith(t, "answered", "surface", "thread")
	if rec["found"] != true {
		t.Errorf("the follow-up was not answered from the knowledge: %v", rec)
	}
	replies := fake.WaitFor(t, func(c []fakeslack.Call) bool { return len(inThread(c)) >= 2 }, "chat.postMessage")
	if n := len(inThread(replies)); n != 2 {
		t.Errorf("%d replies in the thread after the follow-up, want 2", n)
	}

	// 3. /krog on replica 1; 👍 under its answer clicked on replica 3.
	form := url.Values{"command": {"/krog"}, "text": {"Kaj je stranski proizvod?"}, "user_id": {"U2"}, "team_id": {fakeslack.Team},
		"channel_id": {"C1"}, "response_url": {fake.ResponseURL("cmd")}}
	if code := reps[0].post(t, secret, "/slack/commands", formType, form.Encode()); code != 200 {
		t.Fatalf("command: HTTP %d", code)
	}
	answerCall := fake.WaitN(t, 1, "response_url")[0]
	id := actionValue(answerCall.Get("blocks"), "vote_up")
	if id == "" {
		t.Fatalf("no 👍 button under the answer: %s", answerCall.Blocks())
	}
	click := `{"type":"block_actions","team":{"id":"` + fakeslack.Team + `"},"user":{"id":"U3"},"channel":{"id":"C1"},"trigger_id":"tr1",` +
		`"response_url":"` + fake.ResponseURL("click") + `","actions":[{"action_id":"vote_up","block_id":"answer","value":"` + id + `","type":"button","action_ts":"1700000001.1"}]}`
	if code := reps[2].post(t, secret, "/slack/interactive", formType, url.Values{"payload": {click}}.Encode()); code != 200 {
		t.Fatalf("click: HTTP %d", code)
	}
	thanks := fake.WaitN(t, 2, "response_url")[1]
	if !strings.Contains(thanks.Text(), "Hvala") {
		t.Errorf("the click on replica 3 got %q, want the thanks (in Slovene, the answer's language)", thanks.Text())
	}
	// The vote is in the shared store: krog feedback on the database counts it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _, code := krog(t, map[string]string{"KROG_DB": dsn}, "feedback", "--env-file", "")
		if code == 0 && strings.Contains(out, "· 👍 1 ·") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the vote made on replica 3 is not in the store:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
