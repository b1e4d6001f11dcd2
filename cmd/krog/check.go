package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/krog-advisor/krog/guide"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

func cmdCheck(e *env, args []string) error {
	fs := newFlags(e, "check", "[--json] [--lang sl|en] [--answers q=option,…] [--pdf FILE] [GUIDE]",
		"Run a decision guide — a step-by-step self-check such as \"Is our residue a by-product?\" — and get\n"+
			"a verdict, the reasons tied to your answers, next steps, what to keep on file, whom to ask and the\n"+
			"sources. Without GUIDE it lists the guides. It asks in the terminal (piped input works too); with\n"+
			"--answers it runs without prompts, and with --json it prints the outcome, or the next question when\n"+
			"the answers do not reach one yet.")
	asJSON := fs.Bool("json", false, "print one JSON object")
	l := fs.String("lang", "", "ask in `sl` or en (default: en, or sl when KROG_LANG=sl)")
	answers := fs.String("answers", "", "answers as `question=option,…` (option ids: yes, no, unknown, or the guide's own)")
	pdf := fs.String("pdf", "", "write the record of the outcome as a PDF to `FILE`")
	dir := knowledgeFlag(e, fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	l0 := *l
	if l0 == "" {
		l0 = e.getenv("KROG_LANG")
	}
	gl, err := cliLang("--lang", l0)
	if err != nil {
		return err
	}
	if gl == lang.Unknown {
		gl = lang.EN
	}
	c, err := e.corpus(*dir)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return listGuides(e, c, gl, *asJSON)
	}
	if len(rest) > 1 {
		return &usageError{msg: fmt.Sprintf("one guide at a time, got %q", strings.Join(rest, " ")), hint: "Run `krog check` for the list."}
	}
	g := c.Guide(rest[0])
	if g == nil {
		return &usageError{msg: fmt.Sprintf("no guide %q", rest[0]), hint: "Run `krog check` for the list: " + strings.Join(guideIDs(c), ", ")}
	}
	given, err := guide.ParseAnswers(*answers)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	st, err := guide.Walk(g, gl, given)
	var ae *guide.AnswerError
	if errors.As(err, &ae) {
		return &usageError{msg: ae.Msg}
	}
	if err != nil {
		return err
	}
	interactive := *answers == "" && !*asJSON
	for interactive && !st.Done() {
		opt, err := prompt(e, st.Next, gl)
		if err != nil {
			return err
		}
		given[st.Next.ID] = opt
		if st, err = guide.Walk(g, gl, given); err != nil {
			return err
		}
	}
	res := st.Result()
	if *pdf != "" {
		if !st.Done() {
			return &usageError{msg: "--pdf needs answers that reach an outcome", hint: fmt.Sprintf("Next question: %s (%s)", st.Next.ID, strings.Join(guide.OptionIDs(st.Next), ", "))}
		}
		if err := writeRecord(*pdf, res, time.Now()); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	if !st.Done() {
		printQuestion(e.stdout, res.Next)
		return nil
	}
	printOutcome(e.stdout, res)
	return nil
}

func writeRecord(path string, res guide.Result, now time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the record: %w", err)
	}
	if err := guide.Record(f, res, now); err != nil {
		f.Close()
		return fmt.Errorf("write the record: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write the record: %w", err)
	}
	return nil
}

func guideIDs(c *knowledge.Corpus) []string {
	var ids []string
	for _, g := range c.Guides {
		ids = append(ids, g.ID)
	}
	return ids
}

type guideJSON struct {
	ID      string         `json:"id"`
	Title   knowledge.Text `json:"title"`
	Summary knowledge.Text `json:"summary"`
}

func listGuides(e *env, c *knowledge.Corpus, l lang.Lang, asJSON bool) error {
	if asJSON {
		out := []guideJSON{}
		for _, g := range c.Guides {
			out = append(out, guideJSON{ID: g.ID, Title: g.Title, Summary: g.Summary})
		}
		return writeJSON(e.stdout, out)
	}
	for _, g := range c.Guides {
		fmt.Fprintf(e.stdout, "%-22s %s\n%s\n\n", g.ID, g.Title.In(string(l)), wrap(g.Summary.In(string(l)), 92, "  "))
	}
	fmt.Fprintln(e.stdout, "Run one: krog check <guide>   (in Slovene: --lang sl)")
	return nil
}

// prompt asks question q until it gets an option: its number, its id or the start of its label.
// The end of input (a pipe that ran dry) is an error, never an endless loop.
func prompt(e *env, q *knowledge.GuideQuestion, l lang.Lang) (string, error) {
	in := e.input()
	for tries := 0; tries < 5; tries++ {
		printQuestion(e.stdout, guide.Question(q, l))
		fmt.Fprint(e.stdout, "> ")
		line, err := in.ReadString('\n')
		a := strings.ToLower(strings.TrimSpace(line))
		if a != "" {
			if n, err := strconv.Atoi(a); err == nil && n >= 1 && n <= len(q.Options) {
				return q.Options[n-1].ID, nil
			}
			for _, o := range q.Options {
				if a == o.ID || strings.HasPrefix(strings.ToLower(o.Label.In(string(l))), a) {
					return o.ID, nil
				}
			}
			fmt.Fprintf(e.stdout, "Please answer with a number from 1 to %d.\n\n", len(q.Options))
		}
		if err == io.EOF {
			return "", &usageError{msg: fmt.Sprintf("input ended before question %s was answered", q.ID), hint: "Pipe one answer per line, or use --answers."}
		}
		if err != nil {
			return "", fmt.Errorf("read answer: %w", err)
		}
	}
	return "", &usageError{msg: fmt.Sprintf("no usable answer to question %s", q.ID)}
}

func printQuestion(w io.Writer, q *guide.QuestionJSON) {
	fmt.Fprintf(w, "\n%s\n", wrap(q.Text, 92, ""))
	fmt.Fprintf(w, "%s\n", wrap("("+q.Why+")", 92, "  "))
	for i, o := range q.Options {
		fmt.Fprintf(w, "  %d) %s [%s]\n", i+1, o.Label, o.ID)
	}
}

func printOutcome(w io.Writer, r guide.Result) {
	fmt.Fprintf(w, "\n== %s\n%s\n\n%s\n", r.Title, strings.ToUpper(r.Verdict), wrap(r.Summary, 92, ""))
	for _, sec := range r.Sections() {
		fmt.Fprintf(w, "\n%s:\n", sec.Title)
		for _, it := range sec.Items {
			fmt.Fprintf(w, "%s\n", wrap("• "+it, 92, "  ")[2:])
		}
	}
	fmt.Fprintf(w, "\n%s\n", guide.Label(r.Lang, "footer"))
}
