package index

import (
	"context"
	"testing"

	// Bleve's Croatian analyzer, for the comparison only.
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hr"

	"github.com/krog-advisor/krog/knowledge"
)

// TestSloveneAnalyzerAblation runs the project's question file with krog's Slovene analyzer and
// with Bleve's standard and Croatian analyzers in its place, and prints Slovene hit@3 for each:
// what the analyzer is worth.
func TestSloveneAnalyzerAblation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three indexes")
	}
	c, probs := knowledge.Load(knowledge.Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := knowledge.Embedded().Open("eval/questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadQuestions(f, "eval/questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	hit := map[string]map[string]float64{}
	for _, a := range []string{"krog_sl", "standard", "hr"} {
		opt := Options{}
		if a != "krog_sl" {
			opt.SlAnalyzer = a
		}
		idx, err := Build(context.Background(), c, opt)
		if err != nil {
			t.Fatal(err)
		}
		_, sum, err := Evaluate(context.Background(), idx, qs, 3)
		idx.Close()
		if err != nil {
			t.Fatal(err)
		}
		hit[a] = map[string]float64{}
		for l, ls := range sum.ByLang {
			hit[a][l] = ls.HitAtK
		}
		t.Logf("Slovene analyzer %-9s  sl hit@3 %.3f   en hit@3 %.3f", a, hit[a]["sl"], hit[a]["en"])
	}
	if hit["krog_sl"]["sl"] <= hit["standard"]["sl"] || hit["krog_sl"]["sl"] <= hit["hr"]["sl"] {
		t.Errorf("krog's Slovene analyzer (%.3f) must beat standard (%.3f) and hr (%.3f)", hit["krog_sl"]["sl"], hit["standard"]["sl"], hit["hr"]["sl"])
	}
	if gap := hit["krog_sl"]["en"] - hit["krog_sl"]["sl"]; gap > 0.05 {
		t.Errorf("Slovene hit@3 %.3f is more than 5 points below English %.3f", hit["krog_sl"]["sl"], hit["krog_sl"]["en"])
	}
}
