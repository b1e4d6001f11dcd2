package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/krog-advisor/krog/lang"
	"io"
	"os"
	"strings"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
)

func cmdAsk(e *env, args []string) error {
	fs := newFlags(e, "ask", "[--json] [--lang sl|en] [-k N] [--no-llm] [--stream] QUESTION",
		"Answer a question from the knowledge base: the curated summary, the best passage with your\nwords highlighted, and the sources. Slovene or English; the answer comes in the question's language.")
	asJSON := fs.Bool("json", false, "print one JSON object")
	l := langFlag(fs)
	k := fs.Int("k", 3, "number of `sources`")
	noLLM := fs.Bool("no-llm", false, "answer extractively even if an LLM is configured")
	stream := fs.Bool("stream", false, "print the LLM's answer as it arrives")
	dir := knowledgeFlag(e, fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	al, err := cliLang("--lang", *l)
	if err != nil {
		return err
	}
	if *k < 1 || *k > 20 {
		return &usageError{msg: fmt.Sprintf("-k %d: use a number from 1 to 20", *k)}
	}
	q, err := question("ask", rest)
	if err != nil {
		return err
	}
	if _, _, err := answer.Prepare(q); err != nil {
		var ie *answer.InputError
		if errors.As(err, &ie) {
			return &usageError{msg: ie.Message(lang.EN), hint: ie.Message(lang.SL)}
		}
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	cfg, err := llmConfig(e, *noLLM)
	if err != nil {
		return err
	}
	svc := answer.New(idx, cfg)
	req := answer.Request{Question: q, Lang: al, K: *k, NoLLM: *noLLM}
	var shown strings.Builder // the text streamed
	if *stream && !*asJSON && svc.LLM() {
		req.OnDelta = func(s string) {
			shown.WriteString(s)
			fmt.Fprint(e.stdout, s)
		}
	}
	rep, err := svc.Answer(e.ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, rep)
	}
	streamed := shown.Len() > 0
	if streamed {
		fmt.Fprint(e.stdout, "\n")
	}
	if streamed && rep.Mode != "llm" || req.OnDelta != nil && rep.Fallback == "truncated" {
		// The stream broke off (perhaps before any of it could be shown) and krog fell back: say
		// so before the extractive answer.
		if streamed {
			fmt.Fprint(e.stdout, "\n")
		}
		fmt.Fprintf(e.stdout, "(%s)\n\n", answer.T(rep.Lang, "stream_broken"))
		streamed = false
	}
	// The text streamed is the answer's, unless something went wrong: then print it whole.
	printReply(e.stdout, rep, isTerminal(e.stdout) && e.getenv("NO_COLOR") == "", streamed && shown.String() == rep.LLMText)
	if g := idx.Corpus().GuideFor(rep.DocID); g != nil && rep.Found {
		fmt.Fprintf(e.stdout, "\n%s: krog check %s --lang %s\n", answer.T(rep.Lang, "check"), g.ID, rep.Lang)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// printReply renders an answer for a terminal: bold, dim and highlighted with ANSI codes when
// color is on, highlights as **markdown** otherwise.
func printReply(w io.Writer, rep answer.Reply, color, skipText bool) {
	style := func(code string) func(string) string {
		return func(s string) string {
			if !color || s == "" {
				return s
			}
			return code + s + "\x1b[0m"
		}
	}
	bold, dim := style("\x1b[1m"), style("\x1b[2m")
	hiOpen, hiClose := "**", "**"
	if color {
		hiOpen, hiClose = "\x1b[1;33m", "\x1b[0m"
	}
	l := rep.Lang
	for _, n := range rep.Notices {
		fmt.Fprintf(w, "%s\n\n", dim("("+n+")"))
	}
	if !rep.Found {
		fmt.Fprintln(w, wrap(answer.T(l, "not_found")+" "+answer.T(l, "not_found_covers"), 96, ""))
		if len(rep.Suggestions) > 0 {
			fmt.Fprintf(w, "\n%s\n", answer.T(l, "not_found_close"))
			for _, s := range rep.Suggestions {
				fmt.Fprintf(w, "  • %s\n", s)
			}
		}
		fmt.Fprintf(w, "\n%s\n", answer.T(l, "not_found_browse"))
		return
	}
	if rep.Confidence == string(index.Low) {
		fmt.Fprintf(w, "%s\n\n", wrap(answer.T(l, "low"), 96, ""))
	}
	if rep.Mode == "llm" {
		if !skipText {
			fmt.Fprintln(w, wrap(rep.LLMText, 96, ""))
		}
	} else {
		fmt.Fprintln(w, bold(rep.Title))
		fmt.Fprintln(w, wrap(rep.Summary, 96, ""))
		if rep.LangNote != "" {
			fmt.Fprintln(w, dim("("+rep.LangNote+")"))
		}
		fmt.Fprintf(w, "\n%s\n", dim("» "+answer.T(l, "best_passage")+": "+rep.Heading))
		fmt.Fprintln(w, wrap(rep.Passage.Render(hiOpen, hiClose, nil), 96, "  "))
	}
	fmt.Fprintf(w, "\n%s\n", bold(answer.T(l, "sources")+":"))
	for i, s := range rep.Sources {
		fmt.Fprintf(w, "  [%d] %s — %s (%s, %s %s)\n", i+1, s.Title, s.Section, s.Jurisdiction, answer.T(l, "updated"), s.Updated)
		for _, link := range s.Links {
			fmt.Fprintf(w, "      %s\n", dim(link.Title+": "+link.URL))
		}
	}
	if len(rep.Related) > 0 {
		fmt.Fprintf(w, "\n%s\n", bold(answer.T(l, "related")+":"))
		for _, q := range rep.Related {
			fmt.Fprintf(w, "  • %s\n", q)
		}
	}
	fmt.Fprintf(w, "\n%s\n", dim(answer.T(l, "footer")))
}

// wrap breaks text into lines of at most width runes, each prefixed with indent.
func wrap(text string, width int, indent string) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := indent
		n := len([]rune(indent))
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		for i, wd := range words {
			wl := len([]rune(wd))
			if i > 0 && n+1+wl > width {
				out = append(out, line)
				line, n = indent, len([]rune(indent))
			} else if i > 0 {
				line += " "
				n++
			}
			line += wd
			n += wl
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
