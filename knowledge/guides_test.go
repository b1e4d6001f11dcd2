package knowledge

import (
	"fmt"
	"strings"
	"testing"
)

const goodGuide = `id: g
updated: 2026-12-03
title: {sl: Naslov, en: Title}
summary: {sl: Povzetek, en: Summary}
start: q1
questions:
  - id: q1
    text: {sl: "Vprašanje?", en: "Question?"}
    why: {sl: Zato., en: Because.}
    find_out: {sl: Vprašajte MOPE., en: Ask MOPE.}
    options:
      - {id: "yes", next: q2, reason: {sl: Da., en: Yes.}}
      - {id: "no", next: o-no}
      - {id: unknown, next: q2}
  - id: q2
    text: {sl: "Drugo?", en: "Second?"}
    why: {sl: Zato., en: Because.}
    find_out: {sl: Vprašajte IRSOE., en: Ask IRSOE.}
    options:
      - {id: "yes", next: o-yes}
      - {id: unknown, next: o-yes}
outcomes:
  - id: o-yes
    if_unknown: o-unknown
    verdict: {sl: Verjetno da, en: Likely yes}
    summary: {sl: P, en: S}
    next_steps: [{sl: Korak, en: Step}]
    sources: [{title: Act, url: "https://eur-lex.europa.eu/"}]
  - id: o-no
    verdict: {sl: Ne, en: "No"}
    summary: {sl: P, en: S}
    next_steps: [{sl: Korak, en: Step}]
    sources: [{title: Act, url: "https://eur-lex.europa.eu/"}]
  - id: o-unknown
    verdict: {sl: Ne vemo, en: Cannot tell}
    summary: {sl: P, en: S}
    next_steps: [{sl: Korak, en: Step}]
    sources: [{title: Act, url: "https://eur-lex.europa.eu/"}]
`

func TestGuideLint(t *testing.T) {
	g, probs := ParseGuide("guides/g.yaml", []byte(goodGuide), nil)
	if g == nil || len(probs) > 0 {
		t.Fatalf("good guide refused: %v", probs)
	}
	if g.Question("q1").Option("unknown").Label.SL != "Ne vem" {
		t.Error("default labels not applied")
	}
	for name, tt := range map[string]struct{ old, new, want string }{
		"no unknown option":  {`      - {id: unknown, next: o-yes}`, ``, `no "unknown" option`},
		"unreachable":        {`      - {id: "no", next: o-no}`, `      - {id: "no", next: o-yes}`, "outcome o-no is never reached"},
		"loop":               {`      - {id: "yes", next: o-yes}`, `      - {id: "yes", next: q1}`, "loops back to q1"},
		"dangling next":      {`next: o-no}`, `next: nowhere}`, `leads to "nowhere"`},
		"one language":       {`why: {sl: Zato., en: Because.}`, `why: {sl: Zato.}`, "needs both sl and en"},
		"no sources":         {"    sources: [{title: Act, url: \"https://eur-lex.europa.eu/\"}]\n  - id: o-unknown", "    sources: []\n  - id: o-unknown", "outcome o-no has no sources"},
		"reason in one lang": {`reason: {sl: Da., en: Yes.}`, `reason: {sl: Da.}`, "reason in one language only"},
		"unknown field":      {`updated: 2026-12-03`, `updated: 2026-12-03` + "\nauthor: x", "not a valid guide"},
		"empty question":     {"questions:\n", "questions:\n  -\n", "empty list item"},
		"empty outcome":      {"outcomes:\n", "outcomes:\n  -\n", "empty list item"},
		"empty option":       {"    options:\n      - {id: \"yes\", next: q2,", "    options:\n      -\n      - {id: \"yes\", next: q2,", "has an empty option"},
	} {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(goodGuide, tt.old, tt.new, 1)
			if src == goodGuide {
				t.Fatalf("the test's edit %q changed nothing", tt.old)
			}
			g, probs := ParseGuide("guides/g.yaml", []byte(src), nil)
			if g != nil || !strings.Contains(fmt.Sprint(probs), tt.want) {
				t.Errorf("problems %v, want one with %q", probs, tt.want)
			}
		})
	}
}

func TestEmbeddedGuides(t *testing.T) {
	c, probs := Load(Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	if len(c.Guides) == 0 || c.Guide("by-product") == nil {
		t.Fatalf("guides: %d", len(c.Guides))
	}
}
