// Package openaitest is a fake OpenAI-compatible chat-completions server on httptest, for tests of
// anything that talks to an LLM through answer/openai. It speaks the wire format itself (JSON, and
// server-sent events when the request streams), records every request, and answers each with a
// scripted Reply: text, an HTTP error, garbage, silence, a stream cut short.
package openaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Reply is what the fake answers one request with. The zero value is an empty answer.
type Reply struct {
	Text   string   // the assistant's answer
	Chunks []string // when streaming: the pieces to send (default: Text in pieces of a few words)
	Model  string   // the model named in the reply (default: the requested one)

	Status int    // an HTTP error status (with an OpenAI-style JSON error body unless Body is set)
	Body   string // a raw body sent instead of a well-formed reply (with Status, or 200)

	Hang      bool // answer nothing until the client gives up
	HangAfter int  // when streaming: hang after this many chunks (0: don't)
	NoUsage   bool // leave out the token counts

	// CutAfter, when streaming, ends the stream after this many chunks with neither a
	// finish_reason nor "data: [DONE]", as a server or proxy that gives up mid-reply does (0: don't).
	CutAfter int
	// Abort, with CutAfter, drops the connection mid-response instead of ending it cleanly.
	Abort bool
	// NoDone, when streaming, ends the stream after the finish_reason (and usage) without
	// "data: [DONE]".
	NoDone bool
}

// Request is one chat-completion request as the fake received it.
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Model                  string
	Stream                 bool
	IncludeUsage           bool     // stream_options.include_usage
	Temperature            *float64 // nil when the client left it out
	System, User           string   // the system and the last user message
	Messages               []Message
	Body                   []byte
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Server is the fake. Its URL with "/v1" is the base URL to give a client.
type Server struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []Request
	reply func(n int, r Request) Reply
	done  chan struct{}
}

// New starts a fake that answers the n-th request (from 1) with reply(n, r); it stops when the
// test ends.
func New(t testing.TB, reply func(n int, r Request) Reply) *Server {
	t.Helper()
	s := &Server{reply: reply, done: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.done)
		s.Close()
	})
	return s
}

// Always is a reply function that gives every request the same reply.
func Always(r Reply) func(int, Request) Reply { return func(int, Request) Reply { return r } }

// Sequence is a reply function that gives request n the n-th reply, and the last one after that.
func Sequence(rs ...Reply) func(int, Request) Reply {
	return func(n int, _ Request) Reply { return rs[min(n, len(rs))-1] }
}

// BaseURL is the base URL a client needs ("http://127.0.0.1:port/v1").
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

type wireRequest struct {
	Model         string    `json:"model"`
	Messages      []Message `json:"messages"`
	Stream        bool      `json:"stream"`
	Temperature   *float64  `json:"temperature"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasSuffix(r.URL.Path, "/chat/completions") || r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
		return
	}
	var wr wireRequest
	if err := json.Unmarshal(body, &wr); err != nil {
		writeError(w, http.StatusBadRequest, "request is not JSON: "+err.Error())
		return
	}
	req := Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(),
		Model: wr.Model, Stream: wr.Stream, Temperature: wr.Temperature, Messages: wr.Messages, Body: body,
		IncludeUsage: wr.StreamOptions != nil && wr.StreamOptions.IncludeUsage,
	}
	for _, m := range wr.Messages {
		switch m.Role {
		case "system":
			req.System = m.Content
		case "user":
			req.User = m.Content
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	n := len(s.reqs)
	s.mu.Unlock()

	rep := s.reply(n, req)
	if rep.Model == "" {
		rep.Model = req.Model
	}
	switch {
	case rep.Hang:
		s.hang(r)
	case rep.Status != 0 && rep.Status != http.StatusOK:
		if rep.Body != "" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(rep.Status)
			io.WriteString(w, rep.Body)
			return
		}
		writeError(w, rep.Status, http.StatusText(rep.Status))
	case rep.Body != "":
		if req.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		io.WriteString(w, rep.Body)
	case req.Stream:
		s.stream(w, r, req, rep)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000, "model": rep.Model,
			"choices": []any{map[string]any{
				"index": 0, "message": map[string]any{"role": "assistant", "content": rep.Text}, "finish_reason": "stop",
			}},
			"usage": usage(req, rep),
		})
	}
}

// hang waits until the client goes away or the test ends.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, req Request, rep Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	f, _ := w.(http.Flusher)
	event := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if f != nil {
			f.Flush()
		}
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": rep.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		}
	}
	pieces := rep.Chunks
	if pieces == nil {
		pieces = Pieces(rep.Text, 3)
	}
	event(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for i, p := range pieces {
		if rep.HangAfter > 0 && i == rep.HangAfter {
			s.hang(r)
			return
		}
		if rep.CutAfter > 0 && i == rep.CutAfter {
			cut(rep.Abort)
			return
		}
		event(chunk(map[string]any{"content": p}, nil))
	}
	event(chunk(map[string]any{}, "stop"))
	if req.IncludeUsage && !rep.NoUsage {
		event(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": rep.Model,
			"choices": []any{}, "usage": usage(req, rep),
		})
	}
	if !rep.NoDone {
		io.WriteString(w, "data: [DONE]\n\n")
	}
}

// cut ends a stream early: cleanly (the handler returns and the response ends as if complete) or,
// with abort, by dropping the connection without ending the chunked body.
func cut(abort bool) {
	if abort {
		panic(http.ErrAbortHandler)
	}
}

// Pieces cuts text into pieces of about n words, keeping every character, as a streaming server
// sends it.
func Pieces(text string, n int) []string {
	var out []string
	words := 0
	start := 0
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' && text[i-1] != ' ' {
			words++
			if words == n {
				out = append(out, text[start:i])
				start, words = i, 0
			}
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// usage counts words as tokens: enough for tests to see that counts arrive.
func usage(req Request, rep Reply) any {
	if rep.NoUsage {
		return nil
	}
	p := 0
	for _, m := range req.Messages {
		p += len(strings.Fields(m.Content))
	}
	c := len(strings.Fields(rep.Text))
	return map[string]int{"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": "fake_error", "code": nil},
	})
}
