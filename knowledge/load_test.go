package knowledge

import (
	"strings"
	"testing"
	"testing/fstest"
)

const goodEN = `---
id: by-product
lang: en
title: When is a residue a by-product?
topic: regulation
jurisdiction: EU
tags: [by-product, residue]
summary: >-
  A residue is a by-product when four conditions hold. Otherwise it is waste.
sources:
  - title: Directive 2008/98/EC
    url: https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32008L0098
updated: 2026-11-27
---

## The four conditions

Further use is certain,
it can be used directly.

- first item
- second item
  continues here

## Evidence

Keep **contracts** and specifications.
`

func withLang(doc, lang string) string {
	return strings.Replace(doc, "lang: en", "lang: "+lang, 1)
}

func TestLoadGoodCorpus(t *testing.T) {
	fsys := fstest.MapFS{
		"docs/en/by-product.md": {Data: []byte(goodEN)},
		"docs/sl/by-product.md": {Data: []byte(withLang(goodEN, "sl"))},
		"glossary.tsv":          {Data: []byte("sl\ten\tacronyms\tdefinition_sl\tdefinition_en\nstranski proizvod\tby-product\t\tOstanek, ki ni odpadek.\tA residue that is not waste.\n")},
	}
	c, probs := Load(fsys)
	if probs.Errors() != 0 {
		t.Fatalf("unexpected errors: %v", probs)
	}
	if len(c.Docs) != 2 {
		t.Fatalf("got %d docs, want 2", len(c.Docs))
	}
	d := c.Doc("by-product", "en")
	if d == nil {
		t.Fatal("by-product/en not found")
	}
	if got, want := len(d.Sections), 2; got != want {
		t.Fatalf("got %d sections, want %d", got, want)
	}
	s := d.Sections[0]
	if s.ID != "by-product/en/1" || s.Heading != "The four conditions" || s.Line != 16 {
		t.Errorf("section 1 = %q %q line %d", s.ID, s.Heading, s.Line)
	}
	wantText := "Further use is certain, it can be used directly.\n\n- first item\n- second item continues here"
	if s.Text != wantText {
		t.Errorf("text = %q\nwant %q", s.Text, wantText)
	}
	if got := d.Sections[1].Text; got != "Keep contracts and specifications." {
		t.Errorf("bold markers not dropped: %q", got)
	}
	if d.UpdatedString() != "2026-11-27" || d.Summary != "A residue is a by-product when four conditions hold. Otherwise it is waste." {
		t.Errorf("front matter: updated %q summary %q", d.UpdatedString(), d.Summary)
	}
	if len(c.Glossary.Terms) != 1 || c.Glossary.Terms[0].EN[0] != "by-product" {
		t.Errorf("glossary: %+v", c.Glossary.Terms)
	}
	// Passage word counts are below the guideline: warnings only.
	for _, p := range probs {
		if !p.Warning {
			t.Errorf("unexpected error %s", p)
		}
	}
}

func TestLoadReportsProblems(t *testing.T) {
	tests := []struct {
		name string
		path string
		doc  string
		want string // substring of one problem, "path:line: error: message"
	}{
		{"no front matter", "docs/en/x.md", "# hello\n", "docs/en/x.md:1: error: missing front matter"},
		{"unclosed front matter", "docs/en/by-product.md", "---\nid: by-product\n", "front matter is not closed"},
		{"bad yaml", "docs/en/by-product.md", "---\nid: [\n---\n## A\ntext\n", "not valid YAML"},
		{"unknown field", "docs/en/by-product.md", strings.Replace(goodEN, "topic: regulation", "topic: regulation\nauthor: me", 1), "docs/en/by-product.md:6: error: unknown field \"author\""},
		{"bad lang", "docs/en/by-product.md", strings.Replace(goodEN, "lang: en", "lang: de", 1), ":3: error: lang \"de\" must be one of sl, en"},
		{"lang vs folder", "docs/sl/by-product.md", goodEN, "but the file is in the sl folder"},
		{"bad topic", "docs/en/by-product.md", strings.Replace(goodEN, "topic: regulation", "topic: law", 1), ":5: error: topic \"law\""},
		{"bad jurisdiction", "docs/en/by-product.md", strings.Replace(goodEN, "jurisdiction: EU", "jurisdiction: US", 1), ":6: error: jurisdiction \"US\""},
		{"missing field", "docs/en/by-product.md", strings.Replace(goodEN, "topic: regulation\n", "", 1), "missing field \"topic\""},
		{"summary too long", "docs/en/by-product.md", strings.Replace(goodEN, "A residue is", strings.Repeat("word ", 130)+"A residue is", 1), "characters, at most 600"},
		{"no source", "docs/en/by-product.md", strings.Replace(goodEN, "sources:\n  - title: Directive 2008/98/EC\n    url: https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32008L0098\n", "sources: []\n", 1), "no source"},
		{"malformed url", "docs/en/by-product.md", strings.Replace(goodEN, "https://eur-lex", "eur-lex", 1), ":12: error: source 1 has a malformed url"},
		{"bad date", "docs/en/by-product.md", strings.Replace(goodEN, "2026-11-27", "27.11.2026", 1), "must be a date YYYY-MM-DD"},
		{"empty passage", "docs/en/by-product.md", strings.Replace(goodEN, "## Evidence\n\nKeep **contracts** and specifications.\n", "## Evidence\n\n", 1), ":25: error: empty passage \"Evidence\""},
		{"no passages", "docs/en/by-product.md", goodEN[:strings.Index(goodEN, "## The")], "no passages"},
		{"id vs file", "docs/en/other.md", goodEN, "does not match the file name other.md"},
		{"bad id", "docs/en/By_Product.md", strings.Replace(goodEN, "id: by-product", "id: By_Product", 1), "must be lowercase words joined by hyphens"},
		{"not utf8", "docs/en/by-product.md", "---\nid: \xff\n---\n", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Load(fstest.MapFS{tt.path: {Data: []byte(tt.doc)}})
			var all []string
			for _, p := range probs {
				all = append(all, p.String())
			}
			joined := strings.Join(all, "\n")
			if !strings.Contains(joined, tt.want) {
				t.Errorf("want a problem containing %q, got:\n%s", tt.want, joined)
			}
			if probs.Errors() == 0 {
				t.Errorf("want at least one error, got only:\n%s", joined)
			}
		})
	}
}

func TestLoadCorpusLevelProblems(t *testing.T) {
	fsys := fstest.MapFS{
		"docs/en/by-product.md":   {Data: []byte(goodEN)},
		"docs/en/a/by-product.md": {Data: []byte(goodEN)},
	}
	_, probs := Load(fsys)
	var dup, missing bool
	for _, p := range probs {
		dup = dup || (!p.Warning && strings.Contains(p.Msg, "duplicate document \"by-product\""))
		missing = missing || (p.Warning && strings.Contains(p.Msg, "no sl version"))
	}
	if !dup || !missing {
		t.Errorf("want a duplicate error and a missing-version warning, got %v", probs)
	}
	if err := probs.Err(); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("Err() = %v", err)
	}
}

func TestLoadEmptyAndBrokenGlossary(t *testing.T) {
	_, probs := Load(fstest.MapFS{})
	if probs.Errors() == 0 {
		t.Error("an empty corpus must be an error")
	}
	_, probs = ParseGlossary("glossary.tsv", []byte("wrong header\nonly\ttwo\n"))
	if probs.Errors() != 2 {
		t.Errorf("want 2 errors (header, columns), got %v", probs)
	}
}

// TestEmbeddedCorpus checks the knowledge base that ships: no errors, every document in both
// languages.
func TestEmbeddedCorpus(t *testing.T) {
	c, probs := Load(Embedded())
	for _, p := range probs {
		if !p.Warning {
			t.Errorf("%s", p)
		}
	}
	if len(c.Docs) < 16 {
		t.Errorf("embedded corpus has %d documents, want at least 8 in two languages", len(c.Docs))
	}
	for _, d := range c.Docs {
		other := map[string]string{"en": "sl", "sl": "en"}[d.Lang]
		if c.Doc(d.ID, other) == nil {
			t.Errorf("%s: no %s version", d.Path, other)
		}
	}
}
