package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/krog-advisor/krog/lang"
)

// Names of krog's analysis components in Bleve's registry.
const (
	FoldFilter   = "krog_fold"    // č ć → c, š → s, ž → z, đ → d, other accents dropped
	StopSlFilter = "krog_stop_sl" // Slovene function words (folded)
	StemSlFilter = "krog_stem_sl" // the light Slovene stemmer of package lang
	AnalyzerSl   = "krog_sl"      // unicode → lowercase → fold → stop → stem
	AnalyzerEn   = "krog_en"      // bleve's en chain with folding added
)

func init() {
	// Registering analysis components is the one init side effect Bleve's design asks for.
	must(registry.RegisterTokenFilter(FoldFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(StopSlFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return stopSlFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(StemSlFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return stemSlFilter{}, nil
	}))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

type foldFilter struct{}

func (foldFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		if f := lang.Fold(string(t.Term)); f != string(t.Term) {
			t.Term = []byte(f)
		}
	}
	return ts
}

type stopSlFilter struct{}

func (stopSlFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	out := ts[:0]
	for _, t := range ts {
		if !lang.IsStopSl(string(t.Term)) {
			out = append(out, t)
		}
	}
	return out
}

type stemSlFilter struct{}

func (stemSlFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		if s := lang.StemSl(string(t.Term)); len(s) != len(t.Term) {
			t.Term = []byte(s)
		}
	}
	return ts
}

// addAnalyzers defines krog's two analyzers on the index mapping.
func addAnalyzers(im *mapping.IndexMappingImpl) error {
	if err := im.AddCustomAnalyzer(AnalyzerSl, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name, FoldFilter, StopSlFilter, StemSlFilter},
	}); err != nil {
		return err
	}
	return im.AddCustomAnalyzer(AnalyzerEn, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{en.PossessiveName, lowercase.Name, FoldFilter, en.StopName, porter.Name},
	})
}
