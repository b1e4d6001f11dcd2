// Package index is krog's retrieval core, and the only package that knows Bleve: the mapping and
// analyzers (English, and krog's own Slovene), building an in-memory scorch index from the corpus,
// query planning (the question's content words, its question sentence, glossary terms and
// materials in both languages, typo corrections), the confidence model that turns a ranking into
// high, low or no confidence, and highlighted snippets. It returns plain Hit values.
package index

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/krog-advisor/krog/knowledge"
)

// Fields and boosts. A passage is indexed as its body (document title, heading and text), its head
// (title and heading), its document's curated tags and its document's "asked as" questions. An
// earlier grid on the title-like question file showed tags as the strongest signal (they hold the
// words and acronyms people search with), title, heading and text counting alike, and the summary
// (shared by every passage) adding nothing; the asked field holds the words people use that the
// text does not (everyday names, situations). Boosts are measured on the tuning part of the
// realistic question set (README, "Measured").
const (
	tagsBoost  = 1.0
	askedBoost = 1.5
)

var fields = []struct {
	name  string
	boost float64
}{
	{"body", 1.0},
	{"head", 1.0},
	{"tags", tagsBoost},
	{"asked", askedBoost},
}

// batchSize is the number of passages indexed per Bleve batch.
const batchSize = 10_000

// Options changes how an index is built; the zero value is krog's normal configuration.
type Options struct {
	// SlAnalyzer replaces the Slovene analyzer, for the ablation (e.g. "standard", "hr").
	SlAnalyzer string
}

// Index is a built, searchable corpus. It is safe for concurrent searches.
type Index struct {
	bi       bleve.Index
	corpus   *knowledge.Corpus
	langs    map[string]*stats // by language
	sections map[string]*knowledge.Section
	passages map[string][]string  // doc id/lang → its passage ids
	terms    map[string]termSet   // passage id → terms of all its fields
	docTerms map[string]termSet   // doc id/lang → terms of its passages and own fields
	asked    map[string][]termSet // doc id/lang → terms of each of its "asked as" questions
	head     map[string]termSet   // doc id/lang → terms of its title and tags
	gloss    *glossMatcher
	closed   sync.Once
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
		for _, f := range fields {
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
		langs:    map[string]*stats{},
		sections: map[string]*knowledge.Section{},
		passages: map[string][]string{},
		terms:    map[string]termSet{},
		docTerms: map[string]termSet{},
		asked:    map[string][]termSet{},
		head:     map[string]termSet{},
	}
	for l, a := range anames {
		an := im.AnalyzerNamed(a)
		if an == nil {
			bi.Close()
			return nil, fmt.Errorf("no analyzer %q", a)
		}
		ix.langs[l] = newStats(an)
	}
	// Passages are analyzed once, by krog, on all CPUs, a batch at a time: the token streams go to
	// Bleve as they are (replayed), and their terms into the sets behind the confidence model.
	sections := c.Sections()
	docs := ix.analyzeDocs(c.Docs)
	for from := 0; from < len(sections); from += batchSize {
		chunk := sections[from:min(from+batchSize, len(sections))]
		streams := ix.analyzePassages(chunk)
		batch := bi.NewBatch()
		for i, s := range chunk {
			d := s.Doc
			l := d.Lang
			st := ix.langs[l]
			da := docs[d]
			doc := document.NewDocument(s.ID)
			doc.AddField(document.NewTextFieldCustom(l+"_body", nil, nil, bleveindex.IndexField, replay(streams[i].body)))
			doc.AddField(document.NewTextFieldCustom(l+"_head", nil, nil, bleveindex.IndexField, replay(streams[i].head)))
			doc.AddField(document.NewTextFieldCustom(l+"_tags", nil, nil, bleveindex.IndexField, replay(da.tags)))
			if len(da.asked) > 0 {
				doc.AddField(document.NewTextFieldCustom(l+"_asked", nil, nil, bleveindex.IndexField, replay(da.asked)))
			}
			doc.SetIndexed()
			if err := batch.IndexAdvanced(doc); err != nil {
				bi.Close()
				return nil, fmt.Errorf("index %s: %w", s.ID, err)
			}
			ix.sections[s.ID] = s
			dk := docKey(d)
			ix.passages[dk] = append(ix.passages[dk], s.ID)
			if _, ok := ix.head[dk]; !ok {
				ix.head[dk] = st.set(da.head)
				for _, q := range da.questions {
					ix.asked[dk] = append(ix.asked[dk], st.set(q))
				}
			}
			set := st.set(da.terms, terms(streams[i].body))
			ix.terms[s.ID] = set
			ix.docTerms[dk] = append(ix.docTerms[dk], set...)
			st.count(set)
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
	for _, st := range ix.langs {
		st.finish()
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

func docKey(d *knowledge.Doc) string { return d.ID + "/" + d.Lang }

// docAnalysis is krog's analysis of a document's own fields.
type docAnalysis struct {
	tags      analysis.TokenStream // indexed in every passage's tags field
	asked     analysis.TokenStream // the "asked as" questions, indexed in every passage's asked field
	questions [][]string           // terms of each "asked as" question
	head      []string             // terms of title and tags
	terms     []string             // terms of title, tags, summary and questions
}

// analyzeDocs analyzes every document's own fields.
func (ix *Index) analyzeDocs(docs []*knowledge.Doc) map[*knowledge.Doc]docAnalysis {
	out := make(map[*knowledge.Doc]docAnalysis, len(docs))
	for _, d := range docs {
		st := ix.langs[d.Lang]
		da := docAnalysis{
			tags:  st.analyzer.Analyze([]byte(strings.Join(d.Tags, ", "))),
			head:  st.analyze(d.Title + "\n" + strings.Join(d.Tags, ", ")),
			terms: st.analyze(d.Title + "\n" + strings.Join(d.Tags, ", ") + "\n" + d.Summary),
		}
		if len(d.Questions) > 0 {
			da.asked = st.analyzer.Analyze([]byte(strings.Join(d.Questions, "\n")))
			for _, q := range d.Questions {
				qt := st.analyze(q)
				da.questions = append(da.questions, qt)
				da.terms = append(da.terms, qt...)
			}
		}
		out[d] = da
	}
	return out
}

// passageStreams are the analyzed body (title, heading and text) and head (title and heading)
// fields of a passage.
type passageStreams struct{ body, head analysis.TokenStream }

// analyzePassages analyzes the indexed fields of each passage, on all CPUs.
func (ix *Index) analyzePassages(sections []*knowledge.Section) []passageStreams {
	out := make([]passageStreams, len(sections))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(sections); i += workers {
				s := sections[i]
				head := s.Doc.Title + "\n" + s.Heading
				body := ix.langs[s.Doc.Lang].analyzer.Analyze([]byte(head + "\n" + s.Text))
				// The head field's tokens are the body's first ones.
				n := 0
				for n < len(body) && body[n].End <= len(head) {
					n++
				}
				out[i] = passageStreams{body: body, head: body[:n:n]}
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

// Close releases the index; closing it again does nothing (a reloaded index is closed by its
// replacement's timer and perhaps at exit).
func (ix *Index) Close() error {
	var err error
	ix.closed.Do(func() { err = ix.bi.Close() })
	return err
}

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
	st := ix.langs[l]
	if st == nil {
		return nil
	}
	var out []Token
	for _, t := range st.analyzer.Analyze([]byte(text)) {
		out = append(out, Token{Term: string(t.Term), Position: t.Position, Start: t.Start, End: t.End})
	}
	return out
}

// analyze returns the analyzed terms of text in language l (none for a language krog does not
// know).
func (ix *Index) analyze(l, text string) []string {
	st := ix.langs[l]
	if st == nil {
		return nil
	}
	return st.analyze(text)
}

// indexSynonyms loads the glossary into Bleve's synonym sources. Bleve expands only terms that
// analyze to a single token, so this covers acronyms and one-word terms (EPR ↔ PRO, odpadek ↔
// waste); multi-word terms are bridged by the glossary matcher at query time (see expand).
func (ix *Index) indexSynonyms() error {
	batch := ix.bi.NewBatch()
	for i, t := range ix.corpus.Glossary.Terms {
		forms := slices.Concat(t.SL, t.EN, t.Acronyms)
		for l := range ix.langs {
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
