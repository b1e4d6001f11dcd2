// Package bot is krog's Slack face: the /krog slash command, @krog mentions and their thread
// follow-ups, direct messages, the App Home tab, the buttons under an answer (share in channel,
// 👍/👎 with a "what was missing?" modal, more sources, related questions, check step by step) and
// the decision guides' modals. It runs over Socket Mode or over HTTP
// (signed requests) with the same handlers behind both, acknowledges every request at once and
// answers after, and never leaves a user without a reply: an answer, a friendly "not found" with
// the closest topics, or a short apology in the user's language.
//
// It serves one workspace (SLACK_BOT_TOKEN) or every workspace that installed krog through its
// OAuth install pages (install.go, workspace.go), each with its own token, and remembers between
// requests through a Memory (memory.go) that several replicas can share.
//
// It turns answer.Reply values into Block Kit within Slack's limits, and is the only part of krog
// that knows Slack (github.com/slack-go/slack).
package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
	"github.com/krog-advisor/krog/store"
)

// Answerer answers a question; *answer.Service is the real one.
type Answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Reply, error)
}

// Knowledge is what the bot needs of krog's core: answers, whether a model writes them, the
// corpus (topics, documents, guides) and the glossary; *answer.Service is the real one.
type Knowledge interface {
	Answerer
	LLM() bool
	Corpus() *knowledge.Corpus
	Define(term string) (*knowledge.Term, []*knowledge.Term)
}

// Recorder keeps answers, votes and comments for the curators; *store.Store is the real one.
type Recorder interface {
	RecordAnswer(ctx context.Context, a store.Answer) error
	RecordVote(ctx context.Context, v store.Vote) error
	RecordComment(ctx context.Context, c store.Comment) error
	RecordCheck(ctx context.Context, c store.Check) error
}

// Observer is told what the bot does, for metrics; *metrics.Metrics is the real one.
type Observer interface {
	Answer(surface, lang, confidence, mode, fallback string, took time.Duration, promptTok, complTok int, asked bool)
	Event(kind string) // deduplicated, rate_limited, busy, vote, comment, replay, store_dropped
	Check(guide, outcome string)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) Answer(string, string, string, string, string, time.Duration, int, int, bool) {}
func (nopObserver) Event(string)                                                                 {}
func (nopObserver) Check(string, string)                                                         {}

// Config is everything a Bot needs.
type Config struct {
	Service  Knowledge     // the knowledge: answers, topics, glossary, guides, whether an LLM is on
	Answerer Answerer      // answers questions; nil means Service (tests put faults here)
	Feedback Recorder      // nil: nothing is recorded
	Memory   Memory        // nil: remembered in this process only
	Observer Observer      // nil: nothing is measured
	Client   *slack.Client // see NewClient: SLACK_BOT_TOKEN's workspace, and Socket Mode's app token
	OAuth    *OAuth        // nil: one workspace, Client's; else installs through OAuth too (install.go)
	Logger   *slog.Logger
	Now      func() time.Time // nil: time.Now

	// SigningSecret verifies HTTP-mode requests; without it Handler serves only /healthz.
	SigningSecret string
	// RateLimit is the number of questions one user may ask per minute (0: 20; negative: no limit).
	RateLimit int
	// LogQuestions puts question text in the log; off by default.
	LogQuestions bool
	// StoreQuestions keeps question text in the feedback store.
	StoreQuestions bool
	// StreamInterval is the least time between two edits of one message while a model writes
	// (default 1 s, Slack's guidance for chat.update).
	StreamInterval time.Duration
	// MaxPending is how many questions may be in the bot's hands at once — being answered, or
	// waiting on Slack or a model; beyond it a question gets "busy, ask again in a minute" at once
	// (default 10,000). How many are computed at once is the answer service's Workers.
	MaxPending int
}

// Bot is a running Slack app. Create it with New, call Start, then serve it with RunSocket and/or
// Handler, and stop it with Shutdown.
type Bot struct {
	api      *slack.Client
	svc      Knowledge
	ans      Answerer
	rec      Recorder
	obs      Observer
	log      *slog.Logger
	now      func() time.Time
	secret   string
	logQ     bool
	storeQ   bool
	interval time.Duration

	pending    atomic.Int64 // questions in the bot's hands
	maxPending int64
	queue      *storeQueue // nil: nothing is recorded
	mem        Memory
	rate       int                      // questions per user per minute; <= 0: no limit
	replays    *cache[string, struct{}] // signatures of HTTP requests this process took
	bodies     chan struct{}            // one per HTTP request body being read
	homes      *cache[string, struct{}] // users whose App Home this process published

	single  *workspace // SLACK_BOT_TOKEN's workspace; nil with OAuth.Only
	oauth   *OAuth
	clients *cache[string, *workspace] // installed workspaces by team or enterprise id

	mu      sync.Mutex
	closed  bool
	running int // jobs running (guarded by mu)
	jobs    sync.WaitGroup
	work    context.Context // jobs run in it; cancelled when Shutdown gives up waiting
	stopAll context.CancelFunc
}

// identity is who krog is in the workspace (auth.test).
type identity struct {
	user, bot, team string
}

// convKey names a message or a thread: a channel and a timestamp (empty for a DM's last question).
type convKey struct{ channel, ts string }

// String is the key's name in the bot's memory.
func (k convKey) String() string { return k.channel + "/" + k.ts }

// thread is a conversation krog takes part in.
type thread struct {
	Question string // the thread's first question: what follow-ups are read with
	Lang     lang.Lang
}

// stored is an answer the buttons under it refer to.
type stored struct {
	Reply   answer.Reply
	Req     answer.Request // Question, Context, Lang, Offset
	Team    string
	Surface string
}

// Bounds of what the bot keeps in its own process.
const (
	dedupMax   = 20000
	homeMax    = 10000
	homeTTL    = 10 * time.Minute
	jobTimeout = 2 * time.Minute // the longest one answer may take, LLM included
	// apologyTimeout is the time the apology for a failed or cut-off answer gets, on a fresh
	// context: the answer's own may be spent.
	apologyTimeout = 10 * time.Second
	// drainGrace is how long Shutdown waits, once its budget is spent and running answers are
	// cancelled, for their apologies to go out.
	drainGrace = 5 * time.Second
)

// New returns a bot; it does nothing until served.
func New(cfg Config) (*Bot, error) {
	if cfg.Service == nil {
		return nil, errors.New("bot: no answer service")
	}
	if cfg.Client == nil {
		return nil, errors.New("bot: no Slack client")
	}
	b := &Bot{
		api: cfg.Client, svc: cfg.Service, ans: cfg.Answerer, rec: cfg.Feedback, obs: cfg.Observer, log: cfg.Logger, now: cfg.Now,
		secret: cfg.SigningSecret, logQ: cfg.LogQuestions, storeQ: cfg.StoreQuestions, interval: cfg.StreamInterval,
	}
	if b.ans == nil {
		b.ans = cfg.Service
	}
	if b.obs == nil {
		b.obs = nopObserver{}
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.log = slog.New(redactingHandler{b.log.Handler()})
	if b.now == nil {
		b.now = time.Now
	}
	if b.interval <= 0 {
		b.interval = time.Second
	}
	b.maxPending = int64(cfg.MaxPending)
	if b.maxPending <= 0 {
		b.maxPending = 10_000
	}
	if b.rec != nil {
		b.queue = newStoreQueue(b.rec, b.log, func() { b.obs.Event("store_dropped") })
	}
	b.rate = cfg.RateLimit
	if b.rate == 0 {
		b.rate = 20
	}
	b.mem = cfg.Memory
	if b.mem == nil {
		b.mem = newLocalMemory(b.now)
	}
	b.replays = newCache[string, struct{}](dedupMax, 2*maxSkew, b.now)
	b.bodies = make(chan struct{}, MaxBodyReads)
	b.homes = newCache[string, struct{}](homeMax, homeTTL, b.now)
	b.oauth = cfg.OAuth
	b.clients = newCache[string, *workspace](homeMax, clientTTL, b.now)
	if b.oauth == nil || !b.oauth.Only {
		b.single = newWorkspace("", b.api, identity{}) // who krog is there, Start learns
	}
	b.work, b.stopAll = context.WithCancel(context.Background())
	return b, nil
}

// NewClient returns a Slack Web API client for krog: apiURL "" means Slack's own; 429 answers are
// retried up to three times, honouring Retry-After. appToken (xapp-…) is needed for Socket Mode.
// rt, if not nil, carries the HTTP calls (metrics count them there).
func NewClient(botToken, appToken, apiURL string, rt http.RoundTripper) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: rt})}
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/"
		}
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	if appToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(appToken))
	}
	opts = append(opts, slack.OptionRetry(3))
	return slack.New(botToken, opts...)
}

// Start checks the bot token of krog's own workspace with Slack and learns krog's user id there
// (to ignore its own messages and find its mentions). With OAuth only, there is none to check:
// each installation brought its own.
func (b *Bot) Start(ctx context.Context) error {
	if b.single == nil {
		b.log.Info("slack: answering the workspaces krog is installed in")
		return nil
	}
	r, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack auth.test: %w", err)
	}
	b.single = newWorkspace(r.TeamID, b.api, identity{user: r.UserID, bot: r.BotID, team: r.TeamID})
	b.log.Info("slack connected", "team", r.Team, "bot_user", r.UserID)
	return nil
}

// Shutdown stops taking new work and waits for running answers to finish, until ctx is done; then
// it cancels them — each tells its user it was cut off — and returns ctx's error. Feedback still
// queued is written within what is left of the budget.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.jobs.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		b.stopAll()
		err = fmt.Errorf("bot shutdown: answers still running: %w", ctx.Err())
		select {
		case <-done:
		case <-time.After(drainGrace):
		}
	}
	b.stopAll()
	if b.queue != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainGrace)
		defer cancel()
		if ctx.Err() == nil {
			sctx = ctx
		}
		if serr := b.queue.close(sctx); serr != nil && err == nil {
			err = fmt.Errorf("bot shutdown: feedback not all written: %w", serr)
		}
	}
	return err
}

// spawn runs fn in its own goroutine, tracked for Shutdown. A panic or an error in fn is logged and,
// unless fn already replied, becomes a friendly message to the user through rp: never silence.
// Once Shutdown has begun, only work that running jobs hand on is taken (a request taken before
// is finished whole); a new request once nothing runs is dropped.
func (b *Bot) spawn(name string, rp *replier, fn func(ctx context.Context) error) bool {
	b.mu.Lock()
	if b.closed && b.running == 0 {
		b.mu.Unlock()
		b.log.Warn("shutting down, request dropped", "job", name)
		return false
	}
	b.jobs.Add(1)
	b.running++
	b.mu.Unlock()
	go func() {
		defer func() {
			b.mu.Lock()
			b.running--
			b.mu.Unlock()
			b.jobs.Done()
		}()
		ctx, cancel := context.WithTimeout(b.work, jobTimeout)
		defer cancel()
		err := b.protect(name, func() error { return fn(ctx) })
		if err == nil {
			return
		}
		b.log.Error("request failed", "job", name, "err", err)
		if rp != nil && !rp.replied() {
			// The job's context may be spent (its deadline, a shutdown): the apology gets its own.
			actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), apologyTimeout)
			defer acancel()
			if err := rp.send(actx, renderText(say(rp.lang(), "error"))); err != nil {
				b.log.Error("could not tell the user", "job", name, "err", err)
			}
		}
	}()
	return true
}

// errPanic is a recovered panic.
type errPanic struct {
	val   any
	stack string
}

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.val) }

// protect runs fn, turning a panic into an error (logged with its stack).
func (b *Bot) protect(name string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p := errPanic{val: r, stack: string(debug.Stack())}
			b.log.Error("panic recovered", "job", name, "panic", fmt.Sprint(r), "stack", p.stack)
			err = p
		}
	}()
	return fn()
}

// target is where a reply goes: a response_url (slash commands and buttons: ephemeral or in the
// channel), or a channel and thread.
type target struct {
	ws           *workspace // whose token posts it
	ResponseURL  string
	ResponseType string // slack.ResponseTypeEphemeral or slack.ResponseTypeInChannel
	Channel      string
	ThreadTS     string
	EphemeralTo  string // post with chat.postEphemeral to this user
}

// post sends msg to t and returns the new message's timestamp (none for response_url and
// ephemeral posts).
func (b *Bot) post(ctx context.Context, t target, msg message) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	switch {
	case t.ResponseURL != "":
		rt := t.ResponseType
		if rt == "" {
			rt = slack.ResponseTypeEphemeral
		}
		opts = append(opts, slack.MsgOptionResponseURL(t.ResponseURL, rt))
		if _, _, _, err := t.ws.api.SendMessageContext(ctx, "", opts...); err != nil {
			return "", fmt.Errorf("post to response_url: %w", err)
		}
		return "", nil
	case t.EphemeralTo != "":
		if t.ThreadTS != "" {
			opts = append(opts, slack.MsgOptionTS(t.ThreadTS))
		}
		if _, err := t.ws.api.PostEphemeralContext(ctx, t.Channel, t.EphemeralTo, opts...); err != nil {
			return "", fmt.Errorf("chat.postEphemeral %s: %w", t.Channel, err)
		}
		return "", nil
	default:
		opts = append(opts, slack.MsgOptionDisableLinkUnfurl())
		if t.ThreadTS != "" {
			opts = append(opts, slack.MsgOptionTS(t.ThreadTS))
		}
		_, ts, err := t.ws.api.PostMessageContext(ctx, t.Channel, opts...)
		if err != nil {
			return "", fmt.Errorf("chat.postMessage %s: %w", t.Channel, err)
		}
		return ts, nil
	}
}

// update replaces a message krog posted: by chat.update, or through the response_url it was
// posted with.
func (b *Bot) update(ctx context.Context, t target, ts string, msg message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if t.ResponseURL != "" {
		opts = append(opts, slack.MsgOptionReplaceOriginal(t.ResponseURL))
		if _, _, _, err := t.ws.api.SendMessageContext(ctx, "", opts...); err != nil {
			return fmt.Errorf("replace via response_url: %w", err)
		}
		return nil
	}
	if _, _, _, err := t.ws.api.UpdateMessageContext(ctx, t.Channel, ts, opts...); err != nil {
		return fmt.Errorf("chat.update %s %s: %w", t.Channel, ts, err)
	}
	return nil
}

// AuthFailure reports whether err is Slack refusing a token (invalid_auth, token_revoked, …).
func AuthFailure(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired", "not_allowed_token_type":
		return true
	}
	return false
}

// Post sends a plain message to a channel of krog's own workspace (the admin channel's notices,
// say).
func (b *Bot) Post(ctx context.Context, channel, text string) error {
	if b.single == nil {
		return errors.New("post: krog has no workspace of its own (SLACK_BOT_TOKEN)")
	}
	_, err := b.post(ctx, target{ws: b.single, Channel: channel}, renderText(text))
	return err
}

// newID is a fresh answer id.
func newID() string {
	var p [9]byte
	rand.Read(p[:])
	return hex.EncodeToString(p[:])
}

// channelType names a conversation by its id's first letter.
func channelType(id string) string {
	switch {
	case strings.HasPrefix(id, "D"):
		return "im"
	case strings.HasPrefix(id, "G"):
		return "group"
	case strings.HasPrefix(id, "C"):
		return "channel"
	}
	return ""
}
