package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/metrics"
	"github.com/krog-advisor/krog/secret"
	"github.com/krog-advisor/krog/store"
)

// serveConfig is what `krog serve` reads from its flags and the environment.
type serveConfig struct {
	botToken, appToken, secret string
	apiURL                     string
	httpAddr                   string
	db                         string
	knowledge                  string
	logLevel                   string
	rateLimit                  int
	logQuestions               bool
	storeQuestions             bool
	shutdown                   time.Duration // how long running answers may finish after SIGTERM
	// Offering krog to other workspaces (OAuth v2); clientID "" means one workspace only.
	clientID, clientSecret, publicURL string
	key                               *secret.Key
}

const serveAbout = `Run krog as a Slack app: the /krog command, @krog mentions and their threads, direct messages,
the App Home tab, sharing and feedback buttons.

Socket Mode (no public URL needed) when SLACK_APP_TOKEN is set; HTTP mode (POST /slack/commands,
/slack/events, /slack/interactive) when --http ADDR and SLACK_SIGNING_SECRET are set. With an HTTP
address, GET /healthz answers 200 once the index is built. Variables come from the environment and
from .env (the environment wins):

  SLACK_BOT_TOKEN       xoxb-…  OAuth & Permissions → Bot User OAuth Token (required, unless
                        krog is offered to other workspaces and has none of its own)
  SLACK_APP_TOKEN       xapp-…  Basic Information → App-Level Tokens, scope connections:write
  SLACK_SIGNING_SECRET  Basic Information → App Credentials → Signing Secret (HTTP mode)
  SLACK_API_URL         Slack Web API base URL (default Slack's; for tests and proxies)
  KROG_HTTP_ADDR        HTTP address, like --http
  KROG_DB               feedback store (default ./krog.db)
  KROG_KNOWLEDGE        knowledge directory instead of the embedded one
  KROG_LOG_LEVEL        debug, info (default), warn or error; logs are JSON on stderr
  KROG_LOG_QUESTIONS    true: put question text in the log (default false)
  KROG_STORE_QUESTIONS  false: keep question text out of the feedback store (default true)
  KROG_RATE_LIMIT       questions per user per minute (default 20; 0: no limit)
  OPENAI_API_KEY, OPENAI_BASE_URL, …  optional LLM summaries (see krog ask -h)

Offering krog to other workspaces (Slack OAuth; GET /slack/install on the HTTP address):
  SLACK_CLIENT_ID, SLACK_CLIENT_SECRET  Basic Information → App Credentials
  KROG_PUBLIC_URL       where browsers and Slack reach the HTTP address, e.g. https://krog.example.org
  KROG_SECRET_KEY       32 bytes, base64 or hex (openssl rand -base64 32): seals the stored tokens`

func cmdServe(e *env, args []string) error {
	fs := newFlags(e, "serve", "[--http ADDR] [--db FILE] [--no-llm]", serveAbout)
	envFile := fs.String("env-file", ".env", "read variables from `FILE` if it exists (variables already set win)")
	httpAddr := fs.String("http", "", "serve HTTP mode and /healthz on `ADDR`, e.g. :8080 (env KROG_HTTP_ADDR)")
	db := fs.String("db", "", "feedback store `FILE` (env KROG_DB, default ./krog.db)")
	dir := fs.String("knowledge", "", "read the knowledge base from `DIR` instead of the embedded one (env KROG_KNOWLEDGE)")
	noLLM := fs.Bool("no-llm", false, "answer extractively even if an LLM is configured")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{msg: fmt.Sprintf("serve takes no arguments, got %q", strings.Join(rest, " ")), hint: "Run `krog serve -h` for its flags."}
	}
	e, err = e.withDotenv(*envFile)
	if err != nil {
		return err
	}
	cfg, err := readServeConfig(e, *httpAddr, *db, *dir)
	if err != nil {
		return err
	}
	return serve(e, cfg, *noLLM)
}

// readServeConfig reads and checks the configuration; every mistake is a usage error of one line
// that names the variable and says where its value comes from.
func readServeConfig(e *env, httpAddr, db, dir string) (serveConfig, error) {
	get := func(k string) string { return strings.TrimSpace(e.getenv(k)) }
	c := serveConfig{
		botToken: get("SLACK_BOT_TOKEN"), appToken: get("SLACK_APP_TOKEN"), secret: get("SLACK_SIGNING_SECRET"),
		apiURL: get("SLACK_API_URL"), httpAddr: httpAddr, db: db, knowledge: dir, logLevel: get("KROG_LOG_LEVEL"),
		rateLimit: 20, storeQuestions: true, shutdown: defaultShutdown,
	}
	if c.httpAddr == "" {
		c.httpAddr = get("KROG_HTTP_ADDR")
	}
	if c.db == "" {
		c.db = get("KROG_DB")
	}
	if c.db == "" {
		c.db = "./krog.db"
	}
	if c.knowledge == "" {
		c.knowledge = get("KROG_KNOWLEDGE")
	}
	if c.logLevel == "" {
		c.logLevel = "info"
	}
	fail := func(format string, a ...any) (serveConfig, error) {
		return c, &usageError{msg: fmt.Sprintf(format, a...)}
	}
	const (
		whereBot = "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page into .env"
		whereApp = "create an app-level token (xapp-…) with the connections:write scope under Basic Information → App-Level Tokens"
		whereSig = "copy the Signing Secret from Basic Information → App Credentials"
	)
	c.clientID, c.clientSecret, c.publicURL = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET"), get("KROG_PUBLIC_URL")
	if c.clientID != "" {
		const whereCreds = "copy it from Basic Information → App Credentials"
		switch {
		case !tokenChars(c.clientID):
			return fail("SLACK_CLIENT_ID has spaces or quotes in it: %s", whereCreds)
		case c.clientSecret == "" || !tokenChars(c.clientSecret):
			return fail("SLACK_CLIENT_SECRET is not set (or has spaces or quotes): offering krog to other workspaces needs it; %s", whereCreds)
		}
		if u, err := url.Parse(c.publicURL); c.publicURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fail("KROG_PUBLIC_URL=%q: set it to where browsers and Slack reach krog's HTTP address, e.g. https://krog.example.org", c.publicURL)
		}
		k, err := secret.ParseKey(e.getenv("KROG_SECRET_KEY"))
		if err != nil {
			return fail("KROG_SECRET_KEY: %v; it seals the workspaces' bot tokens in the store", err)
		}
		c.key = k
	} else if get("SLACK_CLIENT_SECRET") != "" {
		return fail("SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is not: offering krog to other workspaces needs both")
	}
	switch {
	case c.botToken == "" && c.clientID != "":
		// Only the workspaces that install krog.
	case c.botToken == "":
		return fail("SLACK_BOT_TOKEN is not set: %s (or set SLACK_CLIENT_ID and the rest to offer krog to other workspaces)", whereBot)
	case strings.HasPrefix(c.botToken, "xapp-"):
		return fail("SLACK_BOT_TOKEN holds an app-level token (xapp-…), which belongs in SLACK_APP_TOKEN: %s", whereBot)
	case !strings.HasPrefix(c.botToken, "xoxb-") || !tokenChars(c.botToken):
		return fail("SLACK_BOT_TOKEN does not look like a bot token (xoxb-… without spaces or quotes): %s", whereBot)
	}
	if c.appToken != "" {
		switch {
		case strings.HasPrefix(c.appToken, "xoxb-"):
			return fail("SLACK_APP_TOKEN holds a bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN: %s", whereApp)
		case !strings.HasPrefix(c.appToken, "xapp-") || !tokenChars(c.appToken):
			return fail("SLACK_APP_TOKEN does not look like an app-level token (xapp-… without spaces or quotes): %s", whereApp)
		}
	}
	if c.secret != "" && !tokenChars(c.secret) {
		return fail("SLACK_SIGNING_SECRET has spaces or quotes in it: %s", whereSig)
	}
	if c.apiURL != "" {
		if u, err := url.Parse(c.apiURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fail("SLACK_API_URL=%q is not an http(s) URL (leave it unset to use Slack's)", c.apiURL)
		}
	}
	if c.clientID != "" && c.httpAddr == "" {
		return fail("offering krog to other workspaces (SLACK_CLIENT_ID) needs an HTTP address for the install pages: add --http :8080 or KROG_HTTP_ADDR")
	}
	if c.httpAddr != "" {
		if _, err := strconv.Atoi(c.httpAddr); err == nil {
			c.httpAddr = ":" + c.httpAddr // a bare port
		}
		if _, _, err := net.SplitHostPort(c.httpAddr); err != nil {
			return fail("HTTP address %q (--http or KROG_HTTP_ADDR) is not HOST:PORT, e.g. :8080", c.httpAddr)
		}
	}
	switch {
	case c.appToken == "" && c.httpAddr == "" && c.secret == "":
		return fail("SLACK_APP_TOKEN is not set: for Socket Mode %s; for HTTP mode set SLACK_SIGNING_SECRET and --http ADDR instead", whereApp)
	case c.appToken == "" && c.httpAddr != "" && c.secret == "":
		return fail("SLACK_SIGNING_SECRET is not set: HTTP mode needs it, %s (or set SLACK_APP_TOKEN for Socket Mode)", whereSig)
	case c.appToken == "" && c.httpAddr == "":
		return fail("SLACK_SIGNING_SECRET is set but no HTTP address: add --http :8080 or KROG_HTTP_ADDR (or set SLACK_APP_TOKEN for Socket Mode)")
	}
	if v := get("KROG_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if strings.EqualFold(v, "off") {
			n, err = 0, nil
		}
		if err != nil || n < 0 {
			return fail("KROG_RATE_LIMIT=%q: use the number of questions one user may ask per minute (0 for no limit)", v)
		}
		c.rateLimit = n
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"KROG_LOG_QUESTIONS", &c.logQuestions}, {"KROG_STORE_QUESTIONS", &c.storeQuestions}} {
		if v := get(b.name); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				return fail("%s=%q: use true or false", b.name, v)
			}
			*b.dst = x
		}
	}
	switch strings.ToLower(c.logLevel) {
	case "debug", "info", "warn", "warning", "error":
	default:
		return fail("KROG_LOG_LEVEL=%q: use debug, info, warn or error", c.logLevel)
	}
	if v := get("KROG_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Minute {
			return fail("KROG_SHUTDOWN_TIMEOUT=%q: use a duration such as 25s (at most 10m)", v)
		}
		c.shutdown = d
	}
	return c, nil
}

// tokenChars reports whether s has no spaces, quotes or control characters (a copy-paste mistake).
func tokenChars(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '"' || r == '\'' || r == 0x7f })
}

// defaultShutdown is the time running answers get to finish after SIGTERM: below the 30 s most
// orchestrators wait before they kill.
const defaultShutdown = 25 * time.Second

// defaultMemoryLimit is the soft memory limit serve sets when GOMEMLIMIT is not given: the
// garbage collector works harder near it instead of letting a burst grow the heap unchecked.
const defaultMemoryLimit = 512 << 20

// serve runs the bot until e.ctx is done, then stops taking requests and lets running answers
// finish within the shutdown budget (KROG_SHUTDOWN_TIMEOUT); what cannot finish gets an apology.
func serve(e *env, c serveConfig, noLLM bool) (err error) {
	log := newLogger(e.stderr, c.logLevel)
	// SIGHUP reloads the knowledge; caught from the start, so that it never ends the process (Go's
	// default), with or without a directory to reload.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	st, err := store.Open(e.ctx, c.db)
	if err != nil {
		return err
	}
	defer st.Close()

	// Listen before the index is built, so that /healthz can say "not yet" instead of nothing.
	var handler atomic.Pointer[http.Handler]
	var srv *http.Server
	srvErr := make(chan error, 1)
	if c.httpAddr != "" {
		ln, err := net.Listen("tcp", c.httpAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", c.httpAddr, err)
		}
		srv = &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if h := handler.Load(); h != nil {
					(*h).ServeHTTP(w, r)
					return
				}
				http.Error(w, "starting", http.StatusServiceUnavailable)
			}),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       15 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
		}
		// Every return below closes the listener, errors included — itself too: srv.Close closes
		// only the listeners Serve has begun with, and Serve runs in a goroutine that may not have.
		defer func() {
			if cerr := srv.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("close http server: %w", cerr)
			}
			ln.Close()
		}()
		go func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				srvErr <- fmt.Errorf("http server: %w", err)
			}
		}()
		log.Info("listening", "addr", ln.Addr().String())
	}
	m := metrics.New()
	began := time.Now()
	idx, err := e.load(c.knowledge)
	if err != nil {
		return err
	}
	defer idx.Close() // Close is idempotent: the reloader may have closed it already
	kc := idx.Corpus()
	m.Knowledge(kc.Version, len(kc.Docs), idx.Len(), time.Since(began), time.Now())
	acfg, err := llmConfig(e, noLLM)
	if err != nil {
		return err
	}
	acfg.Logger = log
	svc := answer.New(idx, acfg)
	defer func() { svc.Index().Close() }() // the index answering at exit; replaced ones close on their timers
	var mem bot.Memory                     // SQLite: one process, which remembers in itself
	if st.Backend() == "postgres" {
		mem = st // replicas remember together
	}
	var oauth *bot.OAuth
	if c.clientID != "" {
		oauth = &bot.OAuth{
			ClientID: c.clientID, ClientSecret: c.clientSecret, PublicURL: c.publicURL, Key: c.key, Installs: st, Only: c.botToken == "",
			AuthorizeURL: strings.TrimSpace(e.getenv("SLACK_OAUTH_AUTHORIZE_URL")), APIURL: c.apiURL, Transport: m.Transport(nil),
		}
	}
	b, err := bot.New(bot.Config{
		Service: svc, Feedback: st, Memory: mem, OAuth: oauth, Client: bot.NewClient(c.botToken, c.appToken, c.apiURL, m.Transport(nil)), Logger: log, Observer: m,
		SigningSecret: c.secret, RateLimit: rateLimit(c.rateLimit), LogQuestions: c.logQuestions, StoreQuestions: c.storeQuestions,
	})
	if err != nil {
		return err
	}
	if err := b.Start(e.ctx); err != nil {
		if bot.AuthFailure(err) {
			return &usageError{msg: fmt.Sprintf("Slack refused SLACK_BOT_TOKEN (%v): copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions again, and reinstall the app if its scopes changed", err)}
		}
		return err
	}
	rl := &reloader{dir: c.knowledge, svc: svc, m: m, log: log, loaded: time.Now()}
	if admin := strings.TrimSpace(e.getenv("KROG_ADMIN_CHANNEL")); admin != "" {
		rl.notify = func(ctx context.Context, text string) {
			if err := b.Post(ctx, admin, text); err != nil {
				log.Warn("could not tell the admin channel", "err", err)
			}
		}
	}
	go func() {
		if c.knowledge == "" {
			for {
				select {
				case <-e.ctx.Done():
					return
				case <-hup:
					log.Info("SIGHUP: the embedded knowledge has nothing to reload")
				}
			}
		}
		if err := rl.watch(e.ctx, hup); err != nil {
			log.Error("watching the knowledge directory is off; SIGHUP still reloads", "err", err)
			for {
				select {
				case <-e.ctx.Done():
					return
				case <-hup:
					rl.reload(e.ctx, "SIGHUP")
				}
			}
		}
	}()
	var h http.Handler = serveMux(b.Handler(), m, svc, rl.loadedAt)
	handler.Store(&h)
	// Building the index leaves much garbage behind; hand it back now rather than idle on it.
	debug.FreeOSMemory()
	mode := []string{}
	if c.appToken != "" {
		mode = append(mode, "socket")
	}
	if c.httpAddr != "" && c.secret != "" {
		mode = append(mode, "http")
	}
	log.Info("krog serve ready", "mode", strings.Join(mode, "+"), "passages", idx.Len(), "llm", svc.LLM(), "store", st.Backend(), "db", st.Name())

	sockErr := make(chan error, 1)
	if c.appToken != "" {
		go func() { sockErr <- b.RunSocket(e.ctx) }()
	}
	var runErr error
	sockDone := c.appToken == ""
	select {
	case <-e.ctx.Done():
	case runErr = <-sockErr:
		sockDone = true
		if runErr != nil && bot.AuthFailure(runErr) {
			runErr = &usageError{msg: fmt.Sprintf("Slack refused SLACK_APP_TOKEN (%v): %s", runErr, "create an app-level token (xapp-…) with the connections:write scope under Basic Information → App-Level Tokens, and turn Socket Mode on")}
		}
	case runErr = <-srvErr:
	}
	log.Info("shutting down: no new requests, finishing running answers", "budget", c.shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
	defer cancel()
	if !sockDone {
		select { // Socket Mode stops reading when e.ctx is done
		case <-sockErr:
		case <-ctx.Done():
		}
	}
	if srv != nil {
		// Stops accepting; the handlers only acknowledge, so this is quick.
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("http shutdown", "err", err)
		}
	}
	if err := b.Shutdown(ctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	log.Info("stopped")
	return runErr
}

// serveMux is what the HTTP address serves: the bot's endpoints, GET /metrics, and GET /healthz
// with the knowledge answering now.
func serveMux(bot http.Handler, m *metrics.Metrics, svc *answer.Service, loaded func() time.Time) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		idx := svc.Index()
		c := idx.Corpus()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"status": "ok", "knowledge_version": c.Version, "loaded_at": loaded().UTC().Format(time.RFC3339),
			"documents": len(c.Docs), "passages": idx.Len(), "guides": len(c.Guides),
		})
	})
	mux.Handle("/", bot)
	return mux
}

// rateLimit maps KROG_RATE_LIMIT (0: none) to bot.Config.RateLimit (negative: none).
func rateLimit(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
