// Package fakeslack is a fake Slack for tests of krog's bot: a Web API on httptest (auth.test,
// chat.postMessage, chat.update, chat.postEphemeral, views.open, views.update, views.publish,
// conversations.open, the file upload methods and upload URLs, the assistant methods,
// apps.connections.open), response_url endpoints, and a Socket Mode WebSocket that says
// hello, sends envelopes and records acks. It speaks the wire formats itself (form posts, JSON
// posts, WebSocket frames), records every call, and can answer a method with an HTTP error or a
// Slack error a given number of times (a 429 with Retry-After, say).
package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Identity of the fake workspace and of the bot in it.
const (
	Team    = "T0KROG"
	BotUser = "U0KROG"
	BotID   = "B0KROG"
)

// Call is one request the fake received.
type Call struct {
	Method string     // "chat.postMessage", …, or "response_url"
	Path   string     // the URL path
	Form   url.Values // form posts
	JSON   []byte     // JSON posts
	At     time.Time  // when the fake answered it
	Status int        // the HTTP status the fake answered with
	TS     string
	File   []byte // the file sent to an upload URL
	Token  string // the token the call was made with (Authorization: Bearer, or a token field)
}

// Get returns a parameter of the call, from the form or the JSON body.
func (c Call) Get(key string) string {
	if c.Form != nil {
		return c.Form.Get(key)
	}
	var m map[string]any
	if json.Unmarshal(c.JSON, &m) != nil {
		return ""
	}
	switch v := m[key].(type) {
	case string:
		return v
	case nil:
		return ""
	case bool:
		return fmt.Sprint(v)
	default:
		return plainJSON(v)
	}
}

// plainJSON encodes v without escaping <, > and & for HTML, so tests can look for mrkdwn in it.
func plainJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// Blocks returns the call's blocks as JSON ("" if none), with <, > and & as they are.
func (c Call) Blocks() string {
	raw := c.Get("blocks")
	var v any
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil {
		return raw
	}
	return plainJSON(v)
}

// invalidBlocks reports a Block Kit mistake real Slack refuses with invalid_blocks: two elements with
// the same action_id in one block (of the message, or of the view being opened or updated).
func (c Call) invalidBlocks() bool {
	raw := c.Get("blocks")
	if v := c.Get("view"); v != "" {
		var view struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if json.Unmarshal([]byte(v), &view) == nil {
			raw = string(view.Blocks)
		}
	}
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	if raw == "" || json.Unmarshal([]byte(raw), &blocks) != nil {
		return false
	}
	for _, b := range blocks {
		seen := map[string]bool{}
		for _, e := range b.Elements {
			if e.ActionID != "" && seen[e.ActionID] {
				return true
			}
			seen[e.ActionID] = true
		}
	}
	return false
}

// Text is everything a user would read in the call: its text and the text in its blocks.
func (c Call) Text() string { return c.Get("text") + "\n" + c.Blocks() }

// fault is a scripted failure.
type fault struct {
	n          int
	status     int
	retryAfter string
	slackErr   string
}

// Server is the fake Slack.
type Server struct {
	*httptest.Server
	t       testing.TB
	mu      sync.Mutex
	cond    *sync.Cond
	calls   []Call
	faults  map[string]*fault
	ts      int
	env     int
	acks    map[string]json.RawMessage
	out     chan []byte
	connect int // WebSocket connections so far
	hello   bool
	grants  map[string]Grant // oauth.v2.access codes
	// PingEvery is how often the Socket Mode endpoint pings (default 2 s).
	PingEvery time.Duration
	// Hook, if set, is called with each Web API call before it is answered; a non-nil reply is sent
	// instead of the default one.
	Hook func(c Call) any
	// Delay, if set, is how long the fake takes to answer a call (Web API or response_url): a slow
	// Slack, or an endpoint that hangs until the client gives up.
	Delay func(c Call) time.Duration
	// Reject, if set, may answer a call with an HTTP status instead (and a Retry-After when not
	// ""): one channel rate-limited by Slack, say.
	Reject func(c Call) (status int, retryAfter string)
}

// hold applies Delay and Reject to c; it reports whether the call was answered (rejected, or the
// client went away while it waited).
func (s *Server) hold(w http.ResponseWriter, r *http.Request, c *Call) bool {
	if s.Reject != nil {
		if status, ra := s.Reject(*c); status != 0 {
			c.Status = status
			s.record(*c)
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			w.WriteHeader(status)
			return true
		}
	}
	if s.Delay != nil {
		if d := s.Delay(*c); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return true
			}
			c.At = time.Now() // when it was answered
		}
	}
	return false
}

// New starts a fake Slack that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, faults: map[string]*fault{}, acks: map[string]json.RawMessage{}, out: make(chan []byte, 256), ts: 100, PingEvery: 2 * time.Second}
	s.cond = sync.NewCond(&s.mu)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/response/", s.response)
	mux.HandleFunc("/upload/", s.upload)
	mux.HandleFunc("/ws", s.ws)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Grant is what oauth.v2.access gives for one code: a workspace's installation.
type Grant struct {
	ClientSecret string // the secret the exchange must carry
	Team         string
	TeamName     string
	Token        string // the bot token
	BotUser      string
	Scopes       string
	Installer    string
}

// GrantCode makes code good, once, for g: what Slack does when a workspace approves the install.
func (s *Server) GrantCode(code string, g Grant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grants == nil {
		s.grants = map[string]Grant{}
	}
	s.grants[code] = g
}

// APIURL is the Web API base URL to give the Slack client.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// ResponseURL is a fresh response_url on the fake.
func (s *Server) ResponseURL(name string) string { return s.URL + "/response/" + url.PathEscape(name) }

// Fail makes the next n calls of method (or "response_url") answer with HTTP status; for 429,
// retryAfter is the Retry-After header.
func (s *Server) Fail(method string, n, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = &fault{n: n, status: status, retryAfter: retryAfter}
}

// FailSlack makes the next n calls of method answer {"ok":false,"error":code}.
func (s *Server) FailSlack(method string, n int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = &fault{n: n, status: http.StatusOK, slackErr: code}
}

// Calls returns the calls so far of the given methods (all calls if none are given).
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filter(methods)
}

func (s *Server) filter(methods []string) []Call {
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WaitFor waits until ok holds for the calls of the given methods (answered with 200) and returns
// them; it fails the test after 20 seconds, which only a hang takes.
func (s *Server) WaitFor(t testing.TB, ok func([]Call) bool, methods ...string) []Call {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	timer := time.AfterFunc(20*time.Second, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		var good []Call
		for _, c := range s.filter(methods) {
			if c.Status == http.StatusOK {
				good = append(good, c)
			}
		}
		if ok(good) {
			return good
		}
		if time.Now().After(deadline) {
			t.Fatalf("fakeslack: gave up waiting; calls so far: %s", s.summary())
			return nil
		}
		s.cond.Wait()
	}
}

// WaitN waits for n successful calls of the given methods and returns them.
func (s *Server) WaitN(t testing.TB, n int, methods ...string) []Call {
	t.Helper()
	return s.WaitFor(t, func(c []Call) bool { return len(c) >= n }, methods...)
}

func (s *Server) summary() string {
	var parts []string
	for _, c := range s.calls {
		parts = append(parts, fmt.Sprintf("%s(%d)", c.Method, c.Status))
	}
	return strings.Join(parts, " ")
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.cond.Broadcast()
	s.mu.Unlock()
}

// takeFault returns the scripted failure for method, if any is left.
func (s *Server) takeFault(method string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[method]
	if f == nil || f.n == 0 {
		return nil
	}
	f.n--
	return f
}

func (s *Server) nextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ts++
	return fmt.Sprintf("1700000000.%06d", s.ts)
}

func readCall(r *http.Request, method string) Call {
	body, _ := io.ReadAll(r.Body)
	c := Call{Method: method, Path: r.URL.Path, At: time.Now()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		c.JSON = body
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	c.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.Token == "" {
		c.Token = c.Get("token")
	}
	return c
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	c := readCall(r, method)
	if s.hold(w, r, &c) {
		return
	}
	if c.invalidBlocks() {
		c.Status = http.StatusBadRequest // Slack answers 200 with ok:false; recorded as a failure
		s.record(c)
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks"})
		return
	}
	if f := s.takeFault(method); f != nil {
		c.Status = f.status
		s.record(c)
		if f.slackErr != "" {
			writeJSON(w, map[string]any{"ok": false, "error": f.slackErr})
			return
		}
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.status)
		return
	}
	c.Status = http.StatusOK
	var reply any
	switch method {
	case "auth.test":
		reply = map[string]any{"ok": true, "url": "https://krog-test.slack.com/", "team": "krog test", "user": "krog", "team_id": Team, "user_id": BotUser, "bot_id": BotID}
	case "chat.postMessage":
		c.TS = s.nextTS()
		reply = map[string]any{"ok": true, "channel": c.Get("channel"), "ts": c.TS, "message": map[string]any{"text": c.Get("text"), "ts": c.TS}}
	case "chat.update":
		c.TS = c.Get("ts")
		reply = map[string]any{"ok": true, "channel": c.Get("channel"), "ts": c.TS, "text": c.Get("text")}
	case "chat.postEphemeral":
		reply = map[string]any{"ok": true, "message_ts": s.nextTS()}
	case "views.open", "views.publish", "views.update":
		reply = map[string]any{"ok": true, "view": map[string]any{"id": "V0" + strings.ToUpper(method[6:]), "hash": "h" + s.nextTS()}}
	case "conversations.open":
		reply = map[string]any{"ok": true, "channel": map[string]any{"id": "D0" + c.Get("users")}}
	case "files.getUploadURLExternal":
		id := "F0" + strings.ReplaceAll(s.nextTS(), ".", "")
		reply = map[string]any{"ok": true, "upload_url": s.URL + "/upload/" + id, "file_id": id}
	case "files.completeUploadExternal":
		var files []map[string]any
		json.Unmarshal([]byte(c.Get("files")), &files)
		reply = map[string]any{"ok": true, "files": files}
	case "oauth.v2.access":
		s.mu.Lock()
		g, ok := s.grants[c.Get("code")]
		delete(s.grants, c.Get("code")) // a code is good once
		s.mu.Unlock()
		switch {
		case !ok:
			reply = map[string]any{"ok": false, "error": "invalid_code"}
		case c.Get("client_secret") != g.ClientSecret:
			reply = map[string]any{"ok": false, "error": "bad_client_secret"}
		default:
			reply = map[string]any{"ok": true, "access_token": g.Token, "token_type": "bot", "scope": g.Scopes, "bot_user_id": g.BotUser,
				"app_id": "A0KROG", "team": map[string]any{"id": g.Team, "name": g.TeamName}, "enterprise": nil,
				"authed_user": map[string]any{"id": g.Installer}, "is_enterprise_install": false}
		}
	case "apps.connections.open":
		reply = map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.URL, "http") + "/ws"}
	default:
		reply = map[string]any{"ok": true}
	}
	if s.Hook != nil {
		if v := s.Hook(c); v != nil {
			reply = v
		}
	}
	s.record(c)
	writeJSON(w, reply)
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	c := readCall(r, "response_url")
	if s.hold(w, r, &c) {
		return
	}
	if c.invalidBlocks() {
		c.Status = http.StatusBadRequest
		s.record(c)
		w.WriteHeader(c.Status)
		io.WriteString(w, "invalid_blocks")
		return
	}
	if f := s.takeFault("response_url"); f != nil {
		c.Status = f.status
		s.record(c)
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		w.WriteHeader(f.status)
		return
	}
	c.Status = http.StatusOK
	s.record(c)
	writeJSON(w, map[string]any{"ok": true})
}

// upload is an upload URL (files.getUploadURLExternal): it keeps the file sent to it.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	c := Call{Method: "upload", Path: r.URL.Path, At: time.Now(), Status: http.StatusOK}
	if f, _, err := r.FormFile("file"); err == nil {
		c.File, _ = io.ReadAll(f)
		f.Close()
	} else {
		c.Status = http.StatusBadRequest
	}
	s.record(c)
	w.WriteHeader(c.Status)
	fmt.Fprintf(w, "OK - %d", len(c.File))
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// ws is the Socket Mode endpoint: hello, then the envelopes queued with Send; acks are recorded.
func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	s.mu.Lock()
	s.connect++
	s.mu.Unlock()
	var wmu sync.Mutex
	write := func(kind int, data []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if kind == websocket.PingMessage {
			return conn.WriteControl(kind, data, time.Now().Add(5*time.Second))
		}
		return conn.WriteMessage(kind, data)
	}
	hello, _ := json.Marshal(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0KROG"}, "debug_info": map[string]any{"host": "fakeslack"}})
	if write(websocket.TextMessage, hello) != nil {
		return
	}
	s.mu.Lock()
	s.hello = true
	s.cond.Broadcast()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.hello = false
		s.mu.Unlock()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var ack struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if json.Unmarshal(data, &ack) == nil && ack.EnvelopeID != "" {
				s.mu.Lock()
				s.acks[ack.EnvelopeID] = ack.Payload
				s.cond.Broadcast()
				s.mu.Unlock()
			}
		}
	}()
	ping := time.NewTicker(s.PingEvery)
	defer ping.Stop()
	write(websocket.PingMessage, []byte("hi"))
	for {
		select {
		case <-done:
			return
		case <-ping.C:
			if write(websocket.PingMessage, []byte("hi")) != nil {
				return
			}
		case msg := <-s.out:
			if write(websocket.TextMessage, msg) != nil {
				return
			}
		}
	}
}

// WaitConnected waits for a Socket Mode client to be connected (hello sent).
func (s *Server) WaitConnected(t testing.TB) {
	t.Helper()
	s.waitFor(t, "no Socket Mode connection", func() bool { return s.hello })
}

// waitFor waits up to 20 s, under s.mu, until done reports true, and fails the test otherwise.
func (s *Server) waitFor(t testing.TB, failure string, done func() bool) {
	t.Helper()
	timer := time.AfterFunc(20*time.Second, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(20 * time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("fakeslack: " + failure)
		}
		s.cond.Wait()
	}
}

// Send queues a Socket Mode envelope of the given type ("events_api", "slash_commands",
// "interactive") with payload, and returns its envelope id.
func (s *Server) Send(kind string, payload any) string {
	s.mu.Lock()
	s.env++
	id := fmt.Sprintf("env-%d", s.env)
	s.mu.Unlock()
	p, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	msg, _ := json.Marshal(map[string]any{"type": kind, "envelope_id": id, "payload": json.RawMessage(p), "accepts_response_payload": kind != "events_api"})
	s.out <- msg
	return id
}

// SendRaw queues a raw Socket Mode frame.
func (s *Server) SendRaw(frame []byte) { s.out <- frame }

// WaitAck waits for the ack of envelope id and returns its payload.
func (s *Server) WaitAck(t testing.TB, id string) json.RawMessage {
	t.Helper()
	var p json.RawMessage
	s.waitFor(t, "envelope "+id+" was never acknowledged", func() bool {
		var ok bool
		p, ok = s.acks[id]
		return ok
	})
	return p
}

// Acked reports whether envelope id has been acknowledged.
func (s *Server) Acked(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.acks[id]
	return ok
}

// Connections is the number of Socket Mode connections so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connect
}
