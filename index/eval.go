package index

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/krog-advisor/krog/lang"
)

// EvalQuestion is one line of a question file.
type EvalQuestion struct {
	ID     string     `json:"id"`
	Lang   string     `json:"lang"`
	Q      string     `json:"q"`
	Expect [][]string `json:"expect"`
	AnyOf  [][]string `json:"any_of"`
	Found  *bool      `json:"found"`
}

func (q EvalQuestion) OffTopic() bool { return q.Found != nil && !*q.Found }

type EvalHit struct {
	ID      string  `json:"id"`
	Doc     string  `json:"doc"`
	Title   string  `json:"title"`
	Section string  `json:"section"`
	Lang    string  `json:"lang"`
	Score   float64 `json:"score"`
	Text    string  `json:"text"`
}

type EvalResult struct {
	ID       string       `json:"id"`
	Lang     string       `json:"lang"`
	Detected string       `json:"detected_lang"`
	Pass     bool         `json:"pass"`
	Found    bool         `json:"found"`
	Rank     int          `json:"rank"` // 1-based rank of the first matching hit, 0 if none
	TookUS   int64        `json:"took_us"`
	Hits     []EvalHit    `json:"hits"`
	Q        EvalQuestion `json:"-"`
}

type LangSummary struct {
	N      int     `json:"n"`
	Passed int     `json:"passed"`
	HitAtK float64 `json:"hit_at_k"`
	MRR    float64 `json:"mrr"`
}

type EvalSummary struct {
	Questions      int                     `json:"questions"`
	ByLang         map[string]*LangSummary `json:"by_lang"`
	OffTopic       int                     `json:"off_topic"`
	OffTopicRej    float64                 `json:"off_topic_rejected"`
	Missed         int                     `json:"on_topic_not_found"`
	DetectAccuracy float64                 `json:"detect_accuracy"`
	P50MS          float64                 `json:"p50_ms"`
	P95MS          float64                 `json:"p95_ms"`
}

// ReadQuestions parses a JSON-lines question file; a bad line is an error naming its line.
func ReadQuestions(r io.Reader, name string) ([]EvalQuestion, error) {
	var out []EvalQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var q EvalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		if q.Q == "" || (len(q.Expect) == 0 && len(q.AnyOf) == 0 && !q.OffTopic()) {
			return nil, fmt.Errorf("%s:%d: a question needs \"q\" and either \"expect\"/\"any_of\" or \"found\": false", name, n)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// matches reports whether a hit contains, for every group, one of the group's strings
// (case- and diacritic-insensitive).
func matches(h *Hit, q EvalQuestion) bool {
	s := h.Section
	hay := lang.Fold(s.Doc.Title + "\n" + s.Heading + "\n" + s.Text)
	for _, g := range append(append([][]string{}, q.Expect...), q.AnyOf...) {
		ok := false
		for _, alt := range g {
			if strings.Contains(hay, lang.Fold(alt)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Evaluate asks every question and scores the ranking.
func Evaluate(ctx context.Context, idx *Index, qs []EvalQuestion, k int) ([]EvalResult, EvalSummary, error) {
	sum := EvalSummary{ByLang: map[string]*LangSummary{}}
	var results []EvalResult
	var lat []float64
	detectOK := 0
	offRejected := 0
	for _, q := range qs {
		text := strings.Join(strings.Fields(strings.ToValidUTF8(q.Q, " ")), " ")
		det := string(lang.Detect(text))
		if det == q.Lang {
			detectOK++
		}
		start := time.Now()
		res, err := idx.Search(ctx, Query{Text: text, Lang: det, K: k})
		took := time.Since(start)
		lat = append(lat, float64(took.Microseconds())/1000)
		r := EvalResult{ID: q.ID, Lang: q.Lang, Detected: det, Found: res.Found, TookUS: took.Microseconds(), Hits: []EvalHit{}, Q: q}
		if err != nil {
			return nil, EvalSummary{}, fmt.Errorf("question %s: %w", q.ID, err)
		}
		for i := range res.Hits {
			h := &res.Hits[i]
			s := h.Section
			r.Hits = append(r.Hits, EvalHit{ID: s.ID, Doc: s.Doc.ID, Title: s.Doc.Title, Section: s.Heading, Lang: s.Doc.Lang, Score: math.Round(h.Score*1e4) / 1e4, Text: s.Text})
			if r.Rank == 0 && !q.OffTopic() && matches(h, q) {
				r.Rank = i + 1
			}
		}
		if q.OffTopic() {
			sum.OffTopic++
			r.Pass = !res.Found
			if r.Pass {
				offRejected++
			}
		} else {
			r.Pass = res.Found && r.Rank > 0
			if !res.Found {
				sum.Missed++
			}
			ls := sum.ByLang[q.Lang]
			if ls == nil {
				ls = &LangSummary{}
				sum.ByLang[q.Lang] = ls
			}
			ls.N++
			if r.Pass {
				ls.Passed++
				ls.MRR += 1 / float64(r.Rank)
			}
		}
		results = append(results, r)
	}
	for _, ls := range sum.ByLang {
		ls.HitAtK = round3(float64(ls.Passed) / float64(ls.N))
		ls.MRR = round3(ls.MRR / float64(ls.N))
	}
	sum.Questions = len(qs)
	if sum.OffTopic > 0 {
		sum.OffTopicRej = round3(float64(offRejected) / float64(sum.OffTopic))
	}
	if len(qs) > 0 {
		sum.DetectAccuracy = round3(float64(detectOK) / float64(len(qs)))
	}
	sort.Float64s(lat)
	sum.P50MS, sum.P95MS = round3(percentile(lat, 0.50)), round3(percentile(lat, 0.95))
	return results, sum, nil
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
