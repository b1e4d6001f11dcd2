package index

import (
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/krog-advisor/krog/lang"
)

// Query-planning constants, each measured on the tuning part of the realistic question set (the
// README lists what each moves).
const (
	// expansionBoost weighs glossary translations of the question's terms (at 1 the realistic
	// tuning questions do not move, the regression file loses one first place).
	expansionBoost = 0.8
	// materialBoost weighs the passages of the documents a material named in the question leads
	// to (the materials lexicon).
	materialBoost = 3.0
	// contextWeight is what a word of a long message's context sentences weighs against a word of
	// its question sentence, in the query and in the confidence features.
	contextWeight = 0.35
	// focusMinWords is the length (in words) from which a message's sentences are told apart.
	focusMinWords = 14
)

// concept is one thing a question asks about: a content word, or a glossary term (which may span
// several words and has forms in both languages).
type concept struct {
	forms  map[string][][]string // lang → alternative analyzed token sequences
	weight float64
	anchor bool     // a glossary term or a word of one: evidence the question is in krog's domain
	fixed  int      // forms[...] from this index on are typo corrections
	unseen bool     // a word no passage of either language holds, and no typo of one
	docs   []string // for a material of the lexicon: the documents that deal with it
}

type plan struct {
	queries  map[string]query.Query // by the language of the fields they search
	concepts []concept
	base     string // the language the question's own words were analyzed in
}

// qterm is an analyzed term of the question with its weight (1 in the question sentence,
// contextWeight in the context around it).
type qterm struct {
	term string
	w    float64
}

// plan analyzes the question in both languages, finds glossary terms, and builds the Bleve query:
// for each language, term clauses over that language's fields (with the field boosts), a
// typo-tolerant clause, and the glossary translations of the question's terms. Words that only ask,
// greet or measure (lang.IsFiller) are left out; in a long message the question sentence weighs
// most. User text is only ever analyzed into terms, never parsed as query syntax.
func (ix *Index) plan(text, qlang string) plan {
	var p plan
	focus := focusOf(text)
	toks := map[string][]tok{}
	for l, st := range ix.langs {
		for _, tk := range st.tokens(text) {
			if !lang.IsFiller(text[tk.start:tk.end]) {
				toks[l] = append(toks[l], tk)
			}
		}
	}
	// A word the corpus does not know is corrected once (a scan of the vocabulary), and the
	// correction serves the glossary lookup, the concepts and the query alike.
	memo := map[[2]string][]string{}
	corrections := func(l, t string) []string {
		k := [2]string{l, t}
		if fix, ok := memo[k]; ok {
			return fix
		}
		fix := ix.corrections(l, t)
		memo[k] = fix
		return fix
	}
	// Glossary terms are looked for with typos corrected ("okoljevarstveno dovolenje").
	fixed := map[string][]tok{}
	for l, ts := range toks {
		fixed[l] = slices.Clone(ts)
		for i, tk := range ts {
			if fix := corrections(l, tk.term); len(fix) > 0 {
				fixed[l][i].term = fix[0]
			}
		}
	}
	matches := ix.gloss.find(text, fixed)
	covered := map[string]map[int]bool{"sl": {}, "en": {}}
	for _, m := range matches {
		for l, span := range m.spans {
			for i := span[0]; i < span[1]; i++ {
				covered[l][i] = true
			}
		}
	}
	// Concepts: glossary terms first, then the words no term covers, in the question's language
	// (or in whichever language analysis keeps more of them when the language is unknown).
	base := qlang
	if base == "" {
		base = string(lang.EN)
		if len(toks[string(lang.SL)]) > len(toks[string(lang.EN)]) {
			base = string(lang.SL)
		}
	}
	p.base = base
	other := string(lang.Other(lang.Lang(base)))
	for _, m := range matches {
		c := concept{forms: m.forms, anchor: true, docs: m.docs}
		for l, seqs := range m.forms {
			for _, seq := range seqs {
				for _, t := range seq {
					c.weight = max(c.weight, ix.langs[l].idf(t))
				}
			}
		}
		// The focus weight of where the term stands in the question's own language (the spans of
		// the two analyses point at the same words).
		if span, ok := m.spans[base]; ok {
			c.weight *= focus.weight(toks[base][span[0]].start)
		} else if span, ok := m.spans[other]; ok {
			c.weight *= focus.weight(toks[other][span[0]].start)
		}
		p.concepts = append(p.concepts, c)
	}
	seen := map[string]bool{}
	for i, tk := range toks[base] {
		t := tk.term
		if covered[base][i] || seen[t] {
			continue
		}
		seen[t] = true
		word := text[tk.start:tk.end]
		ot := ix.langs[other].analyze(word)
		known := ix.langs[base].dfOf(t) > 0 || len(ot) == 1 && ix.langs[other].dfOf(ot[0]) > 0
		if !known && strings.ContainsFunc(word, unicode.IsDigit) {
			continue // a number the corpus does not hold (an amount, a year, a phone number)
		}
		c := concept{forms: map[string][][]string{base: {{t}}}, weight: ix.langs[base].idf(t) * focus.weight(tk.start), anchor: ix.gloss.words[base][t], fixed: 1}
		for _, fix := range corrections(base, t) {
			c.forms[base] = append(c.forms[base], []string{fix})
		}
		c.unseen = !known && len(c.forms[base]) == 1
		// The same word analyzed in the other language, so that names, acronyms and numbers
		// ("Kalundborg", "EPR", "2024/1781") count in passages of either language.
		if len(ot) == 1 {
			c.forms[other] = [][]string{{ot[0]}}
		}
		p.concepts = append(p.concepts, c)
	}
	// A word the corpus has never seen weighs no more than the lightest word it knows: "explain
	// the waste hierarchy to our Vrhnika team" is about the waste hierarchy, not about Vrhnika.
	lightest := 0.0
	for _, c := range p.concepts {
		if !c.unseen && (lightest == 0 || c.weight < lightest) {
			lightest = c.weight
		}
	}
	for i := range p.concepts {
		if p.concepts[i].unseen && lightest > 0 {
			p.concepts[i].weight = min(p.concepts[i].weight, lightest)
		}
	}
	p.queries = ix.queries(text, qlang, toks, matches, focus, corrections)
	return p
}

// queries builds the Bleve query of each language.
func (ix *Index) queries(text, qlang string, toks map[string][]tok, matches []glossMatch, focus focus, corrections func(l, t string) []string) map[string]query.Query {
	out := map[string]query.Query{}
	for l, st := range ix.langs {
		var clauses []query.Query
		var own []qterm
		isOwn := map[string]bool{}
		for _, tk := range toks[l] {
			own = append(own, qterm{tk.term, focus.weight(tk.start)})
			isOwn[tk.term] = true
		}
		own = uniqTerms(own)
		var exp []qterm
		for _, t := range st.analyze(expansion(matches, l)) {
			exp = append(exp, qterm{t, 1})
		}
		exp = uniqTerms(exp)
		// add appends a term clause on field for each term, leaving out the common ones when
		// there are rarer ones.
		add := func(dst *[]query.Query, ts []qterm, field string, boost float64) {
			rare := 0
			for _, t := range ts {
				if !ix.common(l, field, t.term) {
					rare++
				}
			}
			for _, t := range ts {
				// Like Elasticsearch's cutoff frequency: a term in most passages adds little to
				// BM25 but costs a walk over most of the index, so it is left out when the
				// question has rarer terms. (The confidence features still count it.)
				if rare > 0 && ix.common(l, field, t.term) {
					continue
				}
				tq := bleve.NewTermQuery(t.term)
				tq.SetField(l + "_" + field)
				tq.SetBoost(boost * t.w)
				*dst = append(*dst, tq)
			}
		}
		if qlang == "" || l == qlang {
			for _, f := range fields {
				add(&clauses, own, f.name, f.boost)
			}
			// The glossary terms' other forms are one clause together, so that a passage without
			// an acronym the question did not use is not marked down for each missing form
			// (Bleve's coordination factor).
			exp = slices.DeleteFunc(exp, func(t qterm) bool { return isOwn[t.term] })
			var group []query.Query
			for _, f := range fields {
				add(&group, exp, f.name, f.boost*expansionBoost)
			}
			if len(group) > 0 {
				clauses = append(clauses, bleve.NewDisjunctionQuery(group...))
			}
			// Typos: a word the corpus has never seen is replaced by the closest term it has.
			for _, tk := range toks[l] {
				for _, fix := range corrections(l, tk.term) {
					tq := bleve.NewTermQuery(fix)
					tq.SetField(l + "_body")
					tq.SetBoost(focus.weight(tk.start)) // a correction counts like the word (a weight below 1 moved nothing)
					clauses = append(clauses, tq)
				}
			}
		} else {
			// The other language: the glossary's translations of the question's terms, and the
			// question's own words against the tags, where names and acronyms live.
			add(&clauses, exp, "body", expansionBoost)
			add(&clauses, exp, "tags", tagsBoost*expansionBoost)
			add(&clauses, own, "tags", tagsBoost)
		}
		// A material named in the question leads to the documents that deal with it.
		var ids []string
		for _, m := range matches {
			for _, d := range m.docs {
				ids = append(ids, ix.passages[d+"/"+l]...)
			}
		}
		if len(ids) > 0 {
			dq := bleve.NewDocIDQuery(ids)
			dq.SetBoost(materialBoost)
			clauses = append(clauses, dq)
		}
		if len(clauses) > 0 {
			out[l] = bleve.NewDisjunctionQuery(clauses...)
		}
	}
	return out
}

// uniqTerms keeps the first of each term, with the largest weight any of its copies has.
func uniqTerms(ts []qterm) []qterm {
	at := map[string]int{}
	out := ts[:0:0]
	for _, t := range ts {
		if i, ok := at[t.term]; ok {
			out[i].w = max(out[i].w, t.w)
			continue
		}
		at[t.term] = len(out)
		out = append(out, t)
	}
	return out
}

// focus is the part of a long message that asks: byte ranges of its question sentences. An empty
// focus weighs every word alike.
type focus [][2]int

func (f focus) weight(at int) float64 {
	if len(f) == 0 {
		return 1
	}
	for _, r := range f {
		if at >= r[0] && at < r[1] {
			return 1
		}
	}
	return contextWeight
}

// focusOf finds the question sentences of a message of several sentences: those that end with a
// question mark, or else the last one with words. Greetings and signatures fall outside and, with
// the context, weigh contextWeight.
func focusOf(text string) focus {
	if len(strings.Fields(text)) < focusMinWords {
		return nil
	}
	var sents [][2]int
	from := 0
	for i, r := range text {
		if r == '?' || r == '!' || r == '\n' || r == '.' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n') {
			sents = append(sents, [2]int{from, i + 1})
			from = i + 1
		}
	}
	if from < len(text) {
		sents = append(sents, [2]int{from, len(text)})
	}
	var f focus
	for _, s := range sents {
		if strings.HasSuffix(strings.TrimSpace(text[s[0]:s[1]]), "?") {
			f = append(f, s)
		}
	}
	if len(f) == 0 {
		for i := len(sents) - 1; i >= 0; i-- {
			if len(contentWords(text[sents[i][0]:sents[i][1]])) >= 2 {
				f = append(f, sents[i])
				break
			}
		}
	}
	if len(f) == 0 || len(f) == len(sents) {
		return nil
	}
	return f
}

// contentWords are the words of s that are not fillers.
func contentWords(s string) []string {
	return slices.DeleteFunc(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), lang.IsFiller)
}

// commonDF is the share of a language's passages above which a term is too common to search for,
// in a corpus of at least commonMin passages (in a handful of passages every term is "common").
// In a large corpus (largeCorpus passages in a language) the passages' long body text is searched
// for the question's rarer terms only (largeBodyDF): they find the candidates, and the common
// terms still count in the short fields and in the features that judge the candidates.
const (
	commonDF    = 0.5
	commonMin   = 100
	largeCorpus = 10_000
	largeBodyDF = 0.05
)

// common reports whether term t is too common in language l to be searched for in field.
func (ix *Index) common(l, field, t string) bool {
	st := ix.langs[l]
	share := commonDF
	if field == "body" && st.n >= largeCorpus {
		share = largeBodyDF
	}
	return st.n >= commonMin && float64(st.dfOf(t)) > share*float64(st.n)
}
