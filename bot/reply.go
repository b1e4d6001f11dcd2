package bot

import (
	"context"
	"github.com/krog-advisor/krog/lang"
	"strings"
	"sync"
	"time"
)

// responseURLUses is how many times Slack lets an app post to one response_url.
const responseURLUses = 5

// replier delivers the reply to one request: perhaps a placeholder first (while a model writes),
// edited as text streams in, and then the final message in the placeholder's place. It makes sure
// the user gets exactly one final message, whatever fails.
type replier struct {
	b  *Bot
	t  target
	mu sync.Mutex
	l  lang.Lang
	ts string // the placeholder's timestamp (chat targets)

	placed bool      // a placeholder is showing
	done   bool      // the final message went out
	last   time.Time // when the placeholder was last posted or edited
	uses   int       // posts made through the response_url
}

func (b *Bot) replier(t target, l lang.Lang) *replier { return &replier{b: b, t: t, l: l} }

func (r *replier) lang() lang.Lang {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.l
}

func (r *replier) setLang(l lang.Lang) {
	if l == "" {
		return
	}
	r.mu.Lock()
	r.l = l
	r.mu.Unlock()
}

func (r *replier) replied() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}

// placeholder posts "… thinking" where the reply will go.
func (r *replier) placeholder(ctx context.Context) error {
	r.mu.Lock()
	l := r.l
	r.mu.Unlock()
	ts, err := r.b.post(ctx, r.t, renderThinking(l, ""))
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ts, r.placed, r.last = ts, true, r.b.now()
	r.uses++
	return nil
}

// canEdit reports whether the placeholder can take another intermediate edit: a response_url
// keeps one use for the final message.
func (r *replier) canEdit() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.placed || r.done {
		return false
	}
	return r.t.ResponseURL == "" || r.uses < responseURLUses-1
}

// waitTurn blocks until the placeholder may be edited again (StreamInterval after the last edit).
func (r *replier) waitTurn(ctx context.Context) {
	r.mu.Lock()
	wait := r.last.Add(r.b.interval).Sub(r.b.now())
	r.mu.Unlock()
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// edit shows msg in the placeholder (throttled by the caller).
func (r *replier) edit(ctx context.Context, msg message) error {
	r.mu.Lock()
	ts := r.ts
	r.last = r.b.now()
	r.uses++
	r.mu.Unlock()
	return r.b.update(ctx, r.t, ts, msg)
}

// send delivers the final message: in the placeholder's place if there is one (a new message if
// that fails), else as a new message.
func (r *replier) send(ctx context.Context, msg message) error {
	r.mu.Lock()
	placed := r.placed
	r.mu.Unlock()
	if placed {
		r.waitTurn(ctx)
		err := r.edit(ctx, msg)
		if err == nil {
			r.finish("")
			return nil
		}
		r.b.log.Warn("could not replace the placeholder, posting anew", "err", err)
	}
	ts, err := r.b.post(ctx, r.t, msg)
	if err != nil {
		return err
	}
	r.finish(ts)
	return nil
}

func (r *replier) finish(ts string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	if ts != "" {
		r.ts = ts
	}
}

// messageTS is the timestamp of the reply (placeholder or final), if it is a channel message.
func (r *replier) messageTS() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ts
}

// streamer shows a model's text in the placeholder as it arrives, at most one edit per
// StreamInterval.
type streamer struct {
	r    *replier
	ctx  context.Context
	mu   sync.Mutex
	text strings.Builder
	seen int // length of text last shown
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func (r *replier) stream(ctx context.Context) *streamer {
	s := &streamer{r: r, ctx: ctx, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// delta takes the next piece of the model's text; it never blocks the model.
func (s *streamer) delta(text string) {
	s.mu.Lock()
	s.text.WriteString(text)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *streamer) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.wake:
		case <-s.stop:
			return
		}
		// Wait for our turn, but give up at once when the answer is complete.
		s.r.mu.Lock()
		wait := s.r.last.Add(s.r.b.interval).Sub(s.r.b.now())
		s.r.mu.Unlock()
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.stop:
				t.Stop()
				return
			}
		}
		s.mu.Lock()
		text, n := s.text.String(), s.text.Len()
		fresh := n > s.seen
		s.seen = n
		s.mu.Unlock()
		if !fresh || !s.r.canEdit() {
			continue
		}
		if err := s.r.edit(s.ctx, renderThinking(s.r.lang(), text)); err != nil {
			s.r.b.log.Warn("streamed edit failed", "err", err)
		}
	}
}

// close stops the streaming and waits for an edit in flight; it may be called more than once.
func (s *streamer) close() {
	s.once.Do(func() { close(s.stop) })
	<-s.done
}
