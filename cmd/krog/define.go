package main

import (
	"fmt"
	"strings"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

type termJSON struct {
	Term         string   `json:"term"`
	SL           string   `json:"sl"`
	EN           string   `json:"en"`
	Acronyms     []string `json:"acronyms"`
	DefinitionSL string   `json:"definition_sl"`
	DefinitionEN string   `json:"definition_en"`
}

func termOf(q string, t *knowledge.Term) termJSON {
	acr := t.Acronyms
	if acr == nil {
		acr = []string{}
	}
	return termJSON{Term: q, SL: strings.Join(t.SL, " | "), EN: strings.Join(t.EN, " | "), Acronyms: acr, DefinitionSL: t.DefSL, DefinitionEN: t.DefEN}
}

func cmdDefine(e *env, args []string) error {
	fs := newFlags(e, "define", "[--json] TERM", "Look a term up in the Slovene–English glossary, in either language (inflected and\nunaccented forms too). Prints both terms and both definitions; exits 1 with the closest entries\nwhen there is no entry.")
	asJSON := fs.Bool("json", false, "print one JSON object")
	dir := knowledgeFlag(e, fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	q, _ := answer.Clean(strings.Join(rest, " "))
	if q == "" {
		return &usageError{msg: "no term given", hint: "Example: krog define \"stranski proizvod\""}
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	t, close := idx.Define(q)
	if t == nil {
		l := lang.Resolve(lang.Unknown, q, "", lang.EN)
		fmt.Fprintf(e.stdout, "%s %q.\n", answer.T(l, "define_none"), q)
		if len(close) > 0 {
			fmt.Fprintln(e.stdout, answer.T(l, "define_close"))
			for _, c := range close {
				fmt.Fprintf(e.stdout, "  • %s — %s\n", c.SL[0], c.EN[0])
			}
		}
		return silentError{"no entry"}
	}
	if *asJSON {
		return writeJSON(e.stdout, termOf(q, t))
	}
	acr := ""
	if len(t.Acronyms) > 0 {
		acr = " (" + strings.Join(t.Acronyms, ", ") + ")"
	}
	fmt.Fprintf(e.stdout, "%s — %s%s\n\n", strings.Join(t.SL, " / "), strings.Join(t.EN, " / "), acr)
	fmt.Fprintf(e.stdout, "sl: %s\n\nen: %s\n", wrap(t.DefSL, 92, ""), wrap(t.DefEN, 92, ""))
	return nil
}

func cmdTopics(e *env, args []string) error {
	fs := newFlags(e, "topics", "[--lang sl|en]", "List the knowledge base's documents by topic, with their one-line summaries.")
	l := fs.String("lang", "en", "list documents in `sl` or en")
	dir := knowledgeFlag(e, fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	tl, err := cliLang("--lang", *l)
	if err != nil {
		return err
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	for _, g := range answer.Topics(idx.Corpus(), tl) {
		fmt.Fprintf(e.stdout, "%s (%d)\n", g.Name, len(g.Docs))
		for _, d := range g.Docs {
			fmt.Fprintf(e.stdout, "  • %s — %s\n", d.Title, answer.FirstSentence(d.Summary))
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func cmdAnalyze(e *env, args []string) error {
	fs := newFlags(e, "analyze", "[--lang sl|en] [--json] TEXT", "Show the terms krog's analyzer makes of a text (as Elasticsearch's _analyze does), so you can\nsee why a search matched.")
	l := fs.String("lang", "", "analyzer: `sl` or en (default: the text's language, Slovene when unsure)")
	asJSON := fs.Bool("json", false, "print a JSON array of {term, position, start, end}")
	dir := knowledgeFlag(e, fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	al, err := cliLang("--lang", *l)
	if err != nil {
		return err
	}
	text := strings.Join(rest, " ")
	if strings.TrimSpace(text) == "" {
		return &usageError{msg: "no text given", hint: "Example: krog analyze --lang sl \"stranskih proizvodov\""}
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	// Analysis needs a language: the text's own, else Slovene (the analyzer krog wrote itself).
	*l = string(lang.Resolve(al, text, "", lang.SL))
	toks := idx.Analyze(*l, text)
	if *asJSON {
		if toks == nil {
			return writeJSON(e.stdout, []any{})
		}
		return writeJSON(e.stdout, toks)
	}
	fmt.Fprintf(e.stdout, "analyzer: %s\n", *l)
	for _, t := range toks {
		fmt.Fprintf(e.stdout, "%3d  %-20s %q [%d:%d]\n", t.Position, t.Term, text[t.Start:t.End], t.Start, t.End)
	}
	return nil
}
