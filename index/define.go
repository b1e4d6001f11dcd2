package index

import (
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// Define looks term up in the glossary, in either language: the analyzed forms must match, so
// inflected and unaccented forms ("stranskih proizvodov", "prenehanje statusa odpadka") find their
// entry. When nothing matches it returns nil and up to three close entries.
func (ix *Index) Define(term string) (*knowledge.Term, []*knowledge.Term) {
	term = strings.TrimSpace(term)
	if term == "" {
		return nil, nil
	}
	for _, l := range []string{"sl", "en"} {
		seq := ix.analyze(l, term)
		if len(seq) == 0 {
			continue
		}
		for _, e := range ix.gloss.entries {
			if containsSeq(e.forms[l], seq) {
				return e.term, nil
			}
		}
	}
	return nil, ix.closeTerms(term, 3)
}

// closeTerms ranks entries by how similar their forms are to the query: shared analyzed words
// first, then edit distance of the folded strings.
func (ix *Index) closeTerms(q string, n int) []*knowledge.Term {
	fq := lang.Fold(q)
	words := map[string]bool{}
	for _, l := range []string{"sl", "en"} {
		for _, t := range ix.analyze(l, q) {
			words[t] = true
		}
	}
	type scored struct {
		t *knowledge.Term
		s float64
	}
	var all []scored
	for _, e := range ix.gloss.entries {
		best := 0.0
		for l, seqs := range e.forms {
			for i, seq := range seqs {
				shared := 0
				for _, t := range seq {
					if words[t] {
						shared++
					}
				}
				s := float64(shared) / float64(max(len(seq), len(words)))
				form := lang.Fold(e.raw[l][i])
				d := search.LevenshteinDistance(fq, form)
				if sim := 1 - float64(d)/float64(max(len(fq), len(form))); sim > s {
					s = sim
				}
				best = max(best, s)
			}
		}
		if best >= 0.4 {
			all = append(all, scored{e.term, best})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].s > all[j].s })
	var out []*knowledge.Term
	for _, s := range all {
		if len(out) == n {
			break
		}
		if !slices.Contains(out, s.t) {
			out = append(out, s.t)
		}
	}
	return out
}
