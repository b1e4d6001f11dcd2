// Package index is krog's retrieval core, and the only package that knows Bleve: the mapping and
// analyzers (English, and krog's own Slovene), building an in-memory scorch index from the corpus,
// cross-language query construction from the glossary, the confidence rule that turns a ranking into
// "found" or "not found", and highlighted snippets. It returns plain Hit values.
package index

import (
	"context"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// Fields and boosts. A passage is indexed as its body (document title, heading and text), its head
// (title and heading) and its document's curated tags. Tuned on knowledge/eval/questions.jsonl: a
// grid over title, heading, tags and summary boosts as separate fields (81 combinations; hit@3
// summed over both languages ranged from 1.83 to 1.91) showed tags as the strongest signal — they
// hold the words and acronyms people search with — and title, heading and text counting alike,
// while the summary (shared by every passage of a document) added nothing. One body field instead
// of three, and no summary field, kept hit@3 and halved query time; the head field on top lifted
// hit@3 by about one point per language (a question that is a document's title finds it first).
const tagsBoost = 3.0

var fieldBoosts = []struct {
	name  string
	boost float64
}{
	{"body", 1.0}, // analyzePassages and Build rely on this order
	{"head", 1.0},
	{"tags", tagsBoost},
}

const (
	// otherLangFactor scales the score of a passage not in the question's language (from a
	// document written in that language only), so that the asker's language wins a near tie but
	// a much better passage in the other language still shows.
	otherLangFactor = 0.8
	// translatedFactor scales a passage whose document also exists in the asker's language: that
	// version answers them better, so this one only fills the list when nothing else does.
	translatedFactor = 0.2
	// typoBoost weighs a typo's correction against an exact match.
	typoBoost = 0.3
	// expansionBoost weighs glossary translations of the question's terms.
	expansionBoost = 0.8
	batchSize      = 10_000
	// titleFactor lifts the passages of a document whose title begins with the question (at least
	// minTitlePrefix characters of it).
	titleFactor    = 1.5
	minTitlePrefix = 8
)

// Options changes how an index is built; the zero value is krog's normal configuration.
type Options struct {
	// SlAnalyzer replaces the Slovene analyzer, for the ablation (e.g. "standard", "hr").
	SlAnalyzer string
}

// Index is a built, searchable corpus. It is safe for concurrent searches.
type Index struct {
	bi       bleve.Index
	corpus   *knowledge.Corpus
	analyzer map[string]analysis.Analyzer // by language
	sections map[string]*knowledge.Section
	ids      map[string]map[string]uint32 // lang → analyzed term → its id in term sets
	terms    map[string]termSet           // passage id → terms of all its fields
	docTerms map[string]termSet           // doc id/lang → terms of all its passages
	docHead  map[string]termSet           // doc id/lang → terms of its title
	df       map[string]map[string]int    // lang → term → passages containing it
	nByLang  map[string]int
	vocab    map[string][]string       // lang → every analyzed term, sorted, for typo correction
	vocabOf  map[string][]string       // lang → term by id
	titles   map[*knowledge.Doc]string // folded titles, words joined by single spaces
	gloss    *glossMatcher
}

// Build indexes every passage of the corpus in memory (scorch, BM25).
func Build(ctx context.Context, c *knowledge.Corpus, opt Options) (*Index, error) {
	im := bleve.NewIndexMapping()
	if err := addAnalyzers(im); err != nil {
		return nil, fmt.Errorf("define analyzers: %w", err)
	}
	slA := AnalyzerSl
	if opt.SlAnalyzer != "" {
		slA = opt.SlAnalyzer
	}
	anames := map[string]string{"sl": slA, "en": AnalyzerEn}
	im.ScoringModel = "bm25"
	im.DefaultAnalyzer = AnalyzerEn
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	dm := bleve.NewDocumentStaticMapping()
	for l, a := range anames {
		src := "syn_" + l
		if err := im.AddSynonymSource(src, map[string]any{"collection": src, "analyzer": a}); err != nil {
			return nil, fmt.Errorf("synonym source %s: %w", src, err)
		}
		for _, f := range fieldBoosts {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = a
			fm.Store = false
			fm.IncludeInAll = false
			fm.IncludeTermVectors = false
			fm.DocValues = false
			fm.SynonymSource = src
			dm.AddFieldMappingsAt(l+"_"+f.name, fm)
		}
	}
	im.DefaultMapping = dm
	bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	ix := &Index{
		bi: bi, corpus: c,
		analyzer: map[string]analysis.Analyzer{},
		sections: map[string]*knowledge.Section{},
		ids:      map[string]map[string]uint32{"sl": {}, "en": {}},
		vocabOf:  map[string][]string{},
		terms:    map[string]termSet{},
		docTerms: map[string]termSet{},
		docHead:  map[string]termSet{},
		df:       map[string]map[string]int{"sl": {}, "en": {}},
		nByLang:  map[string]int{},
	}
	for l, a := range anames {
		if ix.analyzer[l] = im.AnalyzerNamed(a); ix.analyzer[l] == nil {
			bi.Close()
			return nil, fmt.Errorf("no analyzer %q", a)
		}
	}
	// Passages are analyzed once, by krog, on all CPUs, a batch at a time: the token streams go to
	// Bleve as they are (replayed), and their terms into the sets behind the confidence rule.
	sections := c.Sections()
	docs := ix.analyzeDocs(c.Docs)
	for from := 0; from < len(sections); from += batchSize {
		chunk := sections[from:min(from+batchSize, len(sections))]
		streams := ix.analyzePassages(chunk)
		batch := bi.NewBatch()
		for i, s := range chunk {
			d := s.Doc
			l := d.Lang
			doc := document.NewDocument(s.ID)
			for f, ts := range streams[i] {
				doc.AddField(document.NewTextFieldCustom(l+"_"+fieldBoosts[f].name, nil, nil, bleveindex.IndexField, replay(ts)))
			}
			doc.AddField(document.NewTextFieldCustom(l+"_tags", nil, nil, bleveindex.IndexField, replay(docs[d].tags)))
			doc.SetIndexed()
			if err := batch.IndexAdvanced(doc); err != nil {
				bi.Close()
				return nil, fmt.Errorf("index %s: %w", s.ID, err)
			}
			ix.sections[s.ID] = s
			dk := d.ID + "/" + l
			if _, ok := ix.docHead[dk]; !ok {
				ix.docHead[dk] = ix.termSet(l, docs[d].title)
			}
			set := ix.termSet(l, docs[d].terms, terms(streams[i][0]))
			ix.terms[s.ID] = set
			ix.docTerms[dk] = append(ix.docTerms[dk], set...)
			for _, id := range set {
				ix.df[l][ix.vocabOf[l][id]]++
			}
			ix.nByLang[l]++
		}
		if err := bi.Batch(batch); err != nil {
			bi.Close()
			return nil, fmt.Errorf("index batch: %w", err)
		}
		if err := ctx.Err(); err != nil {
			bi.Close()
			return nil, err
		}
	}
	for dk, ts := range ix.docTerms {
		slices.Sort(ts)
		ix.docTerms[dk] = slices.Compact(ts)
	}
	ix.vocab = map[string][]string{}
	for l, terms := range ix.vocabOf {
		ix.vocab[l] = slices.Sorted(slices.Values(terms))
	}
	ix.titles = make(map[*knowledge.Doc]string, len(c.Docs))
	for _, d := range c.Docs {
		ix.titles[d] = titleKey(d.Title)
	}
	ix.gloss = newGlossMatcher(c.Glossary, ix.analyze)
	// The words of the documents' curated tags are domain words too.
	for d, a := range docs {
		for _, t := range a.tags {
			ix.gloss.words[d.Lang][string(t.Term)] = true
		}
	}
	if err := ix.indexSynonyms(); err != nil {
		bi.Close()
		return nil, err
	}
	return ix, nil
}

// docAnalysis is krog's analysis of a document's own fields.
type docAnalysis struct {
	tags  analysis.TokenStream // indexed in every passage's tags field
	title []string             // terms of the title
	terms []string             // terms of title, tags and summary
}

// analyzeDocs analyzes every document's own fields.
func (ix *Index) analyzeDocs(docs []*knowledge.Doc) map[*knowledge.Doc]docAnalysis {
	out := make(map[*knowledge.Doc]docAnalysis, len(docs))
	for _, d := range docs {
		a := ix.analyzer[d.Lang]
		out[d] = docAnalysis{
			tags:  a.Analyze([]byte(strings.Join(d.Tags, ", "))),
			title: ix.analyze(d.Lang, d.Title),
			terms: ix.analyze(d.Lang, d.Title+"\n"+strings.Join(d.Tags, ", ")+"\n"+d.Summary),
		}
	}
	return out
}

// analyzePassages analyzes the indexed fields of each passage (in fieldBoosts order, tags aside),
// on all CPUs.
func (ix *Index) analyzePassages(sections []*knowledge.Section) [][2]analysis.TokenStream {
	out := make([][2]analysis.TokenStream, len(sections))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(sections); i += workers {
				s := sections[i]
				head := s.Doc.Title + "\n" + s.Heading
				body := ix.analyzer[s.Doc.Lang].Analyze([]byte(head + "\n" + s.Text))
				// The head field's tokens are the body's first ones.
				n := 0
				for n < len(body) && body[n].End <= len(head) {
					n++
				}
				out[i] = [2]analysis.TokenStream{body, body[:n:n]}
			}
		})
	}
	wg.Wait()
	return out
}

// replay is an analyzer that returns a token stream analyzed before, so that Bleve indexes exactly
// what krog analyzed without doing the work again.
type replay analysis.TokenStream

func (r replay) Analyze([]byte) analysis.TokenStream { return analysis.TokenStream(r) }

func terms(ts analysis.TokenStream) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// termSet is a sorted set of the ids of one language's terms: compact, and free of pointers for
// the garbage collector, which matters with a hundred thousand passages.
type termSet []uint32

// termSet makes the set of the terms in lists, giving new terms of language l an id.
func (ix *Index) termSet(l string, lists ...[]string) termSet {
	ids := ix.ids[l]
	n := 0
	for _, ts := range lists {
		n += len(ts)
	}
	set := make(termSet, 0, n)
	for _, ts := range lists {
		for _, t := range ts {
			id, ok := ids[t]
			if !ok {
				id = uint32(len(ids))
				ids[t] = id
				ix.vocabOf[l] = append(ix.vocabOf[l], t)
			}
			set = append(set, id)
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// has reports whether set (of language l) holds term t.
func (ix *Index) has(l string, set termSet, t string) bool {
	id, ok := ix.ids[l][t]
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(set, id)
	return found
}

// Close releases the index.
func (ix *Index) Close() error { return ix.bi.Close() }

// Len is the number of passages indexed.
func (ix *Index) Len() int { return len(ix.sections) }

// Corpus is the corpus the index was built from.
func (ix *Index) Corpus() *knowledge.Corpus { return ix.corpus }

// Token is one term an analyzer produced, with its place in the input.
type Token struct {
	Term     string `json:"term"`
	Position int    `json:"position"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
}

// Analyze runs the analyzer of language l ("sl" or "en") over text.
func (ix *Index) Analyze(l, text string) []Token {
	var out []Token
	for _, t := range ix.analyzer[l].Analyze([]byte(text)) {
		out = append(out, Token{Term: string(t.Term), Position: t.Position, Start: t.Start, End: t.End})
	}
	return out
}

// tok is an analyzed term with the byte range of the word it came from.
type tok struct {
	term       string
	start, end int
}

func (ix *Index) tokens(l, text string) []tok {
	ts := ix.analyzer[l].Analyze([]byte(text))
	out := make([]tok, len(ts))
	for i, t := range ts {
		out[i] = tok{string(t.Term), t.Start, t.End}
	}
	return out
}

func (ix *Index) analyze(l, text string) []string {
	a := ix.analyzer[l]
	if a == nil {
		return nil
	}
	ts := a.Analyze([]byte(text))
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// indexSynonyms loads the glossary into Bleve's synonym sources. Bleve expands only terms that
// analyze to a single token, so this covers acronyms and one-word terms (EPR ↔ PRO, odpadek ↔
// waste); multi-word terms are bridged by the glossary matcher at query time (see expand).
func (ix *Index) indexSynonyms() error {
	batch := ix.bi.NewBatch()
	for i, t := range ix.corpus.Glossary.Terms {
		forms := slices.Concat(t.SL, t.EN, t.Acronyms)
		for l := range ix.analyzer {
			var single []string
			for _, f := range forms {
				if len(ix.analyze(l, f)) == 1 && !slices.Contains(single, f) {
					single = append(single, f)
				}
			}
			if len(single) < 2 {
				continue
			}
			col := "syn_" + l
			if err := batch.IndexSynonym(fmt.Sprintf("%s-%d", l, i), col, &bleve.SynonymDefinition{Synonyms: single}); err != nil {
				return fmt.Errorf("glossary line %d: %w", t.Line, err)
			}
		}
	}
	if err := ix.bi.Batch(batch); err != nil {
		return fmt.Errorf("index synonyms: %w", err)
	}
	return nil
}

// Query is what to search for.
type Query struct {
	Text string
	Lang string // the asker's language: "sl", "en" or "" (no preference)
	K    int    // passages to return
}

// Hit is one retrieved passage.
type Hit struct {
	Section  *knowledge.Section
	Score    float64
	Coverage float64  // share of the question's concepts this passage contains, weighted by rarity
	Anchored bool     // it contains at least one glossary term of the question
	Terms    []string // analyzed query terms (in the passage's language) that it contains
}

// Result is a ranked list of passages and the confidence verdict.
type Result struct {
	Hits  []Hit
	Found bool
	Took  time.Duration
}

// MinCoverage is the confidence rule: krog answers only when the document of its best passage
// contains at least this share of what the question is about (each content word or glossary term
// of the question, weighted by how rare it is in the corpus; words the corpus has never seen weigh
// most), and at least one of the matched words is a domain word (a word of a glossary term or of a
// document's tags). An off-topic question ("Who won the football world cup?") shares at best a
// common word or a year with the corpus; a question in krog's domain shares its key terms.
const MinCoverage = 0.5

// MinSubjectCoverage is the lower bar for a question that names the subject of the document — a
// domain term in the document's title ("What happened in Kalundborg?").
const MinSubjectCoverage = 0.4

// subjectDF is the largest share of a language's passages a subject term may occur in: "water" is
// in too many passages to make a question about water reuse.
const subjectDF = 0.15

// namesSubject reports whether the question holds a specific domain term found in the title of
// document dk.
func (ix *Index) namesSubject(p plan, dk, l string) bool {
	head := ix.docHead[dk]
	limit := subjectDF * float64(ix.nByLang[l])
	for _, c := range p.concepts {
		if !c.anchor {
			continue
		}
		for _, seq := range c.forms[l] {
			ok := len(seq) > 0
			for _, t := range seq {
				if !ix.has(l, head, t) || float64(ix.df[l][t]) > limit {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// Search ranks passages for q.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	start := time.Now()
	if q.K <= 0 {
		q.K = 5
	}
	plan := ix.plan(q.Text, q.Lang)
	if len(plan.concepts) == 0 {
		return Result{Took: time.Since(start)}, nil
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
		cov, anchored, terms := ix.coverage(plan, ix.terms[s.ID], s.Doc.Lang)
		score := h.Score
		if q.Lang != "" && s.Doc.Lang != q.Lang {
			if ix.corpus.Doc(s.Doc.ID, q.Lang) != nil {
				score *= translatedFactor
			} else {
				score *= otherLangFactor
			}
		}
		// Passages that hold more of the question rank first among near equals.
		score *= 0.5 + cov
		// A question that is how a document's title begins is that document's question ("Kaj je
		// krožno gospodarstvo?" → "Kaj je krožno gospodarstvo in zakaj …").
		if len(plan.prefix) >= minTitlePrefix && strings.HasPrefix(ix.titles[s.Doc], plan.prefix) {
			score *= titleFactor
		}
		hits = append(hits, Hit{Section: s, Score: score, Coverage: cov, Anchored: anchored, Terms: terms})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	// The verdict looks at the best passage's whole document: the answer is the document's summary
	// and passage, and "What happened in Kalundborg?" is answered by the Kalundborg document even
	// if its best passage never says "happened".
	var r Result
	if len(hits) > 0 {
		d := hits[0].Section.Doc
		dk := d.ID + "/" + d.Lang
		cov, anchored, _ := ix.coverage(plan, ix.docTerms[dk], d.Lang)
		r.Found = anchored && (cov >= MinCoverage || cov >= MinSubjectCoverage && ix.namesSubject(plan, dk, d.Lang))
	}
	if len(hits) > q.K {
		hits = hits[:q.K]
	}
	r.Hits = hits
	r.Took = time.Since(start)
	return r, nil
}

// concept is one thing a question asks about: a content word, or a glossary term (which may span
// several words and has forms in both languages).
type concept struct {
	forms  map[string][][]string // lang → alternative analyzed token sequences
	weight float64
	anchor bool // a glossary term or a word of one: evidence the question is in krog's domain
	fixed  int  // forms[...] from this index on are typo corrections
}

type plan struct {
	prefix   string                 // the question folded, its words joined by single spaces, end punctuation dropped
	queries  map[string]query.Query // by the language of the fields they search
	concepts []concept
	base     string // the language the question's own words were analyzed in
}

// plan analyzes the question in both languages, finds glossary terms, and builds the Bleve query:
// for each language, match clauses over that language's fields (with the field boosts), a
// typo-tolerant clause, and the glossary translations of the question's terms. User text is only
// ever passed to match queries, never parsed as query syntax.
func (ix *Index) plan(text, qlang string) plan {
	p := plan{prefix: titleKey(text)}
	clauses := map[string][]query.Query{}
	toks := map[string][]tok{}
	for l := range ix.analyzer {
		toks[l] = ix.tokens(l, text)
	}
	matches := ix.gloss.find(text, toks)
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
		base = "en"
		if len(toks["sl"]) > len(toks["en"]) {
			base = "sl"
		}
	}
	p.base = base
	for _, m := range matches {
		c := concept{forms: m.forms, anchor: true}
		for l, seqs := range m.forms {
			for _, seq := range seqs {
				for _, t := range seq {
					c.weight = math.Max(c.weight, ix.idf(l, t))
				}
			}
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
		c := concept{forms: map[string][][]string{base: {{t}}}, weight: ix.idf(base, t), anchor: ix.gloss.words[base][t]}
		c.fixed = 1
		for _, fix := range ix.corrections(base, t) {
			c.forms[base] = append(c.forms[base], []string{fix})
		}
		// The same word analyzed in the other language, so that names, acronyms and numbers
		// ("Kalundborg", "EPR", "2024/1781") count in passages of either language.
		other := "en"
		if base == "en" {
			other = "sl"
		}
		if ot := ix.analyze(other, text[tk.start:tk.end]); len(ot) == 1 {
			c.forms[other] = [][]string{{ot[0]}}
		}
		p.concepts = append(p.concepts, c)
	}
	for l := range ix.analyzer {
		// match is a match query on field, built from terms analyzed once here rather than once
		// per clause by Bleve.
		own := map[string]bool{}
		for _, t := range toks[l] {
			own[t.term] = true
		}
		match := func(text, field string, boost float64, skipOwn bool) {
			terms := uniq(ix.analyze(l, text))
			if skipOwn {
				terms = slices.DeleteFunc(terms, func(t string) bool { return own[t] })
			}
			rare := 0
			for _, t := range terms {
				if !ix.common(l, field, t) {
					rare++
				}
			}
			for _, t := range terms {
				// Like Elasticsearch's cutoff frequency: a term in most passages adds little to
				// BM25 but costs a walk over most of the index, so it is left out when the
				// question has rarer terms. (Coverage still counts it.)
				if rare > 0 && ix.common(l, field, t) {
					continue
				}
				tq := bleve.NewTermQuery(t)
				tq.SetField(l + "_" + field)
				tq.SetBoost(boost)
				clauses[l] = append(clauses[l], tq)
			}
		}
		exp := expansion(matches, l)
		if qlang == "" || l == qlang {
			// The question in its own language; its glossary terms' other forms are one clause
			// together, so that a passage without an acronym the question did not use is not
			// marked down for each missing form (Bleve's coordination factor).
			for _, f := range fieldBoosts {
				match(text, f.name, f.boost, false)
			}
			if exp != "" {
				outer := clauses[l]
				clauses[l] = nil
				for _, f := range fieldBoosts {
					match(exp, f.name, f.boost*expansionBoost, true)
				}
				group := clauses[l]
				clauses[l] = outer
				if len(group) > 0 {
					clauses[l] = append(clauses[l], bleve.NewDisjunctionQuery(group...))
				}
			}
			// Typos: a word the corpus has never seen is replaced by the closest term it has.
			for _, t := range toks[l] {
				for _, fix := range ix.corrections(l, t.term) {
					tq := bleve.NewTermQuery(fix)
					tq.SetField(l + "_body")
					tq.SetBoost(typoBoost)
					clauses[l] = append(clauses[l], tq)
				}
			}
			continue
		}
		// The other language: the glossary's translations of the question's terms, and the
		// question's own words against the tags, where names and acronyms live.
		if exp != "" {
			match(exp, "body", expansionBoost, false)
			match(exp, "tags", tagsBoost*expansionBoost, false)
		}
		match(text, "tags", tagsBoost, false)
	}
	p.queries = map[string]query.Query{}
	for l, cs := range clauses {
		p.queries[l] = bleve.NewDisjunctionQuery(cs...)
	}
	return p
}

// commonDF is the share of a language's passages above which a term is too common to search for,
// in a corpus of at least commonMin passages (in a handful of passages every term is "common").
// In a large corpus (largeCorpus passages in a language) the passages' long body text is searched
// for the question's rarer terms only (largeBodyDF): they find the candidates, and the common
// terms still count in the short fields and in the coverage that ranks the candidates.
const (
	commonDF    = 0.5
	commonMin   = 100
	largeCorpus = 10_000
	largeBodyDF = 0.05
)

// common reports whether term t is too common in language l to be searched for in field.
func (ix *Index) common(l, field, t string) bool {
	n := ix.nByLang[l]
	share := commonDF
	if field == "body" && n >= largeCorpus {
		share = largeBodyDF
	}
	return n >= commonMin && float64(ix.df[l][t]) > share*float64(n)
}

// idf is a smoothed inverse document frequency of an analyzed term among passages of language l;
// a term the corpus has never seen gets the highest weight.
func (ix *Index) idf(l, t string) float64 {
	n := float64(ix.nByLang[l])
	return math.Log(1 + (n+1)/(float64(ix.df[l][t])+0.5))
}

// coverage is the weighted share of the question's concepts that a passage or document of
// language l with analyzed terms set contains (a typo's correction counts half), whether one of
// them is a domain anchor, and the terms that matched.
func (ix *Index) coverage(p plan, set termSet, l string) (float64, bool, []string) {
	var got, total float64
	var anchored bool
	var terms []string
	for _, c := range p.concepts {
		cw := c.weight
		total += cw
		for i, seq := range c.forms[l] {
			ok := len(seq) > 0
			for _, t := range seq {
				if !ix.has(l, set, t) {
					ok = false
					break
				}
			}
			if ok {
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

// corrections returns the terms of language l's vocabulary closest to t (edit distance 1, or 2 for
// words of 8 letters or more) when t itself is unknown to the corpus — krog's typo tolerance.
// Bleve's fuzzy queries would do the same on every term of every question and cost 10× the whole
// search; the vocabulary is small enough to scan only for the rare unknown word.
func (ix *Index) corrections(l, t string) []string {
	if len(t) < 4 || ix.df[l][t] > 0 || strings.ContainsAny(t, "0123456789") {
		return nil
	}
	maxD := 1
	if len(t) >= 10 {
		maxD = 2
	}
	best, bestD, bestDF := "", maxD+1, 0
	for _, v := range ix.vocab[l] {
		if d := len(v) - len(t); d > maxD || d < -maxD || v[0] != t[0] {
			continue
		}
		d := levenshteinMax(t, v, maxD)
		if d > maxD {
			continue
		}
		if d < bestD || (d == bestD && ix.df[l][v] > bestDF) {
			best, bestD, bestDF = v, d, ix.df[l][v]
		}
	}
	if best == "" {
		return nil
	}
	return []string{best}
}

// levenshteinMax is the edit distance of a and b (bytes), or max+1 once it exceeds max.
func levenshteinMax(a, b string, maxD int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > maxD {
			return maxD + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// uniq returns the distinct strings of ss in their first order.
func uniq(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// titleKey is s folded to lowercase without diacritics, with its words joined by single spaces and
// no punctuation, for comparing a question with titles.
func titleKey(s string) string {
	return strings.Join(strings.FieldsFunc(lang.Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}
