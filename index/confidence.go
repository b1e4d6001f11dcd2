package index

import (
	"math"
	"slices"
)

// Confidence is how sure krog is that its best document answers the question.
type Confidence string

// The three tiers: high answers; low shows "the closest guidance I have" with the best few
// documents; none says krog has no guidance and never asks a model.
const (
	High Confidence = "high"
	Low  Confidence = "low"
	None Confidence = "none"
)

// Features are what the confidence model knows of a question and its best document. Each is
// cheap to compute from the plan and the term sets built with the index.
type Features struct {
	Coverage float64 `json:"coverage"` // weighted share of the question's concepts the best document holds
	Domain   float64 `json:"domain"`   // weighted share of the question's domain terms (glossary, tags) it holds; 0 if the question has none
	Anchored float64 `json:"anchored"` // 1 if it holds a domain term of the question
	Unseen   float64 `json:"unseen"`   // share of the question's concepts that no passage holds
	Key      float64 `json:"key"`      // 1 if it holds the question's weightiest concept
	Asked    float64 `json:"asked"`    // the most of the question one of its "asked as" questions holds
	Head     float64 `json:"head"`     // weighted share of the question its title and tags hold
	Top3     float64 `json:"top3"`     // weighted share of the question the first three documents hold together
	Material float64 `json:"material"` // 1 if the question names a material of the lexicon that leads to it (not in Vector: see tier)
	Score    float64 `json:"score"`    // log(1 + the best passage's score)
	Margin   float64 `json:"margin"`   // (best − the next document's best) / best
	Length   float64 `json:"length"`   // log(1 + the question's concepts)
}

// Vector is the features in the model's order.
func (f Features) Vector() []float64 {
	return []float64{f.Coverage, f.Domain, f.Anchored, f.Unseen, f.Key, f.Asked, f.Head, f.Top3, f.Score, f.Margin, f.Length}
}

// FeatureNames name the entries of Vector, for the refit's generated code and reports.
var FeatureNames = []string{"coverage", "domain", "anchored", "unseen", "key", "asked", "head", "top3", "score", "margin", "length"}

// probability is the logistic model's estimate that the best document serves the question.
func (f Features) probability() float64 {
	z := modelBias
	for i, x := range f.Vector() {
		z += modelWeights[i] * x
	}
	return 1 / (1 + math.Exp(-z))
}

// A question whose best document holds less than floorCoverage of it, or whose words are mostly
// unknown to the corpus (more than ceilUnseen), gets none whatever the model says: the model was
// fitted on questions of ordinary length and must not be trusted outside them (a long message of
// chit-chat has many concepts, a long "length", and little else).
const (
	floorCoverage = 0.1
	ceilUnseen    = 0.6
	// maxLength caps the length feature at twelve concepts, the longest questions the model saw
	// in numbers.
	maxLength = 12
)

// materialCoverage is the share of a question its best document must hold for a material named
// in it to lift the confidence to low.
const materialCoverage = 0.5

// tier turns a probability into a confidence tier with the model's thresholds. A question that
// names a material of the lexicon whose curated documents include the best one, has no word the
// corpus does not know, and is at least half held by that document gets at least low confidence —
// "the closest guidance I have" — however short it is: the lexicon is the curators' own statement
// that the document deals with that material.
func tier(p float64, f Features) Confidence {
	switch {
	case f.Coverage < floorCoverage || f.Unseen > ceilUnseen:
		return None
	case p >= HighAt:
		return High
	case p >= LowAt || f.Material == 1 && f.Unseen == 0 && f.Coverage >= materialCoverage:
		return Low
	}
	return None
}

// features describes the question and the document of the best hit.
func (ix *Index) features(p plan, hits []Hit) Features {
	best := hits[0].Section.Doc
	dk := docKey(best)
	l := best.Lang
	var f Features
	cov, anchored, _ := ix.coverage(p, ix.docTerms[dk], l, best.ID)
	f.Coverage = cov
	if anchored {
		f.Anchored = 1
	}
	var domTotal, domGot, unseen, heaviest float64
	for _, c := range p.concepts {
		if c.unseen {
			unseen++
		}
		if len(c.docs) > 0 && slices.Contains(c.docs, best.ID) {
			f.Material = 1
		}
		if c.weight > heaviest {
			heaviest = c.weight
			f.Key = 0
			if ix.holds(c, ix.docTerms[dk], l, best.ID) {
				f.Key = 1
			}
		}
		if c.anchor {
			domTotal += c.weight
			if ix.holds(c, ix.docTerms[dk], l, best.ID) {
				domGot += c.weight
			}
		}
	}
	if domTotal > 0 {
		f.Domain = domGot / domTotal
	}
	f.Unseen = unseen / float64(len(p.concepts))
	for _, set := range ix.asked[dk] {
		a, _, _ := ix.coverage(p, set, l, best.ID)
		f.Asked = max(f.Asked, a)
	}
	f.Head, _, _ = ix.coverage(p, ix.head[dk], l, best.ID)
	// The first three documents of the best one's language, together.
	var union termSet
	var seen []string
	for _, h := range hits {
		d := h.Section.Doc
		if d.Lang != l || slices.Contains(seen, d.ID) {
			continue
		}
		seen = append(seen, d.ID)
		union = append(union, ix.docTerms[docKey(d)]...)
		if len(seen) == 3 {
			break
		}
	}
	slices.Sort(union)
	f.Top3, _, _ = ix.coverage(p, slices.Compact(union), l, seen...)
	f.Score = math.Log1p(hits[0].Score)
	for _, h := range hits[1:] {
		if h.Section.Doc.ID != best.ID {
			f.Margin = (hits[0].Score - h.Score) / hits[0].Score
			break
		}
	}
	if len(hits) == 1 || f.Margin == 0 && hits[len(hits)-1].Section.Doc.ID == best.ID {
		f.Margin = 1
	}
	f.Length = math.Log1p(float64(min(len(p.concepts), maxLength)))
	return f
}

// holds reports whether a set of language l holds one of the concept's forms, or, for a
// material, whether one of docs is a document of the material's.
func (ix *Index) holds(c concept, set termSet, l string, docs ...string) bool {
	if slices.ContainsFunc(docs, func(d string) bool { return slices.Contains(c.docs, d) }) {
		return true
	}
	st := ix.langs[l]
	return slices.ContainsFunc(c.forms[l], func(seq []string) bool { return st.holdsAll(set, seq) })
}

// coverage is the weighted share of the question's concepts that a passage or document of
// language l with analyzed terms set contains (a typo's correction counts half; a material counts
// in the documents it names, docs being the document ids set belongs to), whether one of them is a
// domain anchor, and the terms that matched.
func (ix *Index) coverage(p plan, set termSet, l string, docs ...string) (float64, bool, []string) {
	st := ix.langs[l]
	var got, total float64
	var anchored bool
	var terms []string
	for _, c := range p.concepts {
		cw := c.weight
		total += cw
		if len(c.docs) > 0 && slices.ContainsFunc(docs, func(d string) bool { return slices.Contains(c.docs, d) }) {
			got += cw
			anchored = true
			continue
		}
		for i, seq := range c.forms[l] {
			if st.holdsAll(set, seq) {
				w := cw
				if c.fixed > 0 && i >= c.fixed && l == p.base {
					w /= 2
				}
				got += w
				anchored = anchored || c.anchor
				terms = append(terms, seq...)
				break
			}
		}
	}
	if total == 0 {
		return 0, false, nil
	}
	return got / total, anchored, terms
}
