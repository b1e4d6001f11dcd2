package answer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
)

var (
	svcOnce sync.Once
	svcIdx  *index.Index
	svcErr  error
)

func service(t *testing.T, cfg Config) *Service {
	t.Helper()
	svcOnce.Do(func() {
		c, probs := knowledge.Load(knowledge.Embedded())
		if svcErr = probs.Err(); svcErr != nil {
			return
		}
		svcIdx, svcErr = index.Build(context.Background(), c, index.Options{})
	})
	if svcErr != nil {
		t.Fatal(svcErr)
	}
	return New(svcIdx, cfg)
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Kaj je\tstranski\n proizvod?  ", "Kaj je stranski proizvod?"},
		{"by\x00prod\x07uct", "by prod uct"},
		{"bad \xff\xfe utf8", "bad utf8"},
		{"zero\u200bwidth", "zero width"},
		{"emoji 🙂 stays", "emoji 🙂 stays"},
	}
	for _, tt := range tests {
		if got, cut := Clean(tt.in); got != tt.want || cut {
			t.Errorf("Clean(%q) = %q, %v; want %q", tt.in, got, cut, tt.want)
		}
	}
	long := strings.Repeat("odpadek ", 600)
	got, cut := Clean(long)
	if !cut || utf8.RuneCountInString(got) > MaxQuestion || !utf8.ValidString(got) || strings.HasSuffix(got, " ") {
		t.Errorf("long question: cut=%v, %d runes", cut, utf8.RuneCountInString(got))
	}
	// Cutting must not split a multi-byte character.
	got, _ = Clean(strings.Repeat("ž", 2500))
	if !utf8.ValidString(got) || utf8.RuneCountInString(got) != MaxQuestion {
		t.Errorf("cut of multibyte text: valid=%v runes=%d", utf8.ValidString(got), utf8.RuneCountInString(got))
	}
}

func TestPrepareRejects(t *testing.T) {
	for in, key := range map[string]string{"": "empty", "   \n\t": "empty", "?!…": "no_words", "🙂🙂": "no_words", "\x00\x01": "empty"} {
		_, _, err := Prepare(in)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Key != key {
			t.Errorf("Prepare(%q) = %v, want InputError %s", in, err, key)
			continue
		}
		if ie.Message("sl") == "" || ie.Message("en") == "" || ie.Message("sl") == ie.Message("en") {
			t.Errorf("%s: messages must exist in both languages", key)
		}
	}
}

func TestAnswerFoundInAskersLanguage(t *testing.T) {
	svc := service(t, Config{})
	for _, tt := range []struct{ q, lang, doc string }{
		{"When is a production residue a by-product?", "en", "by-product"},
		{"Kdaj je ostanek proizvodnje stranski proizvod?", "sl", "by-product"},
		{"kdaj je ostanek proizvodnje stranski proizvod", "sl", "by-product"},
	} {
		rep, err := svc.Answer(context.Background(), Request{Question: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Found || string(rep.Lang) != tt.lang || rep.Mode != "extractive" {
			t.Fatalf("%q: found=%v lang=%s mode=%s", tt.q, rep.Found, rep.Lang, rep.Mode)
		}
		if rep.DocID != tt.doc && !strings.Contains(rep.DocID, "by-product") {
			t.Errorf("%q: best document %s, want %s", tt.q, rep.DocID, tt.doc)
		}
		if rep.Summary == "" || rep.Passage.Text == "" || len(rep.Passage.Marks) == 0 {
			t.Errorf("%q: summary %q, passage %q, %d highlights", tt.q, rep.Summary, rep.Passage.Text, len(rep.Passage.Marks))
		}
		if len(rep.Sources) == 0 || len(rep.Sources) > 3 {
			t.Fatalf("%q: %d sources", tt.q, len(rep.Sources))
		}
		for _, s := range rep.Sources {
			if s.Lang != tt.lang {
				t.Errorf("%q: source %s in %s", tt.q, s.ID, s.Lang)
			}
			if !strings.HasPrefix(s.URL, "http") || s.Updated == "" || s.Jurisdiction == "" {
				t.Errorf("%q: incomplete source %+v", tt.q, s)
			}
		}
	}
}

func TestForcedLanguage(t *testing.T) {
	svc := service(t, Config{})
	rep, err := svc.Answer(context.Background(), Request{Question: "What is industrial symbiosis?", Lang: "sl"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Found || rep.Lang != "sl" || rep.Detected != "en" || rep.Sources[0].Lang != "sl" {
		t.Errorf("found=%v lang=%s detected=%s first source in %s", rep.Found, rep.Lang, rep.Detected, rep.Sources[0].Lang)
	}
}

func TestNotFoundSaysSoAndSuggests(t *testing.T) {
	svc := service(t, Config{})
	for _, q := range []string{"Who won the football world cup in 2018?", "Kakšno bo jutri vreme?"} {
		rep, err := svc.Answer(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Found || len(rep.Sources) != 0 {
			t.Errorf("%q: found=%v with %d sources", q, rep.Found, len(rep.Sources))
		}
		if !strings.Contains(rep.Answer, T(rep.Lang, "not_found")) {
			t.Errorf("%q: answer %q lacks the not-found message", q, rep.Answer)
		}
	}
}

func TestFollowUpUsesThreadContext(t *testing.T) {
	svc := service(t, Config{})
	alone, err := svc.Answer(context.Background(), Request{Question: "in v Sloveniji?"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Answer(context.Background(), Request{Question: "in v Sloveniji?", Context: "Kdaj odpadek preneha biti odpadek?"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Found {
		t.Fatal("follow-up with context not found")
	}
	if rep.Lang != "sl" {
		t.Errorf("lang = %s", rep.Lang)
	}
	if !strings.Contains(rep.DocID, "end-of-waste") {
		t.Errorf("follow-up answered from %s, want the end-of-waste guidance (alone: found=%v %s)", rep.DocID, alone.Found, alone.DocID)
	}
}

func TestMoreSourcesOffset(t *testing.T) {
	svc := service(t, Config{})
	first, err := svc.Answer(context.Background(), Request{Question: "industrial symbiosis barriers", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	more, err := svc.Answer(context.Background(), Request{Question: "industrial symbiosis barriers", K: 3, Offset: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Sources) != 3 || len(more.Sources) == 0 {
		t.Fatalf("first %d sources, more %d", len(first.Sources), len(more.Sources))
	}
	for _, a := range first.Sources {
		for _, b := range more.Sources {
			if a.ID == b.ID {
				t.Errorf("more sources repeats %s", a.ID)
			}
		}
	}
}

func TestTopics(t *testing.T) {
	svc := service(t, Config{})
	groups := Topics(svc.Index().Corpus(), "sl")
	if len(groups) < 5 {
		t.Fatalf("%d topic groups", len(groups))
	}
	for _, g := range groups {
		if g.Name == "" || len(g.Docs) == 0 {
			t.Errorf("empty group %+v", g)
		}
		for _, d := range g.Docs {
			if d.Lang != "sl" {
				t.Errorf("%s listed in %s", d.ID, d.Lang)
			}
		}
	}
}

func TestEveryMessageInBothLanguages(t *testing.T) {
	for key, m := range messages {
		if key == "only_en" || key == "only_sl" {
			continue
		}
		if m["sl"] == "" || m["en"] == "" {
			t.Errorf("message %q lacks a language: %v", key, m)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Kažipot je bil predstavljen 11. maja 2018. Pripravil ga je konzorcij.":                   "Kažipot je bil predstavljen 11. maja 2018.",
		"Lestvica R, ki so jo pripravili Potting in sod. (2017), ima deset stopenj. Druga poved.": "Lestvica R, ki so jo pripravili Potting in sod. (2017), ima deset stopenj.",
		"Plačuje se uporaba, npr. Ure delovanja. Nato več.":                                       "Plačuje se uporaba, npr. Ure delovanja.",
		"What is it? It is this.": "What is it?",
		"One sentence only":       "One sentence only",
	} {
		if got := FirstSentence(in); got != want {
			t.Errorf("FirstSentence(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FirstSentence(strings.Repeat("word ", 100)); utf8.RuneCountInString(got) > 202 || !strings.HasSuffix(got, "…") {
		t.Errorf("long text not cut: %d runes", utf8.RuneCountInString(got))
	}
}
