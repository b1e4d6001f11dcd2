package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// env is what every command gets: the outside world, passed in so tests can run krog whole.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	in     *bufio.Reader // stdin, buffered once for line-by-line reading
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"ask", "answer a question from the knowledge base", cmdAsk},
		{"search", "list the passages that match a query, best first", cmdSearch},
		{"define", "look a term up in the Slovene–English glossary", cmdDefine},
		{"topics", "list the documents by topic", cmdTopics},
		{"analyze", "show what the Slovene or English analyzer makes of a text", cmdAnalyze},
		{"check", "run a decision guide (is it a by-product? …) step by step", cmdCheck},
		{"eval", "measure retrieval quality on a question file", cmdEval},
		{"lint", "check the knowledge base for problems", cmdLint},
		{"export", "print every passage as JSON lines", cmdExport},
		{"version", "print krog's version", cmdVersion},
		{"serve", "run krog as a Slack app (Socket Mode or HTTP)", cmdServe},
		{"feedback", "show what Slack users asked and thought of the answers", cmdFeedback},
		{"installs", "list the Slack workspaces krog is installed in", cmdInstalls},
	}
}

// run is krog's whole command line; main only adds the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stdout)
		return nil
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] {
					if err := c.run(e, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
						return err
					}
					return nil
				}
			}
		}
		usage(stdout)
		return nil
	case "-v", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(e, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", name), hint: "Run `krog help` for the list of commands."}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `krog — a circular-economy advisor (industrial symbiosis, waste and product law, barriers, funding)

Usage: krog <command> [flags] [arguments]

Commands:`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Examples:
  krog ask "Kaj je stranski proizvod?"
  krog ask --json "When is a production residue a by-product?"
  krog define PRO

Run "krog help <command>" or "krog <command> -h" for a command's flags.`)
}

// input is stdin as a line reader, made once so that no buffered line is lost between questions.
func (e *env) input() *bufio.Reader {
	if e.in == nil {
		r := e.stdin
		if r == nil {
			r = strings.NewReader("")
		}
		e.in = bufio.NewReader(r)
	}
	return e.in
}

// usageError is a mistake in how krog was called (exit code 2).
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// silentError is a failure whose explanation was already printed (exit code 1).
type silentError struct{ msg string }

func (e silentError) Error() string { return e.msg }

// newFlags makes a flag set whose errors come back as usage errors, with -h printing the help.
func newFlags(e *env, name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// The flag package calls Usage on every parse error too; the help goes to stdout only when it
	// was asked for (parse), and a mistake is one line on stderr (exitCode).
	fs.Usage = func() {}
	helps.Store(fs, func() {
		fmt.Fprintf(e.stdout, "Usage: krog %s %s\n\n%s\n\nFlags:\n", name, args, about)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	})
	return fs
}

// helps holds each flag set's help until it is parsed (*flag.FlagSet → func()).
var helps sync.Map

// parse parses flags anywhere among the arguments ("krog ask Kaj je PRO? --json") and returns
// the rest.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	help, _ := helps.LoadAndDelete(fs)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				if h, ok := help.(func()); ok {
					h()
				}
				return nil, err
			}
			return nil, &usageError{msg: err.Error(), hint: fmt.Sprintf("Run `krog %s -h` for its flags.", fs.Name())}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// knowledgeFlag adds --knowledge; the default comes from KROG_KNOWLEDGE.
func knowledgeFlag(e *env, fs *flag.FlagSet) *string {
	return fs.String("knowledge", e.getenv("KROG_KNOWLEDGE"), "read the knowledge base from `DIR` instead of the embedded one (env KROG_KNOWLEDGE)")
}

// corpusFS is the knowledge base to use: a directory, or the embedded corpus.
func corpusFS(dir string) (fs.FS, string, error) {
	if dir == "" {
		return knowledge.Embedded(), "embedded knowledge", nil
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, dir, fmt.Errorf("knowledge directory %q does not exist or is not a directory", dir)
	}
	return os.DirFS(dir), dir, nil
}

// corpus reads and checks the knowledge base (a directory, or the embedded one); errors stop krog
// with lint-style messages, warnings do not.
func (e *env) corpus(dir string) (*knowledge.Corpus, error) {
	fsys, _, err := corpusFS(dir)
	if err != nil {
		return nil, err
	}
	c, probs := knowledge.Load(fsys)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// load reads and checks the corpus and builds the index. Errors in the corpus stop krog with
// lint-style messages; warnings do not.
func (e *env) load(dir string) (*index.Index, error) {
	c, err := e.corpus(dir)
	if err != nil {
		return nil, err
	}
	idx, err := index.Build(e.ctx, c, index.Options{})
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	return idx, nil
}

// question joins the arguments into one question; an empty one is a usage error.
func question(cmd string, args []string) (string, error) {
	q := strings.TrimSpace(strings.Join(args, " "))
	if q == "" {
		return "", &usageError{msg: "no question given", hint: fmt.Sprintf("Example: krog %s \"Kaj je stranski proizvod?\"", cmd)}
	}
	return q, nil
}

func langFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", "", "answer in `sl` or en (default: the question's language)")
}

// cliLang reads a --lang value (or a variable's): sl, en or nothing; anything else is a usage error
// at the edge.
func cliLang(flagName, v string) (lang.Lang, error) {
	l, err := lang.Parse(v)
	if err != nil {
		return lang.Unknown, &usageError{msg: fmt.Sprintf("%s %q: use sl or en", flagName, v)}
	}
	return l, nil
}

func cmdVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "", "Print krog's version.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "krog", version())
	return nil
}

// Version is set at build time with -ldflags "-X main.Version=…"; otherwise the module version
// or VCS revision is used.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv}))
}
