package index

import (
	"context"
	"fmt"
	"github.com/krog-advisor/krog/lang"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/knowledge"
)

// BenchmarkBuild measures building the index from the embedded corpus.
func BenchmarkBuild(b *testing.B) {
	c, probs := knowledge.Load(knowledge.Embedded())
	if err := probs.Err(); err != nil {
		b.Fatal(err)
	}
	n := len(c.Sections())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		idx, err := Build(context.Background(), c, Options{})
		if err != nil {
			b.Fatal(err)
		}
		idx.Close()
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(n), "passages")
	b.ReportMetric(float64(perOp.Milliseconds())*1000/float64(n), "ms/1000passages")
}

// questionsOfLen are Slovene and English questions of the same length (in words), for comparing
// the two analysis paths.
var questionsOfLen = map[string][]string{
	"sl": {
		"kdaj je ostanek proizvodnje stranski proizvod",
		"kako pridobiti okoljevarstveno dovoljenje za predelavo",
		"katere ovire ovirajo industrijsko simbiozo v podjetjih",
		"kje dobiti sredstva za krožno gospodarstvo",
	},
	"en": {
		"when is a production residue a by-product",
		"how to obtain an environmental permit for recovery",
		"which barriers hold back industrial symbiosis in companies",
		"where to find funding for the circular economy",
	},
}

// BenchmarkQuery reports per-query latency percentiles for Slovene and English questions of the
// same length; the Slovene path must stay within 1.5× the English one.
func BenchmarkQuery(b *testing.B) {
	idx := embedded(b)
	for _, l := range []string{"sl", "en"} {
		b.Run(l, func(b *testing.B) {
			qs := questionsOfLen[l]
			var lat []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				start := time.Now()
				if _, err := idx.Search(context.Background(), Query{Text: qs[i%len(qs)], Lang: lang.Lang(l), K: 18}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			reportPercentiles(b, lat)
		})
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	p := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
}

// BenchmarkScale builds an index of 100,000 generated passages and reports build throughput and
// query latency. Each generated document takes its words from one real document of the corpus, so
// the generated corpus is topical like a real one (a word is frequent in some documents and absent
// from most) rather than every passage drawing from the whole vocabulary.
func BenchmarkScale(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	base, probs := knowledge.Load(knowledge.Embedded())
	if err := probs.Err(); err != nil {
		b.Fatal(err)
	}
	type source struct {
		lang  string
		words []string
	}
	var sources []source
	for _, d := range base.Docs {
		src := source{lang: d.Lang}
		for _, s := range d.Sections {
			src.words = append(src.words, strings.Fields(s.Text)...)
		}
		sources = append(sources, src)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	c := &knowledge.Corpus{Glossary: base.Glossary}
	for i := range n / 5 {
		src := sources[rng.IntN(len(sources))]
		pick := func(k int) string {
			w := make([]string, k)
			for j := range w {
				w[j] = src.words[rng.IntN(len(src.words))]
			}
			return strings.Join(w, " ")
		}
		l := src.lang
		d := &knowledge.Doc{ID: fmt.Sprintf("gen-%d", i), Lang: l, Title: pick(8), Topic: "practice", Jurisdiction: "EU", Summary: pick(40), Tags: strings.Fields(pick(4))}
		for j := range 5 {
			d.Sections = append(d.Sections, &knowledge.Section{ID: fmt.Sprintf("gen-%d/%s/%d", i, l, j+1), Doc: d, N: j + 1, Heading: pick(6), Text: pick(150)})
		}
		c.Docs = append(c.Docs, d)
	}
	for b.Loop() {
		start := time.Now()
		idx, err := Build(context.Background(), c, Options{})
		if err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
		var lat []time.Duration
		qs := slices.Concat(questionsOfLen["sl"], questionsOfLen["en"])
		for i := range 200 {
			qs := qs[i%len(qs)]
			start := time.Now()
			if _, err := idx.Search(context.Background(), Query{Text: qs, Lang: "", K: 18}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		idx.Close()
		b.ReportMetric(float64(n)/build.Seconds(), "passages/s")
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "query-p95-ms")
	}
}
