package index

import (
	"context"
	"fmt"
	"testing"

	"github.com/krog-advisor/krog/knowledge"
)

func TestTuneBoosts(t *testing.T) {
	c, _ := knowledge.Load(knowledge.Embedded())
	f, _ := knowledge.Embedded().Open("eval/questions.jsonl")
	qs, _ := ReadQuestions(f, "q")
	orig := fieldBoosts
	for _, ti := range []float64{1, 2, 3} {
		for _, se := range []float64{1, 2.5, 4} {
			for _, ta := range []float64{0.5, 1.5, 3} {
				for _, su := range []float64{0.3, 0.7, 1.5} {
					fieldBoosts = []struct {
						name  string
						boost float64
					}{{"title", ti}, {"section", se}, {"tags", ta}, {"summary", su}, {"text", 1}}
					idx, _ := Build(context.Background(), c, Options{})
					_, sum, _ := Evaluate(context.Background(), idx, qs, 3)
					idx.Close()
					fmt.Printf("TUNE\t%.1f\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", ti, se, ta, su, sum.ByLang["en"].HitAtK, sum.ByLang["sl"].HitAtK, sum.ByLang["en"].MRR, sum.ByLang["sl"].MRR, sum.OffTopicRej)
				}
			}
		}
	}
	fieldBoosts = orig
}
