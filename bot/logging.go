package bot

import (
	"context"
	"log/slog"
	"regexp"
)

// urlPath matches the path and query of a URL: a response_url or a webhook is a bearer credential
// for as long as it lives, and errors from the HTTP client quote it whole.
var urlPath = regexp.MustCompile(`(https?://[^/\s"']+)/[^\s"']*`)

// redact keeps the scheme and host of every URL in s and drops the rest.
func redact(s string) string { return urlPath.ReplaceAllString(s, "$1/…") }

// redactingHandler strips URLs from the errors and strings the bot logs.
type redactingHandler struct{ slog.Handler }

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	for i := range as {
		as[i] = redactAttr(as[i])
	}
	return redactingHandler{h.Handler.WithAttrs(as)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h.Handler.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	switch v := a.Value.Any().(type) {
	case error:
		return slog.String(a.Key, redact(v.Error()))
	case string:
		return slog.String(a.Key, redact(v))
	}
	return a
}
