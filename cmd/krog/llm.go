package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/answer/openai"
)

// defaultLLMTimeout bounds the whole LLM step, retry included; the extractive answer follows at
// the latest a second later.
const defaultLLMTimeout = 20 * time.Second

// llmConfig builds the answer configuration from the environment. An LLM summarises answers when
// OPENAI_API_KEY or OPENAI_BASE_URL is set, unless KROG_LLM=off or noLLM (--no-llm):
//
//	OPENAI_API_KEY      key (not needed by a local server such as Ollama)
//	OPENAI_BASE_URL     OpenAI-compatible endpoint, e.g. http://localhost:11434/v1; for Azure the resource endpoint
//	OPENAI_MODEL        model, or Azure deployment (default gpt-4o-mini)
//	OPENAI_API_TYPE     openai (default), azure or azure_ad
//	OPENAI_API_VERSION  Azure API version
//	KROG_LLM            off: answer extractively
//	KROG_LLM_TIMEOUT    time for the LLM step, retry included (default 20s)
//	KROG_LLM_REDACT     mask e-mail addresses, phone numbers, IBANs and tax numbers first (default true)
//	KROG_LOG_LEVEL      debug, info, warn or error (default warn on the command line)
//
// Mistakes in these variables are usage errors that name the variable.
func llmConfig(e *env, noLLM bool) (answer.Config, error) {
	level := e.getenv("KROG_LOG_LEVEL")
	if level == "" {
		level = "warn" // the terminal shows the answer; fallbacks still warn
	}
	cfg := answer.Config{Logger: newLogger(e.stderr, level), Timeout: defaultLLMTimeout, Redact: true}
	if v := e.getenv("KROG_LLM_TIMEOUT"); v != "" {
		d, err := parseTimeout(v)
		if err != nil {
			return cfg, &usageError{msg: fmt.Sprintf("KROG_LLM_TIMEOUT=%q: %v", v, err), hint: "Use a duration such as 20s, 1m or 1500ms."}
		}
		cfg.Timeout = d
	}
	if v := e.getenv("KROG_LLM_REDACT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, &usageError{msg: fmt.Sprintf("KROG_LLM_REDACT=%q: use true or false", v)}
		}
		cfg.Redact = b
	}
	on := true
	switch v := strings.ToLower(strings.TrimSpace(e.getenv("KROG_LLM"))); v {
	case "", "on", "auto", "true", "1":
	case "off", "false", "0", "no", "none":
		on = false
	default:
		return cfg, &usageError{msg: fmt.Sprintf("KROG_LLM=%q: use off to answer without an LLM, or leave it unset", v)}
	}
	key, base := strings.TrimSpace(e.getenv("OPENAI_API_KEY")), strings.TrimSpace(e.getenv("OPENAI_BASE_URL"))
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, &usageError{msg: fmt.Sprintf("OPENAI_BASE_URL=%q is not an http(s) URL", base), hint: "Example: OPENAI_BASE_URL=http://localhost:11434/v1 for Ollama."}
		}
	}
	apiType := strings.ToLower(strings.TrimSpace(e.getenv("OPENAI_API_TYPE")))
	switch apiType {
	case "", "openai", "open_ai":
		apiType = ""
	case "azure", "azure_ad":
		if base == "" && key != "" && on && !noLLM {
			return cfg, &usageError{msg: "OPENAI_API_TYPE=" + apiType + " needs OPENAI_BASE_URL", hint: "Example: OPENAI_BASE_URL=https://NAME.openai.azure.com"}
		}
	default:
		return cfg, &usageError{msg: fmt.Sprintf("OPENAI_API_TYPE=%q: use openai, azure or azure_ad", apiType)}
	}
	if !on || noLLM || key == "" && base == "" {
		return cfg, nil
	}
	model := strings.TrimSpace(e.getenv("OPENAI_MODEL"))
	if model == "" {
		model = openai.DefaultModel
	}
	cfg.Summarizer = openai.New(openai.Config{
		APIKey: key, BaseURL: base, Model: model, APIType: apiType,
		APIVersion: strings.TrimSpace(e.getenv("OPENAI_API_VERSION")),
	})
	cfg.Logger.Debug("llm summaries on", "base_url", base, "model", model, "api_type", apiType, "timeout", cfg.Timeout, "redact", cfg.Redact)
	return cfg, nil
}

// parseTimeout reads a positive duration; a bare number is seconds.
func parseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		s, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, fmt.Errorf("not a duration")
		}
		d = time.Duration(s * float64(time.Second))
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be more than zero")
	}
	return d, nil
}
