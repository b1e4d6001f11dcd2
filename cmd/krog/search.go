package main

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// passageJSON is one passage as `search --json` and `export` print it.
type passageJSON struct {
	ID           string   `json:"id"`
	Doc          string   `json:"doc"`
	Title        string   `json:"title"`
	Section      string   `json:"section"`
	Lang         string   `json:"lang"`
	Topic        string   `json:"topic"`
	Jurisdiction string   `json:"jurisdiction"`
	Score        *float64 `json:"score,omitempty"`
	Text         string   `json:"text"`
	Snippet      *string  `json:"snippet,omitempty"`
	URL          string   `json:"url"`
}

func passageOf(s *knowledge.Section) passageJSON {
	d := s.Doc
	p := passageJSON{ID: s.ID, Doc: d.ID, Title: d.Title, Section: s.Heading, Lang: d.Lang, Topic: d.Topic, Jurisdiction: d.Jurisdiction, Text: s.Text}
	if len(d.Sources) > 0 {
		p.URL = d.Sources[0].URL
	}
	return p
}

func cmdSearch(e *env, args []string) error {
	fs := newFlags(e, "search", "[--json] [-k N] [--lang sl|en] QUERY",
		"List the passages that match a query, best first, with the matching words highlighted.")
	asJSON := fs.Bool("json", false, "print a JSON array")
	k := fs.Int("k", 10, "number of `passages`")
	l := langFlag(fs)
	dir := knowledgeFlag(e, fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	sl, err := cliLang("--lang", *l)
	if err != nil {
		return err
	}
	if *k < 1 || *k > 100 {
		return &usageError{msg: fmt.Sprintf("-k %d: use a number from 1 to 100", *k)}
	}
	q, err := question("search", rest)
	if err != nil {
		return err
	}
	q, _, err = answer.Prepare(q)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	idx, err := e.load(*dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	// Search has no answer language: the question's own, or none (both languages alike).
	ql := lang.Resolve(sl, q, "", lang.Unknown)
	res, err := idx.Search(e.ctx, index.Query{Text: q, Lang: ql, K: *k})
	if err != nil {
		return err
	}
	out := make([]passageJSON, 0, len(res.Hits))
	for _, h := range res.Hits {
		p := passageOf(h.Section)
		score := math.Round(h.Score*1e4) / 1e4
		snip := idx.Snippet(h.Section, h.Terms, answer.SnippetLen).Render("**", "**", nil)
		p.Score, p.Snippet = &score, &snip
		out = append(out, p)
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "No passages match.")
		return nil
	}
	if !res.Found {
		fmt.Fprintln(e.stdout, "(low confidence: `krog ask` would say it has no guidance on this)")
	}
	for i, p := range out {
		fmt.Fprintf(e.stdout, "%2d. %.3f (coverage %.2f)  %s — %s  [%s, %s]\n", i+1, *p.Score, res.Hits[i].Coverage, p.Title, p.Section, p.Lang, p.ID)
		fmt.Fprintln(e.stdout, wrap(*p.Snippet, 96, "    "))
	}
	return nil
}

func cmdExport(e *env, args []string) error {
	fs := newFlags(e, "export", "[--knowledge DIR]", "Print every passage as one JSON object per line (same fields as `search --json`, without score and snippet).")
	dir := knowledgeFlag(e, fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	c, err := e.corpus(*dir)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, s := range c.Sections() {
		if err := enc.Encode(passageOf(s)); err != nil {
			return err
		}
	}
	return nil
}

func cmdLint(e *env, args []string) error {
	fs := newFlags(e, "lint", "[--knowledge DIR]", "Check the knowledge base: every problem on its own line as path:line: message.\nExits 1 when there is any error (warnings alone exit 0).")
	dir := knowledgeFlag(e, fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fsys, name, err := corpusFS(*dir)
	if err != nil {
		return err
	}
	c, probs := knowledge.Load(fsys)
	for _, p := range probs {
		fmt.Fprintln(e.stdout, p.String())
	}
	errs := probs.Errors()
	materials := 0
	for _, t := range c.Glossary.Terms {
		if t.Material {
			materials++
		}
	}
	fmt.Fprintf(e.stderr, "%s: %d documents, %d passages, %d glossary terms, %d materials, %d guides; %d errors, %d warnings\n",
		name, len(c.Docs), len(c.Sections()), len(c.Glossary.Terms)-materials, materials, len(c.Guides), errs, len(probs)-errs)
	if errs > 0 {
		return silentError{"lint found errors"}
	}
	return nil
}
