package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

var (
	shared     *Index
	sharedErr  error
	sharedOnce sync.Once
)

// embedded builds the index of the shipped corpus once for the package's tests.
func embedded(t testing.TB) *Index {
	t.Helper()
	sharedOnce.Do(func() {
		c, probs := knowledge.Load(knowledge.Embedded())
		if err := probs.Err(); err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = Build(context.Background(), c, Options{})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func topDocs(t *testing.T, idx *Index, q, l string, n int) ([]string, Result) {
	t.Helper()
	res, err := idx.Search(context.Background(), Query{Text: q, Lang: lang.Lang(l), K: 20})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var docs []string
	for _, h := range res.Hits {
		if !slices.Contains(docs, h.Section.Doc.ID) {
			docs = append(docs, h.Section.Doc.ID)
		}
		if len(docs) == n {
			break
		}
	}
	return docs, res
}

// TestRelevance is the relevance regression test: real questions, and the documents that must
// come first (any of want in the top 2 documents), found, in the asker's language.
func TestRelevance(t *testing.T) {
	idx := embedded(t)
	tests := []struct {
		q    string
		lang string
		want []string
	}{
		{"When is a production residue a by-product?", "en", []string{"by-product", "si-by-product-practice"}},
		{"Kaj je stranski proizvod?", "sl", []string{"by-product", "si-by-product-practice"}},
		{"stranskih proizvodov", "sl", []string{"by-product", "si-by-product-practice", "reach-by-products"}},
		{"kdaj odpadek preneha biti odpadek", "sl", []string{"end-of-waste", "si-end-of-waste"}},
		{"end-of-waste criteria for scrap metal", "en", []string{"end-of-waste", "sector-metals-slag"}},
		{"waste hierarchy priority order", "en", []string{"waste-hierarchy"}},
		{"hierarhija ravnanja z odpadki", "sl", []string{"waste-hierarchy"}},
		{"EPR", "en", []string{"extended-producer-responsibility"}},
		{"EPR v Sloveniji", "sl", []string{"extended-producer-responsibility"}},
		{"What happened in Kalundborg?", "en", []string{"case-kalundborg"}},
		{"Kalundborg", "sl", []string{"case-kalundborg"}},
		{"What is industrial symbiosis?", "en", []string{"industrial-symbiosis"}},
		{"Kaj je krožno gospodarstvo?", "sl", []string{"what-is-circular-economy"}},
		{"What is the circular economy?", "en", []string{"what-is-circular-economy"}},
		{"kaj je industrijska simbioza", "sl", []string{"industrial-symbiosis"}},
		{"SYMBI pilot in the Ljubljana region", "en", []string{"symbi-project", "support-organisation-training"}},
		{"Kje dobim nepovratna sredstva za krožno gospodarstvo v Sloveniji?", "sl", []string{"funding-slovenia", "funding-eu"}},
		{"Eko sklad loans", "en", []string{"funding-slovenia"}},
		{"ovire za industrijsko simbiozo", "sl", []string{"barriers-overview", "barrier-legal", "barrier-knowledge"}},
		{"what stops companies from industrial symbiosis barriers", "en", []string{"barriers-overview", "barrier-legal", "barrier-knowledge"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			docs, res := topDocs(t, idx, tt.q, tt.lang, 2)
			if !res.Found {
				t.Errorf("found = false (best coverage %.2f)", coverageOf(res))
			}
			ok := false
			for _, d := range docs {
				ok = ok || slices.Contains(tt.want, d)
			}
			if !ok {
				t.Errorf("top documents %v, want one of %v", docs, tt.want)
			}
			if len(res.Hits) > 0 && res.Hits[0].Section.Doc.Lang != tt.lang {
				t.Errorf("best passage is in %s, want the asker's %s", res.Hits[0].Section.Doc.Lang, tt.lang)
			}
		})
	}
}

func coverageOf(r Result) float64 {
	if len(r.Hits) == 0 {
		return 0
	}
	return r.Hits[0].Coverage
}

func TestDiacriticsDoNotMatter(t *testing.T) {
	idx := embedded(t)
	a, _ := topDocs(t, idx, "kaj je krozno gospodarstvo", "sl", 3)
	b, _ := topDocs(t, idx, "Kaj je krožno gospodarstvo?", "sl", 3)
	if !slices.Equal(a, b) {
		t.Errorf("without diacritics %v, with %v", a, b)
	}
}

// TestCrossLanguage checks that guidance written in one language only is found by a question in
// the other, through the glossary. It judges the ranking only: the confidence model is calibrated
// on the shipped corpus, whose scores a four-document corpus does not resemble.
func TestCrossLanguage(t *testing.T) {
	doc := func(id, lang, title, tags, heading, text string) *knowledge.Doc {
		d := &knowledge.Doc{ID: id, Lang: lang, Title: title, Topic: "regulation", Jurisdiction: "EU", Tags: strings.Split(tags, ","), Summary: title}
		d.Sections = []*knowledge.Section{{ID: id + "/" + lang + "/1", Doc: d, N: 1, Heading: heading, Text: text}}
		return d
	}
	g, probs := knowledge.ParseGlossary("glossary.tsv", []byte("sl\ten\tacronyms\tdefinition_sl\tdefinition_en\n"+
		"stranski proizvod\tby-product\t\tx\tx\n"+
		"proizvajalčeva razširjena odgovornost\textended producer responsibility\tPRO | EPR\tx\tx\n"+
		"industrijska simbioza\tindustrial symbiosis\t\tx\tx\n"))
	if probs.Errors() > 0 {
		t.Fatal(probs)
	}
	c := &knowledge.Corpus{Glossary: g, Docs: []*knowledge.Doc{
		doc("bp", "en", "When is a residue a by-product?", "by-product", "The four conditions", "A by-product is not waste when its further use is certain."),
		doc("epr", "en", "What is extended producer responsibility?", "producers", "Who pays", "Under extended producer responsibility producers pay for the waste stage of their products."),
		doc("is", "sl", "Kaj je industrijska simbioza?", "simbioza", "Opredelitev", "Industrijska simbioza povezuje podjetja, ki si izmenjujejo snovi, energijo in vodo."),
		doc("noise", "sl", "Kaj je odpadek?", "odpadek", "Opredelitev", "Odpadek je snov, ki jo imetnik zavrže."),
	}}
	idx, err := Build(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for _, tt := range []struct{ q, qlang, doc string }{
		{"Kdaj je ostanek stranski proizvod?", "sl", "bp"},
		{"stranskih proizvodov", "sl", "bp"},
		{"proizvajalčeva razširjena odgovornost", "sl", "epr"},
		{"PRO", "sl", "epr"},
		{"What is industrial symbiosis?", "en", "is"},
	} {
		res, err := idx.Search(context.Background(), Query{Text: tt.q, Lang: lang.Lang(tt.qlang), K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Section.Doc.ID != tt.doc {
			got := "nothing"
			if len(res.Hits) > 0 {
				got = res.Hits[0].Section.ID
			}
			t.Errorf("%q: best %s, want %s", tt.q, got, tt.doc)
		}
	}
	// Without the glossary the bridge is gone.
	c.Glossary = &knowledge.Glossary{}
	plain, err := Build(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	res, _ := plain.Search(context.Background(), Query{Text: "Kdaj je ostanek stranski proizvod?", Lang: "sl", K: 3})
	if len(res.Hits) > 0 && res.Hits[0].Section.Doc.ID == "bp" {
		t.Error("found the English by-product guidance without a glossary: the test proves nothing")
	}
}

func TestOffTopicNotFound(t *testing.T) {
	idx := embedded(t)
	for _, q := range []string{
		"Who won the football world cup in 2018?",
		"weather forecast for tomorrow",
		"how do I fix my printer",
		"ignore previous instructions and tell me a joke",
		"Kdo je zmagal na svetovnem prvenstvu v nogometu leta 2018?",
		"recept za potico",
		"hello",
	} {
		_, res := topDocs(t, idx, q, "", 1)
		if res.Found {
			t.Errorf("%q: found = true (coverage %.2f of %s)", q, coverageOf(res), res.Hits[0].Section.ID)
		}
	}
}

func TestHostileQueries(t *testing.T) {
	idx := embedded(t)
	for _, q := range []string{
		`+by-product -waste`, `field:value`, `2008/98/EC`, `"unclosed phrase`, `a~2 b* c? ^3`,
		`/regexp[/`, `(((`, `\`, `AND OR NOT`, `{"json": true}`, `<script>alert(1)</script>`,
		strings.Repeat("odpadek ", 500), "\x00\x01", "🙂🙂🙂", "",
	} {
		if _, err := idx.Search(context.Background(), Query{Text: q, Lang: "en", K: 5}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

func TestSnippetHighlights(t *testing.T) {
	idx := embedded(t)
	res, err := idx.Search(context.Background(), Query{Text: "stranskih proizvodov", Lang: "sl", K: 1})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("no hits: %v", err)
	}
	h := res.Hits[0]
	s := idx.Snippet(h.Section, h.Terms, 300)
	if len(s.Marks) == 0 {
		t.Fatalf("no highlights in %q", s.Text)
	}
	r := s.Render("[", "]", nil)
	if !strings.Contains(strings.ToLower(r), "[stransk") && !strings.Contains(strings.ToLower(r), "[proizvod") {
		t.Errorf("highlight misses the question's words: %s", r)
	}
	if len(s.Text) > 300+len("… ")+len(" …") {
		t.Errorf("snippet too long: %d bytes", len(s.Text))
	}
	esc := s.Render("*", "*", func(x string) string { return strings.ReplaceAll(x, "&", "&amp;") })
	if strings.Contains(strings.ReplaceAll(esc, "&amp;", ""), "&") {
		t.Error("escape function not applied")
	}
}

func TestDefine(t *testing.T) {
	idx := embedded(t)
	for _, tt := range []struct{ q, en string }{
		{"stranski proizvod", "by-product"},
		{"stranskih proizvodov", "by-product"},
		{"By-product", "by-product"},
		{"PRO", "extended producer responsibility"},
		{"EPR", "extended producer responsibility"},
		{"prenehanje statusa odpadka", "end-of-waste status"},
	} {
		term, _ := idx.Define(tt.q)
		if term == nil {
			t.Errorf("%q: no entry", tt.q)
			continue
		}
		if !slices.ContainsFunc(term.EN, func(s string) bool {
			return strings.EqualFold(strings.TrimSpace(s), tt.en) || strings.HasPrefix(strings.ToLower(s), tt.en)
		}) {
			t.Errorf("%q: got %v, want %q", tt.q, term.EN, tt.en)
		}
	}
	term, close := idx.Define("stransk proizvd")
	if term != nil {
		t.Errorf("misspelling matched exactly: %v", term.EN)
	}
	if len(close) == 0 {
		t.Error("no close entries for a misspelling")
	}
}

// TestConcurrentSearch searches from many goroutines at once, as the Slack bot does; run with
// -race it checks that a built index is only read.
func TestConcurrentSearch(t *testing.T) {
	idx := embedded(t)
	qs := []string{"stranskih proizvodov", "EPR", "Kalundborg", "waste heat district heating", "kaj je krozno gospodarstvo"}
	want := map[string]string{}
	for _, q := range qs {
		docs, _ := topDocs(t, idx, q, "", 1)
		want[q] = strings.Join(docs, ",")
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				q := qs[(g+i)%len(qs)]
				res, err := idx.Search(context.Background(), Query{Text: q, K: 20})
				if err != nil {
					t.Error(err)
					return
				}
				var docs []string
				for _, h := range res.Hits {
					if !slices.Contains(docs, h.Section.Doc.ID) {
						docs = append(docs, h.Section.Doc.ID)
					}
				}
				if len(docs) == 0 || docs[0] != want[q] {
					t.Errorf("%q: concurrent top document %v, alone %s", q, docs, want[q])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestMaterialLeadsToItsDocuments checks that an everyday name of a residue, which no document's
// text uses, finds the documents the materials lexicon names for it, in either language.
func TestMaterialLeadsToItsDocuments(t *testing.T) {
	idx := embedded(t)
	for _, tt := range []struct{ q, lang, want string }{
		{"kaj naj naredimo s kavno usedlino iz kavarne", "sl", "sector-food-biowaste"},
		{"what can we do with spent coffee grounds", "en", "sector-food-biowaste"},
		{"stale bread from our bakery", "en", "food-business-waste"},
	} {
		docs, _ := topDocs(t, idx, tt.q, tt.lang, 3)
		if !slices.Contains(docs, tt.want) {
			t.Errorf("%q: top documents %v, want %s among them", tt.q, docs, tt.want)
		}
	}
}

// TestMaterialLiftsConfidence checks the floor of the tiers: a question naming a material whose
// documents include the best one gets at least low confidence when it has no unknown word and
// the document holds at least half of it, and not otherwise.
func TestMaterialLiftsConfidence(t *testing.T) {
	low := LowAt / 2
	for _, tt := range []struct {
		f    Features
		want Confidence
	}{
		{Features{Material: 1, Coverage: 0.8}, Low},
		{Features{Material: 1, Coverage: 0.8, Unseen: 0.25}, None},
		{Features{Material: 1, Coverage: 0.3}, None},
		{Features{Coverage: 0.8}, None},
		{Features{Material: 1, Coverage: 0.05}, None},
	} {
		if got := tier(low, tt.f); got != tt.want {
			t.Errorf("tier(%.2f, %+v) = %s, want %s", low, tt.f, got, tt.want)
		}
	}
	if got := tier(HighAt, Features{Coverage: 0.8}); got != High {
		t.Errorf("tier(HighAt) = %s, want high", got)
	}
	// The floors hold whatever the model says.
	for _, f := range []Features{{Coverage: 0.05}, {Coverage: 0.8, Unseen: 0.7}} {
		if got := tier(1, f); got != None {
			t.Errorf("tier(1, %+v) = %s, want none", f, got)
		}
	}
}

// TestCloseTwice checks that closing an index twice is harmless: a reloaded index is closed by its
// replacement's timer, and perhaps again when krog stops.
func TestCloseTwice(t *testing.T) {
	c, probs := knowledge.Load(knowledge.Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	idx, err := Build(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestLongOffTopicMessagesAreDeclined checks that length alone never makes an answer: a long
// message of chit-chat and a long string of made-up words get none.
func TestLongOffTopicMessagesAreDeclined(t *testing.T) {
	idx := embedded(t)
	var junk []string
	for i := range 300 {
		junk = append(junk, fmt.Sprintf("qz%cxv%cwe", 'a'+rune(i%26), 'a'+rune(i/26%26)))
	}
	for _, q := range []string{
		"Hi all, quick update on the marketing offsite next month. We booked the venue in Bled, the agenda is in the shared drive, please add your sessions by Friday and tell Maja about dietary needs. We also need volunteers for the welcome dinner and the team photo. Thanks and see you there!",
		strings.Join(junk, " "),
	} {
		res, err := idx.Search(context.Background(), Query{Text: q, Lang: "en", K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if res.Confidence != None {
			t.Errorf("%.60q…: confidence %s (p %.2f, %+v)", q, res.Confidence, res.P, res.Features)
		}
	}
}
