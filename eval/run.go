package eval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/lang"
)

// Answerer is what the eval asks: krog's answer service.
type Answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Reply, error)
}

// Result is what one question got.
type Result struct {
	ID         string         `json:"id"`
	Lang       lang.Lang      `json:"lang"`
	Style      string         `json:"style,omitempty"`
	HeldOut    bool           `json:"held_out"`
	Detected   lang.Lang      `json:"detected_lang"`
	Confidence string         `json:"confidence"`
	P          float64        `json:"p"`
	Answered   bool           `json:"answered"`
	Rank       int            `json:"rank"`         // 1-based rank of the first right document among those shown, 0 if none
	RankIgnore int            `json:"rank_ungated"` // the same in the ranking, whatever the confidence
	Docs       []string       `json:"docs"`         // the ranking's documents, best first (up to 5)
	Features   index.Features `json:"features"`
	TookUS     int64          `json:"took_us"`
	Q          Question       `json:"-"`
}

// Pass is the verdict a user would give: an answerable question answered with a right document
// among the first three, an unanswerable one declined.
func (r Result) Pass() bool {
	if r.Q.Unanswerable() {
		return !r.Answered
	}
	return r.Answered && r.Rank > 0 && r.Rank <= 3
}

// Figures are the measures of a group of questions.
type Figures struct {
	Answerable   int     `json:"answerable"`
	Answered     float64 `json:"answered"`     // share of answerable questions answered (high or low)
	High         float64 `json:"high"`         // share of answerable questions answered with high confidence
	OK3          float64 `json:"ok_at_3"`      // answered, and a right document among the first three
	OK1          float64 `json:"ok_at_1"`      // answered, and the first document is right
	Rank3        float64 `json:"rank_at_3"`    // a right document among the ranking's first three, gate ignored
	MRR          float64 `json:"mrr"`          // of the first right document shown
	Unanswerable int     `json:"unanswerable"` // questions without guidance
	Rejected     float64 `json:"rejected"`     // share of them that got confidence none
}

// Summary is the eval's outcome: figures for all questions, per language and per style.
type Summary struct {
	Questions int                    `json:"questions"`
	All       Figures                `json:"all"`
	ByLang    map[lang.Lang]*Figures `json:"by_lang"`
	ByStyle   map[string]*Figures    `json:"by_style,omitempty"`
	Detect    float64                `json:"detect_accuracy"`
	P50MS     float64                `json:"p50_ms"`
	P95MS     float64                `json:"p95_ms"`
}

// Run asks every question through the answer service (no model) and scores what came back.
func Run(ctx context.Context, ans Answerer, qs []Question) ([]Result, Summary, error) {
	var results []Result
	var lat []float64
	for _, q := range qs {
		start := time.Now()
		rep, err := ans.Answer(ctx, answer.Request{Question: q.Q, NoLLM: true})
		took := time.Since(start)
		if err != nil {
			return nil, Summary{}, fmt.Errorf("question %s: %w", q.ID, err)
		}
		lat = append(lat, float64(took.Microseconds())/1000)
		r := Result{ID: q.ID, Lang: q.Lang, Style: q.Style, HeldOut: q.HeldOut(), Detected: rep.Detected,
			Confidence: rep.Confidence, P: math.Round(rep.P*1000) / 1000, Answered: rep.Found,
			Features: rounded(rep.Features), TookUS: took.Microseconds(), Q: q, Docs: []string{}}
		for i, d := range rep.Ranked {
			if len(r.Docs) < 5 {
				r.Docs = append(r.Docs, d.Best.Doc.ID)
			}
			if r.RankIgnore == 0 && q.rightDoc(d) {
				r.RankIgnore = i + 1
			}
		}
		if rep.Found {
			// The sources shown are the ranking's first documents.
			for i := range min(len(rep.Sources), len(rep.Ranked)) {
				if q.rightDoc(rep.Ranked[i]) {
					r.Rank = i + 1
					break
				}
			}
		}
		results = append(results, r)
	}
	return results, Summarize(results, lat), nil
}

// Summarize computes the figures of results; lat are their latencies in milliseconds.
func Summarize(results []Result, lat []float64) Summary {
	sum := Summary{Questions: len(results), ByLang: map[lang.Lang]*Figures{}, ByStyle: map[string]*Figures{}}
	type acc struct {
		f                                   *Figures
		answered, high, ok3, ok1, rank3, rj int
		rr                                  float64
	}
	accs := map[*Figures]*acc{}
	get := func(f *Figures) *acc {
		if accs[f] == nil {
			accs[f] = &acc{f: f}
		}
		return accs[f]
	}
	detect := 0
	for _, r := range results {
		if r.Detected == r.Lang {
			detect++
		}
		groups := []*Figures{&sum.All}
		if sum.ByLang[r.Lang] == nil {
			sum.ByLang[r.Lang] = &Figures{}
		}
		groups = append(groups, sum.ByLang[r.Lang])
		if r.Style != "" {
			if sum.ByStyle[r.Style] == nil {
				sum.ByStyle[r.Style] = &Figures{}
			}
			groups = append(groups, sum.ByStyle[r.Style])
		}
		for _, f := range groups {
			a := get(f)
			if r.Q.Unanswerable() {
				f.Unanswerable++
				if !r.Answered {
					a.rj++
				}
				continue
			}
			f.Answerable++
			if r.Answered {
				a.answered++
			}
			if r.Confidence == string(index.High) {
				a.high++
			}
			if r.Answered && r.Rank > 0 && r.Rank <= 3 {
				a.ok3++
			}
			if r.Answered && r.Rank == 1 {
				a.ok1++
			}
			if r.RankIgnore > 0 && r.RankIgnore <= 3 {
				a.rank3++
			}
			if r.Answered && r.Rank > 0 {
				a.rr += 1 / float64(r.Rank)
			}
		}
	}
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return round3(float64(n) / float64(of))
	}
	for _, a := range accs {
		f := a.f
		f.Answered, f.High, f.OK3, f.OK1, f.Rank3 = share(a.answered, f.Answerable), share(a.high, f.Answerable), share(a.ok3, f.Answerable), share(a.ok1, f.Answerable), share(a.rank3, f.Answerable)
		if f.Answerable > 0 {
			f.MRR = round3(a.rr / float64(f.Answerable))
		}
		f.Rejected = share(a.rj, f.Unanswerable)
	}
	if len(sum.ByStyle) == 0 {
		sum.ByStyle = nil
	}
	sum.Detect = share(detect, len(results))
	lat = slices.Clone(lat)
	sort.Float64s(lat)
	sum.P50MS, sum.P95MS = round3(percentile(lat, 0.50)), round3(percentile(lat, 0.95))
	return sum
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// rounded is f with every feature to four decimals: BM25 sums can differ in the last bit between
// runs, and reports should not.
func rounded(f index.Features) index.Features {
	r := func(x float64) float64 { return math.Round(x*1e4) / 1e4 }
	return index.Features{Coverage: r(f.Coverage), Domain: r(f.Domain), Anchored: r(f.Anchored), Unseen: r(f.Unseen),
		Key: r(f.Key), Asked: r(f.Asked), Head: r(f.Head), Top3: r(f.Top3), Material: r(f.Material), Score: r(f.Score),
		Margin: r(f.Margin), Length: r(f.Length)}
}
