package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/answer/openai/openaitest"
)

const byProduct = "When is a production residue a by-product?"

// llmReply is the part of `krog ask --json` the LLM step adds.
type llmReply struct {
	Found    bool   `json:"found"`
	Mode     string `json:"mode"`
	Model    string `json:"model"`
	Fallback string `json:"fallback"`
	Answer   string `json:"answer"`
	Usage    *struct {
		Prompt     int `json:"prompt_tokens"`
		Completion int `json:"completion_tokens"`
		Total      int `json:"total_tokens"`
	} `json:"usage"`
	Sources []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"sources"`
}

// llmEnv is an environment that points krog at the fake, with extra variables.
func llmEnv(fake *openaitest.Server, kv ...string) map[string]string {
	env := map[string]string{"KROG_KNOWLEDGE": testKnowledge, "OPENAI_BASE_URL": fake.BaseURL()}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

func askJSON(t *testing.T, env map[string]string, args ...string) (llmReply, string) {
	t.Helper()
	out, errOut, code := krog(t, env, append([]string{"ask", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errOut)
	}
	var rep llmReply
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return rep, errOut
}

func TestAskJSONWithLLM(t *testing.T) {
	fake := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: "It is a by-product when four conditions are met [1].", Model: "gpt-4o-mini-2024-07-18"}))
	rep, errOut := askJSON(t, llmEnv(fake, "OPENAI_API_KEY", "sk-test", "OPENAI_MODEL", "gpt-4o-mini"), byProduct)
	if rep.Mode != "llm" || rep.Model != "gpt-4o-mini-2024-07-18" || rep.Fallback != "" {
		t.Errorf("mode %q, model %q, fallback %q", rep.Mode, rep.Model, rep.Fallback)
	}
	if rep.Answer != "It is a by-product when four conditions are met [1]." || len(rep.Sources) != 1 || rep.Sources[0].ID != "by-product" {
		t.Errorf("answer %q, sources %+v", rep.Answer, rep.Sources)
	}
	if rep.Usage == nil || rep.Usage.Total == 0 {
		t.Errorf("usage = %+v", rep.Usage)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 || reqs[0].Model != "gpt-4o-mini" || reqs[0].Header.Get("Authorization") != "Bearer sk-test" {
		t.Fatalf("requests: %+v", reqs)
	}
	if !strings.Contains(reqs[0].User, byProduct) || !strings.Contains(reqs[0].System, "Answer in English") {
		t.Errorf("prompt:\n%s\n%s", reqs[0].System, reqs[0].User)
	}
	if errOut != "" {
		t.Errorf("stderr should stay clean at the default log level: %s", errOut)
	}
}

func TestAskDefaultModelAndNoKey(t *testing.T) {
	fake := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: "Answer [1]."}))
	askJSON(t, llmEnv(fake), byProduct)
	r := fake.Requests()[0]
	if r.Model != "gpt-4o-mini" || r.Header.Get("Authorization") != "" {
		t.Errorf("model %q, Authorization %q", r.Model, r.Header.Get("Authorization"))
	}
}

func TestAskJSONFallbacks(t *testing.T) {
	tests := []struct {
		name     string
		reply    openaitest.Reply
		env      []string
		fallback string
	}{
		{"uncited reply", openaitest.Reply{Text: "It is a by-product when the conditions are met."}, nil, "no valid citation"},
		{"server error", openaitest.Reply{Status: 500}, nil, "server error (500)"},
		{"hanging server", openaitest.Reply{Hang: true}, []string{"KROG_LLM_TIMEOUT", "300ms"}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := openaitest.New(t, openaitest.Always(tt.reply))
			start := time.Now()
			rep, errOut := askJSON(t, llmEnv(fake, tt.env...), byProduct)
			if took := time.Since(start); tt.reply.Hang && took > 300*time.Millisecond+time.Second {
				t.Errorf("answered after %v, want within KROG_LLM_TIMEOUT plus a second", took)
			}
			if rep.Mode != "extractive" || rep.Fallback != tt.fallback || !rep.Found || rep.Answer == "" {
				t.Errorf("mode %q, fallback %q, answer %q", rep.Mode, rep.Fallback, rep.Answer)
			}
			// The log says why, on stderr, as JSON.
			if !strings.Contains(errOut, `"level":"WARN"`) || !strings.Contains(errOut, tt.fallback) {
				t.Errorf("stderr lacks a warning with %q: %s", tt.fallback, errOut)
			}
		})
	}
}

func TestAskWithoutLLM(t *testing.T) {
	fake := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: "Answer [1]."}))
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"KROG_LLM=off", llmEnv(fake, "KROG_LLM", "off"), []string{byProduct}},
		{"--no-llm", llmEnv(fake), []string{"--no-llm", byProduct}},
		{"off-topic question", llmEnv(fake), []string{"Who won the football world cup in 2018?"}},
		{"no LLM configured", map[string]string{"KROG_KNOWLEDGE": testKnowledge}, []string{byProduct}},
	} {
		rep, _ := askJSON(t, tt.env, tt.args...)
		if rep.Mode != "extractive" || rep.Fallback != "" || rep.Usage != nil {
			t.Errorf("%s: mode %q, fallback %q", tt.name, rep.Mode, rep.Fallback)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestAskStream(t *testing.T) {
	text := "A production residue is a by-product, not waste, when four conditions are all met [1]. Otherwise it is waste [7]."
	fake := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: text}))
	out, errOut, code := krog(t, llmEnv(fake), "ask", "--stream", byProduct)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "A production residue is a by-product, not waste, when four conditions are all met [1]. Otherwise it is waste.\n\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("stdout does not start with the streamed answer:\n%s", out)
	}
	if strings.Count(out, "four conditions are all met") != 1 || !strings.Contains(out, "Sources:\n  [1] ") {
		t.Errorf("answer printed twice or sources missing:\n%s", out)
	}
	if r := fake.Requests(); len(r) != 1 || !r[0].Stream {
		t.Errorf("requests: %+v", r)
	}
}

// A stream that breaks off mid-answer is not passed off as the answer: krog says it was cut off and
// gives the extractive answer, also when the break came before any of the text could be shown.
func TestAskStreamCutOff(t *testing.T) {
	text := "A production residue is a by-product [1] when four conditions are all met, and otherwise waste [1]."
	chunks := openaitest.Pieces(text, 3)
	notice := "(" + answer.T("en", "stream_broken") + ")\n\n"
	tests := []struct {
		name   string
		reply  openaitest.Reply
		prefix string // what stdout starts with
	}{
		{"after a citation", openaitest.Reply{Text: text, Chunks: chunks, CutAfter: 3}, "A production residue is a by-product [1] when four\n\n" + notice},
		{"connection dropped", openaitest.Reply{Text: text, Chunks: chunks, CutAfter: 3, Abort: true}, "A production residue is a by-product [1] when four\n\n" + notice},
		{"before anything was shown", openaitest.Reply{Text: text, Chunks: chunks, CutAfter: 1}, notice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := openaitest.New(t, openaitest.Always(tt.reply))
			out, errOut, code := krog(t, llmEnv(fake), "ask", "--stream", byProduct)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.HasPrefix(out, tt.prefix) {
				t.Errorf("stdout does not start with %q:\n%s", tt.prefix, out)
			}
			if strings.Count(out, "when four conditions are all met") != 0 || !strings.Contains(out, "Sources:\n  [1] ") {
				t.Errorf("not the extractive answer after the notice:\n%s", out)
			}
			if !strings.Contains(errOut, `"reason":"truncated"`) {
				t.Errorf("stderr lacks the reason: %s", errOut)
			}
		})
	}
}

// In the terminal too, only links to the sources shown survive in the model's answer, streamed or
// not.
func TestAskModelLinksOnlyToSources(t *testing.T) {
	const src = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32008L0098" // by-product's source
	text := "Log in with [Slack SSO](https://evil.example/phish) or <https://evil.example/x|here> at https://evil.example/y. " +
		"A residue is a by-product when four conditions are met [1], see [Article 5](" + src + ")."
	want := "Log in with Slack SSO or here at evil[.]example. A residue is a by-product when four conditions are met [1], see [Article 5](" + src + ")."
	fake := openaitest.New(t, openaitest.Always(openaitest.Reply{Text: text}))
	for _, args := range [][]string{{"ask", byProduct}, {"ask", "--stream", byProduct}} {
		out, errOut, code := krog(t, llmEnv(fake), args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) || strings.Contains(out, "evil.example") {
			t.Errorf("%v: stdout lacks %q or shows the phishing URL:\n%s", args, want, out)
		}
	}
	rep, _ := askJSON(t, llmEnv(fake), byProduct)
	if rep.Answer != want {
		t.Errorf("JSON answer %q, want %q", rep.Answer, want)
	}
}

func TestLLMEnvironmentMistakes(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"OPENAI_API_KEY": "k", "KROG_LLM_TIMEOUT": "soon"}, "KROG_LLM_TIMEOUT"},
		{map[string]string{"OPENAI_API_KEY": "k", "KROG_LLM_TIMEOUT": "-5s"}, "KROG_LLM_TIMEOUT"},
		{map[string]string{"KROG_LLM_REDACT": "maybe"}, "KROG_LLM_REDACT"},
		{map[string]string{"KROG_LLM": "sometimes"}, "KROG_LLM"},
		{map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, "OPENAI_BASE_URL"},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_API_TYPE": "azure"}, "needs OPENAI_BASE_URL"},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_API_TYPE": "bedrock"}, "OPENAI_API_TYPE"},
	}
	for _, tt := range tests {
		tt.env["KROG_KNOWLEDGE"] = testKnowledge
		out, errOut, code := krog(t, tt.env, "ask", byProduct)
		if code != 2 || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q", tt.env, code, errOut)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("a usage error should be a line and a hint, got:\n%s", errOut)
		}
	}
}

// TestLLMConfig checks what the environment turns on. (Redaction itself is tested through the
// service in answer/openai: a question carrying an e-mail address or a phone number is rarely
// found by retrieval, so `krog ask` cannot show it here.)
func TestLLMConfig(t *testing.T) {
	cfg := func(vars map[string]string, noLLM bool) (bool, time.Duration, bool) {
		t.Helper()
		e := &env{getenv: func(k string) string { return vars[k] }, stderr: &strings.Builder{}}
		c, err := llmConfig(e, noLLM)
		if err != nil {
			t.Fatalf("%v: %v", vars, err)
		}
		return c.Summarizer != nil, c.Timeout, c.Redact
	}
	tests := []struct {
		env     map[string]string
		noLLM   bool
		on      bool
		timeout time.Duration
		redact  bool
	}{
		{map[string]string{}, false, false, 20 * time.Second, true},
		{map[string]string{"OPENAI_API_KEY": "k"}, false, true, 20 * time.Second, true},
		{map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1"}, false, true, 20 * time.Second, true},
		{map[string]string{"OPENAI_API_KEY": "k"}, true, false, 20 * time.Second, true},
		{map[string]string{"OPENAI_API_KEY": "k", "KROG_LLM": "OFF"}, false, false, 20 * time.Second, true},
		{map[string]string{"OPENAI_API_KEY": "k", "KROG_LLM_TIMEOUT": "1m30s", "KROG_LLM_REDACT": "0"}, false, true, 90 * time.Second, false},
		{map[string]string{"OPENAI_API_KEY": "k", "KROG_LLM_TIMEOUT": "8"}, false, true, 8 * time.Second, true},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_API_TYPE": "azure", "OPENAI_BASE_URL": "https://x.openai.azure.com"}, false, true, 20 * time.Second, true},
	}
	for _, tt := range tests {
		on, timeout, redact := cfg(tt.env, tt.noLLM)
		if on != tt.on || timeout != tt.timeout || redact != tt.redact {
			t.Errorf("%v no-llm %v: on %v timeout %v redact %v; want %v %v %v", tt.env, tt.noLLM, on, timeout, redact, tt.on, tt.timeout, tt.redact)
		}
	}
}
