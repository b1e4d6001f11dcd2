package index

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// translatedFactor scales a passage whose document also exists in the asker's language: that
// version answers them better, so this one only fills the list when nothing else does. (Two other
// factors of the first version — for passages only in the other language, and for a question that
// begins a document's title — moved no result on the realistic tuning questions and went.)
const translatedFactor = 0.2

// Query is what to search for.
type Query struct {
	Text string
	Lang lang.Lang // the language to answer in; lang.Unknown: no preference
	// Words is the language the question is written in, when it differs from Lang (an English
	// question answered in Slovene); "" means Lang.
	Words lang.Lang
	K     int // passages to return
}

// Hit is one retrieved passage.
type Hit struct {
	Section  *knowledge.Section
	Score    float64
	Coverage float64  // share of the question's concepts this passage contains, weighted by rarity
	Terms    []string // analyzed query terms (in the passage's language) that it contains
}

// Result is a ranked list of passages and the confidence verdict on the best one's document.
type Result struct {
	Hits       []Hit
	Confidence Confidence // high, low or none
	P          float64    // the confidence model's probability that the answer serves the question
	Features   Features   // what the model saw
	Found      bool       // Confidence is high or low
	Took       time.Duration
}

// Search ranks passages for q and judges the best one's document.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	start := time.Now()
	if q.K <= 0 {
		q.K = 5
	}
	words := q.Words
	if words == lang.Unknown {
		words = q.Lang
	}
	// Inside the index languages are the keys of its per-language data (the documents' lang
	// field), plain strings.
	ql := string(q.Lang)
	plan := ix.plan(q.Text, string(words))
	if len(plan.concepts) == 0 || len(plan.queries) == 0 {
		return Result{Confidence: None, Took: time.Since(start)}, nil
	}
	// Each language's clauses only match passages of that language, so the two languages are
	// searched apart and merged: the asker's language always gets its full share of candidates,
	// however strongly a translated glossary term scores in the other.
	size := max(30, q.K*2)
	var found search.DocumentMatchCollection
	for _, l := range slices.Sorted(maps.Keys(plan.queries)) {
		req := bleve.NewSearchRequestOptions(plan.queries[l], size, 0, false)
		res, err := ix.bi.SearchInContext(ctx, req)
		if err != nil {
			return Result{}, fmt.Errorf("search: %w", err)
		}
		found = append(found, res.Hits...)
	}
	hits := make([]Hit, 0, len(found))
	for _, h := range found {
		s := ix.sections[h.ID]
		if s == nil {
			continue
		}
		cov, _, terms := ix.coverage(plan, ix.terms[s.ID], s.Doc.Lang, s.Doc.ID)
		score := h.Score
		if ql != "" && s.Doc.Lang != ql && ix.corpus.Doc(s.Doc.ID, ql) != nil {
			score *= translatedFactor
		}
		// Passages that hold more of the question rank first among near equals.
		score *= 0.5 + cov
		hits = append(hits, Hit{Section: s, Score: score, Coverage: cov, Terms: terms})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	r := Result{Confidence: None}
	if len(hits) > 0 {
		r.Features = ix.features(plan, hits)
		r.P = r.Features.probability()
		r.Confidence = tier(r.P, r.Features)
		r.Found = r.Confidence != None
	}
	if len(hits) > q.K {
		hits = hits[:q.K]
	}
	r.Hits = hits
	r.Took = time.Since(start)
	return r, nil
}
