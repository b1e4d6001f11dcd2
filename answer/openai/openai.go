// Package openai is krog's adapter to OpenAI-compatible chat-completion APIs (OpenAI, Azure
// OpenAI, and local servers such as Ollama, vLLM or LocalAI) through github.com/sashabaranov/go-openai.
// It implements answer.Summarizer and is the only package that imports go-openai: the rest of krog
// knows only that interface.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/krog-advisor/krog/answer"
)

// DefaultModel is the model used when Config.Model is empty.
const DefaultModel = "gpt-4o-mini"

// temperature is near zero for answers that stay close to the sources; 0 itself would be dropped
// from the request (omitempty) and the server's default (often 1) used instead.
const temperature = 0.1

// maxTokens bounds a reply of about six sentences or bullets, with room for Slovene, which takes
// more tokens per word than English.
const maxTokens = 800

// Config says which server and model to use. BaseURL empty means api.openai.com; for Ollama it is
// e.g. "http://localhost:11434/v1" and APIKey may be empty. APIType "azure" (or "azure_ad" for an
// Entra ID token) talks to Azure OpenAI, where BaseURL is the resource endpoint, Model the
// deployment name and APIVersion the API version.
type Config struct {
	APIKey, BaseURL, Model, APIType, APIVersion string
	HTTPClient                                  *http.Client // nil: a default client; deadlines come from the context
}

// Client summarises through a chat-completion API. It is safe for concurrent use.
type Client struct {
	api   *goopenai.Client
	model string
	// noStreamUsage is set once the server has refused stream_options, so later streams do not ask.
	noStreamUsage atomic.Bool
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	var cc goopenai.ClientConfig
	switch strings.ToLower(cfg.APIType) {
	case "azure", "azure_ad":
		cc = goopenai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
		if strings.EqualFold(cfg.APIType, "azure_ad") {
			cc.APIType = goopenai.APITypeAzureAD
		}
		if cfg.APIVersion != "" {
			cc.APIVersion = cfg.APIVersion
		}
		// The model is the deployment's name, used as given.
		cc.AzureModelMapperFunc = func(model string) string { return model }
	default:
		cc = goopenai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			cc.BaseURL = cfg.BaseURL
		}
	}
	if cfg.HTTPClient != nil {
		cc.HTTPClient = cfg.HTTPClient
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	return &Client{api: goopenai.NewClientWithConfig(cc), model: model}
}

// Model is the model the client asks for.
func (c *Client) Model() string { return c.model }

// Summarize sends the prompt and returns the whole reply. When p.OnDelta is set the reply is
// streamed and OnDelta receives each piece of text as it arrives. Errors are
// *answer.SummarizeError, saying why and whether a retry may help.
func (c *Client) Summarize(ctx context.Context, p answer.Prompt) (answer.Summary, error) {
	req := c.request(p)
	if p.OnDelta == nil {
		return c.complete(ctx, req)
	}
	return c.stream(ctx, req, p.OnDelta)
}

func (c *Client) request(p answer.Prompt) goopenai.ChatCompletionRequest {
	req := goopenai.ChatCompletionRequest{
		Model: c.model,
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: p.System},
			{Role: goopenai.ChatMessageRoleUser, Content: p.User},
		},
		Temperature: temperature,
		// max_tokens, deprecated by OpenAI for max_completion_tokens, is kept on purpose: the
		// OpenAI-compatible servers krog also talks to (Ollama, vLLM, LocalAI, older Azure API
		// versions) read max_tokens and ignore the new name.
		MaxTokens: maxTokens, //lint:ignore SA1019 see above
	}
	// Reasoning models (o1, o3, gpt-5, …) take neither a temperature nor max_tokens; go-openai
	// knows which, so ask it rather than keep a list here.
	if goopenai.NewReasoningValidator().Validate(req) != nil {
		req.Temperature = 0
		req.MaxTokens = 0 //lint:ignore SA1019 clearing the field set above
	}
	return req
}

func (c *Client) complete(ctx context.Context, req goopenai.ChatCompletionRequest) (answer.Summary, error) {
	resp, err := c.api.CreateChatCompletion(ctx, req)
	if err != nil {
		return answer.Summary{}, c.fail(ctx, "chat completion", err)
	}
	sum := answer.Summary{Model: c.modelOf(resp.Model), Usage: usage(&resp.Usage)}
	if len(resp.Choices) == 0 {
		return sum, c.empty("chat completion", "")
	}
	ch := resp.Choices[0]
	var th thinkStripper
	sum.Text = strings.TrimSpace(th.feed(ch.Message.Content) + th.flush())
	if sum.Text == "" {
		return sum, c.empty("chat completion", ch.FinishReason)
	}
	return sum, nil
}

func (c *Client) stream(ctx context.Context, req goopenai.ChatCompletionRequest, onDelta func(string)) (answer.Summary, error) {
	if !c.noStreamUsage.Load() {
		req.StreamOptions = &goopenai.StreamOptions{IncludeUsage: true}
	}
	st, err := c.api.CreateChatCompletionStream(ctx, req)
	if err != nil && req.StreamOptions != nil && refusesStreamOptions(err) {
		c.noStreamUsage.Store(true)
		req.StreamOptions = nil
		st, err = c.api.CreateChatCompletionStream(ctx, req)
	}
	if err != nil {
		return answer.Summary{}, c.fail(ctx, "chat completion stream", err)
	}
	defer st.Close()
	sum := answer.Summary{Model: c.model}
	var (
		text   strings.Builder
		th     thinkStripper
		finish goopenai.FinishReason
	)
	emit := func(s string) {
		if s != "" {
			text.WriteString(s)
			onDelta(s)
		}
	}
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			sum.Text = text.String()
			if brokenOff(ctx, err) {
				return sum, c.cut(err)
			}
			return sum, c.fail(ctx, "chat completion stream", err)
		}
		if resp.Model != "" {
			sum.Model = resp.Model
		}
		if resp.Usage != nil {
			sum.Usage = usage(resp.Usage)
		}
		for _, ch := range resp.Choices {
			if ch.Index != 0 {
				continue
			}
			emit(th.feed(ch.Delta.Content))
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	if finish == "" && strings.TrimSpace(text.String()) != "" {
		// go-openai's Recv says io.EOF both after "data: [DONE]" and when the connection simply
		// closes, so the finish_reason is what tells a whole reply from a fragment: OpenAI, Azure
		// OpenAI, Ollama, vLLM and llama.cpp all send one in the last chunk, before any usage chunk
		// and [DONE]. A reply with a finish_reason counts as whole even without [DONE].
		sum.Text = text.String()
		return sum, c.cut(nil)
	}
	emit(th.flush())
	sum.Text = strings.TrimSpace(text.String())
	if sum.Text == "" {
		return sum, c.empty("chat completion stream", finish)
	}
	return sum, nil
}

// errNoFinish is why a stream that closed without a finish_reason is a fragment.
var errNoFinish = errors.New("stream ended without a finish_reason or [DONE]")

// cut is the error for a stream that ended before the model finished: closed or broken off without
// a finish_reason. What arrived is a fragment, not an answer; a new request may well be whole.
func (c *Client) cut(err error) error {
	if err == nil {
		err = errNoFinish
	}
	return &answer.SummarizeError{Reason: "truncated", Retry: true,
		Err: fmt.Errorf("chat completion stream (model %s): %w", c.model, short{err})}
}

// brokenOff reports whether err, met while reading a stream that had begun, means the connection
// broke off mid-reply (rather than that krog gave up, the server timed out or sent garbage).
func brokenOff(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var netErr net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr) && !netErr.Timeout()
}

func (c *Client) modelOf(replied string) string {
	if replied != "" {
		return replied
	}
	return c.model
}

func usage(u *goopenai.Usage) answer.Usage {
	return answer.Usage{Prompt: u.PromptTokens, Completion: u.CompletionTokens, Total: u.TotalTokens}
}

// empty is the error for a reply without text; a content filter will filter a retry too.
func (c *Client) empty(op string, finish goopenai.FinishReason) error {
	if finish == goopenai.FinishReasonContentFilter {
		return &answer.SummarizeError{Reason: "content filtered", Err: fmt.Errorf("%s (model %s): reply withheld by the content filter", op, c.model)}
	}
	return &answer.SummarizeError{Reason: "empty reply", Retry: true, Err: fmt.Errorf("%s (model %s): reply has no text", op, c.model)}
}

// fail wraps err with what was being done and classifies it: HTTP status (from *APIError or
// *RequestError), timeout, connection, or a reply that is not what the API promises.
func (c *Client) fail(ctx context.Context, op string, err error) error {
	e := &answer.SummarizeError{Reason: "llm error", Retry: true, Err: fmt.Errorf("%s (model %s): %w", op, c.model, short{err})}
	var (
		apiErr *goopenai.APIError
		reqErr *goopenai.RequestError
		netErr net.Error
		synErr *json.SyntaxError
		typErr *json.UnmarshalTypeError
	)
	status := 0
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
		if status == 0 {
			// An error event inside a stream.
			e.Reason = "error in reply"
		}
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Reason, e.Retry = "timeout", false
		if ctx.Err() == nil {
			// The HTTP client's own timeout, not krog's: another try may be quicker.
			e.Retry = true
		}
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		e.Reason, e.Retry = "canceled", false
	case status == http.StatusTooManyRequests:
		e.Reason = "rate limited (429)"
	case status == http.StatusRequestTimeout:
		e.Reason = "timeout (408)"
	case status >= 500:
		e.Reason = "server error (" + strconv.Itoa(status) + ")"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Reason, e.Retry = "not authorized ("+strconv.Itoa(status)+")", false
	case status == http.StatusNotFound:
		e.Reason, e.Retry = "model or endpoint not found (404)", false
	case status >= 400:
		e.Reason, e.Retry = "request refused ("+strconv.Itoa(status)+")", false
	case status > 0:
		e.Reason = "unexpected status (" + strconv.Itoa(status) + ")"
	case errors.As(err, &synErr), errors.As(err, &typErr), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, goopenai.ErrTooManyEmptyStreamMessages):
		e.Reason = "malformed reply"
	case errors.As(err, &netErr) && netErr.Timeout():
		e.Reason = "timeout"
	case errors.As(err, &netErr):
		e.Reason = "connection failed"
	}
	return e
}

// short keeps an error's message to a log line: a proxy's error page can be kilobytes of HTML.
type short struct{ err error }

func (s short) Error() string {
	const max = 300
	if m := s.err.Error(); len(m) > max {
		return strings.ToValidUTF8(m[:max], "") + "…"
	}
	return s.err.Error()
}

func (s short) Unwrap() error { return s.err }

// refusesStreamOptions reports whether a server turned a stream down because it does not know
// stream_options (some older OpenAI-compatible servers).
func refusesStreamOptions(err error) bool {
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatusCode == http.StatusBadRequest && strings.Contains(apiErr.Message, "stream_options")
	case errors.As(err, &reqErr):
		return reqErr.HTTPStatusCode == http.StatusBadRequest && strings.Contains(string(reqErr.Body), "stream_options")
	}
	return false
}

// thinkStripper drops a leading <think>…</think> block, which reasoning models served by Ollama
// or vLLM (DeepSeek-R1, Qwen3) put before their answer, from a reply fed to it in pieces.
type thinkStripper struct {
	buf   strings.Builder
	state int // 0: not yet known, 1: inside the block, 2: passing text through
}

const thinkOpen, thinkClose = "<think>", "</think>"

// feed takes the next piece of the reply and returns the text to show now.
func (t *thinkStripper) feed(s string) string {
	if t.state == 2 {
		return s
	}
	t.buf.WriteString(s)
	b := t.buf.String()
	if t.state == 0 {
		lead := strings.TrimLeft(b, " \t\r\n")
		switch {
		case strings.HasPrefix(lead, thinkOpen):
			t.state = 1
		case strings.HasPrefix(thinkOpen, lead):
			return "" // perhaps the start of "<think>"
		default:
			t.state = 2
			t.buf.Reset()
			return b
		}
	}
	if i := strings.Index(b, thinkClose); i >= 0 {
		t.state = 2
		t.buf.Reset()
		return strings.TrimLeft(b[i+len(thinkClose):], " \t\r\n")
	}
	return ""
}

// flush returns what feed held back at the end of the reply: text that looked like the start of a
// think block but was not. An unclosed block is dropped.
func (t *thinkStripper) flush() string {
	if t.state != 0 {
		return ""
	}
	t.state = 2
	b := t.buf.String()
	t.buf.Reset()
	return b
}
