package index

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/krog-advisor/krog/knowledge"
)

// glossMatcher finds glossary terms in a question, in either language, by their analyzed token
// sequences — so inflected and unaccented forms ("stranskih proizvodov", "krozno gospodarstvo")
// match the glossary's dictionary forms.
type glossMatcher struct {
	entries []glossEntry
	byFirst map[string]map[string][]formRef // lang → first token → forms starting with it
	words   map[string]map[string]bool      // lang → every analyzed word of a term or tag: the domain's words
}

type glossEntry struct {
	term  *knowledge.Term
	forms map[string][][]string // lang → analyzed token sequences of every form
	raw   map[string][]string   // lang → the forms as written (for query expansion)
	docs  []string              // documents of the materials that share a form with this entry
}

// formRef is one analyzed form of an entry.
type formRef struct {
	entry int
	seq   []string
}

// glossMatch is a glossary term found in a question.
type glossMatch struct {
	term   *knowledge.Term
	forms  map[string][][]string
	raw    map[string][]string
	docs   []string          // the documents a material among the entry's names leads to
	spans  map[string][2]int // lang → token span [from, to) in the question's analysis
	single bool              // every span is one token
}

var parens = regexp.MustCompile(`\s*\([^)]*\)`)

func newGlossMatcher(g *knowledge.Glossary, analyze func(l, text string) []string) *glossMatcher {
	gm := &glossMatcher{
		words:   map[string]map[string]bool{"sl": {}, "en": {}},
		byFirst: map[string]map[string][]formRef{"sl": {}, "en": {}},
	}
	if g == nil {
		return gm
	}
	for _, t := range g.Terms {
		e := glossEntry{term: t, forms: map[string][][]string{}, raw: map[string][]string{}}
		for l, names := range map[string][]string{"sl": t.SL, "en": t.EN} {
			var variants []string
			for _, n := range slices.Concat(names, t.Acronyms, t.Aliases) {
				variants = append(variants, n)
				// "predelava (odpadkov)": the words in brackets are optional.
				if short := strings.TrimSpace(parens.ReplaceAllString(n, "")); short != n && short != "" {
					variants = append(variants, short)
				}
			}
			for _, v := range variants {
				seq := analyze(l, v)
				if len(seq) == 0 || containsSeq(e.forms[l], seq) {
					continue
				}
				e.forms[l] = append(e.forms[l], seq)
				e.raw[l] = append(e.raw[l], v)
				for _, w := range seq {
					gm.words[l][w] = true
				}
			}
		}
		e.docs = t.Docs
		for l, seqs := range e.forms {
			for _, seq := range seqs {
				// A material named like a glossary term ("žagovina"): the term keeps the match,
				// and the material's documents join it.
				for _, f := range gm.byFirst[l][seq[0]] {
					if slices.Equal(f.seq, seq) {
						gm.entries[f.entry].docs = uniqAppend(gm.entries[f.entry].docs, t.Docs...)
						e.docs = uniqAppend(e.docs, gm.entries[f.entry].docs...)
					}
				}
				gm.byFirst[l][seq[0]] = append(gm.byFirst[l][seq[0]], formRef{len(gm.entries), seq})
			}
		}
		gm.entries = append(gm.entries, e)
	}
	return gm
}

// uniqAppend appends the values of add that list does not hold.
func uniqAppend(list []string, add ...string) []string {
	for _, a := range add {
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	return list
}

func containsSeq(seqs [][]string, seq []string) bool {
	for _, s := range seqs {
		if slices.Equal(s, seq) {
			return true
		}
	}
	return false
}

// find returns the glossary terms in the question, longest first, without overlaps.
func (gm *glossMatcher) find(text string, toks map[string][]tok) []glossMatch {
	type cand struct {
		e        int
		l        string
		from, to int
	}
	var cands []cand
	for _, l := range []string{"sl", "en"} {
		qt := toks[l]
		for s := range qt {
			for _, f := range gm.byFirst[l][qt[s].term] {
				if s+len(f.seq) > len(qt) {
					continue
				}
				ok := true
				for j, t := range f.seq {
					if qt[s+j].term != t {
						ok = false
						break
					}
				}
				if ok {
					cands = append(cands, cand{f.entry, l, s, s + len(f.seq)})
				}
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].to-cands[a].from > cands[b].to-cands[b].from })
	used := map[string][]bool{"sl": make([]bool, len(toks["sl"])), "en": make([]bool, len(toks["en"]))}
	byEntry := map[int]*glossMatch{}
	var order []int
	for _, c := range cands {
		free := true
		for i := c.from; i < c.to; i++ {
			if used[c.l][i] {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for i := c.from; i < c.to; i++ {
			used[c.l][i] = true
		}
		m := byEntry[c.e]
		if m == nil {
			e := gm.entries[c.e]
			m = &glossMatch{term: e.term, forms: e.forms, raw: e.raw, docs: e.docs, spans: map[string][2]int{}, single: true}
			byEntry[c.e] = m
			order = append(order, c.e)
		}
		if _, ok := m.spans[c.l]; !ok {
			m.spans[c.l] = [2]int{c.from, c.to}
			if c.to-c.from > 1 {
				m.single = false
			}
		}
	}
	out := make([]glossMatch, 0, len(order))
	for _, i := range order {
		out = append(out, *byEntry[i])
	}
	return out
}

// expansion is the text added to the query over language l's fields: the forms in l of every
// glossary term of the question. A one-word match to a one-word form is left to Bleve's synonym
// expansion, which handles exactly that case.
func expansion(ms []glossMatch, l string) string {
	var b strings.Builder
	for _, m := range ms {
		for i, f := range m.raw[l] {
			if m.single && len(m.forms[l]) > i && len(m.forms[l][i]) == 1 {
				continue
			}
			b.WriteString(f)
			b.WriteString(" . ")
		}
	}
	return b.String()
}
