package bot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// MaxBody is the largest request body HTTP mode reads.
const MaxBody = 1 << 20

// maxSkew is how far a request's timestamp may be from now (Slack: 5 minutes).
const maxSkew = 5 * time.Minute

// MaxBodyReads is how many request bodies HTTP mode reads at once; a request beyond it gets 503
// (Slack retries) before its body is read, so that memory stays bounded whatever clients send.
const MaxBodyReads = 64

// Handler serves HTTP mode: POST /slack/commands, /slack/events and /slack/interactive (signed
// with the signing secret), GET /healthz, and with OAuth the install flow (GET /slack/install and
// /slack/oauth_redirect). Without a signing secret the three POST endpoints are not served.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	if b.secret != "" {
		mux.Handle("POST /slack/commands", b.signed(b.httpCommand))
		mux.Handle("POST /slack/events", b.signed(b.httpEvent))
		mux.Handle("POST /slack/interactive", b.signed(b.httpInteractive))
	}
	if b.oauth != nil {
		b.installHandlers(mux)
	}
	return mux
}

// errSignature is a request that is not Slack's.
var errSignature = errors.New("bad signature")

// checkHeaders is what can be checked before the body is read: a signature, and a timestamp
// within five minutes of now.
func checkHeaders(h http.Header, now time.Time) error {
	tsHeader, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if tsHeader == "" || sig == "" {
		return fmt.Errorf("%w: missing timestamp or signature", errSignature)
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", errSignature, tsHeader)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxSkew || d < -maxSkew {
		return fmt.Errorf("%w: timestamp %s off", errSignature, d.Round(time.Second))
	}
	return nil
}

// verify checks Slack's request signature: v0=HMAC-SHA256(secret, "v0:" + timestamp + ":" + body),
// and a timestamp within five minutes of now.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return fmt.Errorf("%w: no signing secret", errSignature)
	}
	if err := checkHeaders(h, now); err != nil {
		return err
	}
	tsHeader, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", tsHeader)
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return fmt.Errorf("%w: mismatch", errSignature)
	}
	return nil
}

// signed checks a request's headers, reads its body (at most MaxBody, at most MaxBodyReads at
// once), checks its signature, drops a replay of a request already taken, and passes it on; a
// panic in next is recovered.
func (b *Bot) signed(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkHeaders(r.Header, b.now()); err != nil {
			b.log.Warn("request refused", "path", r.URL.Path, "err", err, "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if r.ContentLength > MaxBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		select {
		case b.bodies <- struct{}{}:
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		<-b.bodies
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return
		}
		if err := verify(b.secret, r.Header, body, b.now()); err != nil {
			b.log.Warn("request refused", "path", r.URL.Path, "err", err, "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// A signed request replayed within the timestamp window is taken once. (Slack's own event
		// retries carry the same event_id and are deduplicated by it.)
		if !b.replays.add(r.Header.Get("X-Slack-Signature"), struct{}{}) {
			b.log.Warn("replayed request ignored", "path", r.URL.Path, "remote", r.RemoteAddr)
			b.obs.Event("replay")
			w.WriteHeader(http.StatusOK)
			return
		}
		err = b.protect(r.URL.Path, func() error {
			next(w, r, body)
			return nil
		})
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}

func parseForm(body []byte) (url.Values, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("parse form: %w", err)
	}
	return v, nil
}

func (b *Bot) httpCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "/", bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var cmd slack.SlashCommand
	if err == nil {
		cmd, err = slack.SlashCommandParse(req)
	}
	if err == nil && req.PostForm.Get("ssl_check") == "1" {
		w.WriteHeader(http.StatusOK) // Slack checking the certificate
		return
	}
	if err != nil || cmd.Command == "" || cmd.UserID == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	b.onCommand(cmd)
	w.WriteHeader(http.StatusOK)
}

func (b *Bot) httpEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &outer); err != nil || outer.Type == "" {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if outer.Type == slackevents.URLVerification {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, outer.Challenge)
		return
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		// Well-formed but of a kind slack-go does not know: acknowledge, or Slack retries it.
		b.log.Debug("event not understood", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		b.log.Debug("event retry", "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	b.onEvent(ev)
	w.WriteHeader(http.StatusOK)
}

func (b *Bot) httpInteractive(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := parseForm(body)
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil || cb.Type == "" {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	b.onInteraction(cb)
	w.WriteHeader(http.StatusOK)
}
