// Package metrics is krog's Prometheus instrumentation, and the only package that knows
// github.com/prometheus/client_golang: the registry with krog's metrics and Go's runtime metrics,
// the /metrics handler, and an http.RoundTripper that counts Slack Web API calls. Names and labels
// follow Prometheus conventions: krog_ prefix, _total counters, _seconds histograms, and labels of
// bounded cardinality only (never a user, channel or workspace id).
package metrics

import (
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds krog's metrics in their own registry.
type Metrics struct {
	reg       *prometheus.Registry
	questions *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	fallbacks *prometheus.CounterVec
	tokens    *prometheus.CounterVec
	llmCalls  *prometheus.CounterVec
	slack     *prometheus.CounterVec
	slackErrs *prometheus.CounterVec
	slack429  *prometheus.CounterVec
	events    *prometheus.CounterVec
	checks    *prometheus.CounterVec
	docs      prometheus.Gauge
	passages  prometheus.Gauge
	build     prometheus.Gauge
	loaded    prometheus.Gauge
	info      *prometheus.GaugeVec
	reloads   *prometheus.CounterVec
}

// New registers krog's metrics and Go's runtime and process metrics.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		m.reg.MustRegister(g)
		return g
	}
	m.questions = counter("krog_questions_total", "Questions answered, by language, confidence (high, low, none), mode (extractive, llm) and surface (command, mention, dm, share, more, related, cli).", "lang", "confidence", "mode", "surface")
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "krog_answer_duration_seconds", Help: "Time to compose an answer (retrieval, and the model when used), by mode.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20},
	}, []string{"mode"})
	m.reg.MustRegister(m.latency)
	m.llmCalls = counter("krog_llm_answers_total", "Answers for which a model was asked, by outcome (used, fallback).", "outcome")
	m.fallbacks = counter("krog_llm_fallbacks_total", "Model answers replaced by the extractive one, by reason.", "reason")
	m.tokens = counter("krog_llm_tokens_total", "Tokens the model used, by kind (prompt, completion).", "kind")
	m.slack = counter("krog_slack_api_calls_total", "Slack Web API and response_url calls, by method.", "method")
	m.slackErrs = counter("krog_slack_api_errors_total", "Slack calls that failed (transport error or HTTP status ≥ 400), by method.", "method")
	m.slack429 = counter("krog_slack_api_rate_limited_total", "Slack calls answered 429 (retried after Retry-After), by method.", "method")
	m.events = counter("krog_bot_events_total", "Bot happenings, by kind (deduplicated, rate_limited, busy, vote, comment, replay, store_dropped, installed, uninstalled, not_installed).", "kind")
	m.checks = counter("krog_checks_total", "Completed decision-guide checks, by guide and outcome.", "guide", "outcome")
	m.docs = gauge("krog_index_documents", "Documents (both languages) in the index answering now.")
	m.passages = gauge("krog_index_passages", "Passages in the index answering now.")
	m.build = gauge("krog_index_build_seconds", "Time the index answering now took to build.")
	m.loaded = gauge("krog_knowledge_loaded_timestamp_seconds", "When the knowledge answering now was loaded (Unix time).")
	m.info = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "krog_knowledge_info", Help: "The knowledge answering now: 1 for its version (a hash of the corpus)."}, []string{"version"})
	m.reg.MustRegister(m.info)
	m.reloads = counter("krog_knowledge_reloads_total", "Knowledge reloads, by result (ok, lint_failed, build_failed).", "result")
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Answer counts one answer.
func (m *Metrics) Answer(surface, lang, confidence, mode, fallback string, took time.Duration, promptTok, complTok int, asked bool) {
	m.questions.WithLabelValues(bounded(lang, "sl", "en"), bounded(confidence, "high", "low", "none"), bounded(mode, "extractive", "llm"), bounded(surface, "command", "mention", "dm", "share", "more", "related", "thread", "assistant", "cli")).Inc()
	m.latency.WithLabelValues(bounded(mode, "extractive", "llm")).Observe(took.Seconds())
	if asked {
		if fallback != "" {
			m.llmCalls.WithLabelValues("fallback").Inc()
			m.fallbacks.WithLabelValues(bounded(fallback, "timeout", "error", "no valid citation", "truncated", "empty", "refused", "not delivered")).Inc()
		} else {
			m.llmCalls.WithLabelValues("used").Inc()
		}
	}
	if promptTok > 0 || complTok > 0 {
		m.tokens.WithLabelValues("prompt").Add(float64(promptTok))
		m.tokens.WithLabelValues("completion").Add(float64(complTok))
	}
}

// Event counts one bot happening.
func (m *Metrics) Event(kind string) {
	m.events.WithLabelValues(bounded(kind, "deduplicated", "rate_limited", "busy", "vote", "comment", "replay", "store_dropped", "installed", "uninstalled", "not_installed")).Inc()
}

// Check counts one completed guide check; guide and outcome ids come from the curated guides.
func (m *Metrics) Check(guide, outcome string) { m.checks.WithLabelValues(guide, outcome).Inc() }

// Knowledge sets what the index answering now holds.
func (m *Metrics) Knowledge(version string, docs, passages int, build time.Duration, at time.Time) {
	m.docs.Set(float64(docs))
	m.passages.Set(float64(passages))
	m.build.Set(build.Seconds())
	m.loaded.Set(float64(at.Unix()))
	m.info.Reset()
	m.info.WithLabelValues(version).Set(1)
}

// Reload counts a knowledge reload by its result.
func (m *Metrics) Reload(result string) {
	m.reloads.WithLabelValues(bounded(result, "ok", "lint_failed", "build_failed")).Inc()
}

// bounded keeps a label value within a known set ("other" otherwise), so that no input can grow
// the number of series.
func bounded(v string, known ...string) string {
	for _, k := range known {
		if v == k {
			return v
		}
	}
	return "other"
}

// slackMethods are the Web API methods krog calls; anything else is counted as "other".
var slackMethods = []string{"auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "views.open",
	"views.update", "views.publish", "conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal",
	"assistant.threads.setStatus", "assistant.threads.setSuggestedPrompts", "apps.connections.open", "response_url", "upload"}

// Transport counts the Slack calls made through base (http.DefaultTransport when nil): by method,
// failures, and 429s.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		method := slackMethod(r.URL.Path)
		m.slack.WithLabelValues(method).Inc()
		resp, err := base.RoundTrip(r)
		switch {
		case err != nil:
			m.slackErrs.WithLabelValues(method).Inc()
		case resp.StatusCode == http.StatusTooManyRequests:
			m.slack429.WithLabelValues(method).Inc()
			m.slackErrs.WithLabelValues(method).Inc()
		case resp.StatusCode >= 400:
			m.slackErrs.WithLabelValues(method).Inc()
		}
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// slackMethod names a Slack URL path by its Web API method; response_url and upload paths are
// named by their kind.
func slackMethod(path string) string {
	switch {
	case strings.Contains(path, "/api/"):
		return bounded(path[strings.LastIndex(path, "/api/")+5:], slackMethods...)
	case strings.Contains(path, "/commands/") || strings.Contains(path, "/actions/") || strings.HasPrefix(path, "/response/"):
		return "response_url"
	case strings.Contains(path, "upload"):
		return "upload"
	}
	return "other"
}
