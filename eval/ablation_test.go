package eval

import (
	"context"
	"testing"

	// Bleve's Croatian analyzer, for the comparison only.
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hr"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
)

// TestSloveneAnalyzerAblation asks the tuning part of the realistic question set with krog's
// Slovene analyzer and with Bleve's standard and Croatian analyzers in its place, and compares
// Slovene rank@3 (the ranking, whatever the confidence): what the analyzer is worth.
func TestSloveneAnalyzerAblation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three indexes")
	}
	c, probs := knowledge.Load(knowledge.Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	qs := realQuestions(t)
	var tuning []Question
	for _, q := range qs {
		if !q.HeldOut() && q.Lang == "sl" {
			tuning = append(tuning, q)
		}
	}
	rank := map[string]float64{}
	for _, a := range []string{"krog_sl", "standard", "hr"} {
		opt := index.Options{}
		if a != "krog_sl" {
			opt.SlAnalyzer = a
		}
		idx, err := index.Build(context.Background(), c, opt)
		if err != nil {
			t.Fatal(err)
		}
		_, sum, err := Run(context.Background(), answer.New(idx, answer.Config{}), tuning)
		idx.Close()
		if err != nil {
			t.Fatal(err)
		}
		rank[a] = sum.All.Rank3
		t.Logf("Slovene analyzer %-9s  sl rank@3 %.3f  ok@3 %.3f", a, sum.All.Rank3, sum.All.OK3)
	}
	if rank["krog_sl"] <= rank["standard"] || rank["krog_sl"] <= rank["hr"] {
		t.Errorf("krog's Slovene analyzer (%.3f) must beat standard (%.3f) and hr (%.3f)", rank["krog_sl"], rank["standard"], rank["hr"])
	}
}
