package index

import (
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/analysis"
)

// stats is one language's analysis and the statistics of its terms: the analyzer, an id for every
// analyzed term (term sets hold ids), how many passages hold each term, and the sorted vocabulary
// that typo correction scans.
type stats struct {
	analyzer analysis.Analyzer
	ids      map[string]uint32 // analyzed term → id
	terms    []string          // term by id
	df       []int             // passages holding the term, by id
	vocab    []string          // every term, sorted
	n        int               // passages in this language
}

func newStats(a analysis.Analyzer) *stats {
	return &stats{analyzer: a, ids: map[string]uint32{}}
}

// analyze returns the analyzed terms of text.
func (st *stats) analyze(text string) []string {
	ts := st.analyzer.Analyze([]byte(text))
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// tokens returns the analyzed terms of text with the byte range of the word each came from.
func (st *stats) tokens(text string) []tok {
	ts := st.analyzer.Analyze([]byte(text))
	out := make([]tok, len(ts))
	for i, t := range ts {
		out[i] = tok{term: string(t.Term), start: t.Start, end: t.End}
	}
	return out
}

// set makes the term set of lists, giving new terms an id.
func (st *stats) set(lists ...[]string) termSet {
	n := 0
	for _, ts := range lists {
		n += len(ts)
	}
	set := make(termSet, 0, n)
	for _, ts := range lists {
		for _, t := range ts {
			id, ok := st.ids[t]
			if !ok {
				id = uint32(len(st.terms))
				st.ids[t] = id
				st.terms = append(st.terms, t)
				st.df = append(st.df, 0)
			}
			set = append(set, id)
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// count adds one passage holding the terms of set.
func (st *stats) count(set termSet) {
	for _, id := range set {
		st.df[id]++
	}
	st.n++
}

// finish sorts the vocabulary once every passage is counted.
func (st *stats) finish() { st.vocab = slices.Sorted(slices.Values(st.terms)) }

// has reports whether set holds term t.
func (st *stats) has(set termSet, t string) bool {
	id, ok := st.ids[t]
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(set, id)
	return found
}

// holdsAll reports whether set holds every term of a non-empty sequence.
func (st *stats) holdsAll(set termSet, seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	for _, t := range seq {
		if !st.has(set, t) {
			return false
		}
	}
	return true
}

// dfOf is the number of passages holding term t.
func (st *stats) dfOf(t string) int {
	if id, ok := st.ids[t]; ok {
		return st.df[id]
	}
	return 0
}

// idf is a smoothed inverse document frequency of term t among the language's passages.
func (st *stats) idf(t string) float64 {
	n := float64(st.n)
	return math.Log(1 + (n+1)/(float64(st.dfOf(t))+0.5))
}

// termSet is a sorted set of the ids of one language's terms: compact, and free of pointers for
// the garbage collector, which matters with a hundred thousand passages.
type termSet []uint32

// tok is an analyzed term with the byte range of the word it came from.
type tok struct {
	term       string
	start, end int
}
