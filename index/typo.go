package index

import (
	"strings"

	"github.com/blevesearch/bleve/v2/search"
)

// corrections returns the term of language l's vocabulary closest to t (edit distance 1, or 2 for
// words of 10 letters or more) when t itself is unknown to the corpus — krog's typo tolerance.
// Bleve's fuzzy queries would do the same on every term of every question and cost 10× the whole
// search; the vocabulary is small enough to scan only for the rare unknown word.
func (ix *Index) corrections(l, t string) []string {
	st := ix.langs[l]
	if len(t) < 4 || st.dfOf(t) > 0 || strings.ContainsAny(t, "0123456789") {
		return nil
	}
	maxD := 1
	if len(t) >= 10 {
		maxD = 2
	}
	best, bestD, bestDF := "", maxD+1, 0
	var row []int
	for _, v := range st.vocab {
		if d := len(v) - len(t); d > maxD || d < -maxD || v[0] != t[0] {
			continue
		}
		var d int
		var over bool
		d, over, row = search.LevenshteinDistanceMaxReuseSlice(t, v, maxD, row)
		if over || d > maxD {
			continue
		}
		if df := st.dfOf(v); d < bestD || (d == bestD && df > bestDF) {
			best, bestD, bestDF = v, d, df
		}
	}
	if best == "" {
		return nil
	}
	return []string{best}
}
