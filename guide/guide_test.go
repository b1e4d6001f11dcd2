package guide

import (
	"bytes"
	"compress/zlib"
	"github.com/krog-advisor/krog/lang"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/krog-advisor/krog/knowledge"
)

func guides(t *testing.T) []*knowledge.Guide {
	t.Helper()
	c, probs := knowledge.Load(knowledge.Embedded())
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	if len(c.Guides) == 0 {
		t.Fatal("no guides in the embedded knowledge")
	}
	return c.Guides
}

// TestEveryPathOfEveryGuide walks every path of every shipped guide in both languages: each ends
// in an outcome with a verdict, next steps and sources in that language, the reasons follow the
// answers, and every "don't know" on the path says what to find out.
func TestEveryPathOfEveryGuide(t *testing.T) {
	for _, g := range guides(t) {
		paths := Paths(g)
		if len(paths) < 2 {
			t.Errorf("%s: %d paths", g.ID, len(paths))
		}
		for _, l := range []lang.Lang{lang.SL, lang.EN} {
			for _, answers := range paths {
				st, err := Walk(g, l, answers)
				if err != nil {
					t.Fatalf("%s %v: %v", g.ID, answers, err)
				}
				if !st.Done() {
					t.Fatalf("%s %v: stopped at %s", g.ID, answers, st.Next.ID)
				}
				r := st.Result()
				if r.Verdict == "" || len(r.Steps) == 0 || len(r.Sources) == 0 || r.Summary == "" {
					t.Errorf("%s %s %v: outcome %s incomplete", g.ID, l, answers, r.Outcome)
				}
				unknowns := 0
				for _, a := range st.Answers {
					if a.Option == knowledge.Unknown {
						unknowns++
					}
				}
				if len(r.FindOut) != unknowns {
					t.Errorf("%s %s %v: %d things to find out for %d unknowns", g.ID, l, answers, len(r.FindOut), unknowns)
				}
				if len(r.Answers) != len(answers) {
					t.Errorf("%s %v: %d answers on the path, %d given", g.ID, answers, len(r.Answers), len(answers))
				}
			}
		}
	}
}

func TestWalkStopsAtTheNextQuestionAndRefusesBadAnswers(t *testing.T) {
	g := guides(t)[0]
	st, err := Walk(g, "en", nil)
	if err != nil || st.Done() || st.Next.ID != g.Start {
		t.Fatalf("no answers: next %v, err %v", st.Next, err)
	}
	r := st.Result()
	if r.Next == nil || r.Next.Text == "" || r.Next.Why == "" || !slices.ContainsFunc(r.Next.Options, func(o OptionJSON) bool { return o.ID == knowledge.Unknown }) {
		t.Errorf("next question = %+v", r.Next)
	}
	if _, err := Walk(g, "en", map[string]string{g.Start: "perhaps"}); err == nil || !strings.Contains(err.Error(), "not an answer") {
		t.Errorf("a bad answer: err %v", err)
	}
	if _, err := ParseAnswers("a=yes,b"); err == nil {
		t.Error("ParseAnswers accepted an answer without =")
	}
}

// TestUnknownTurnsAFavourableVerdict checks if_unknown: a path that would be favourable but holds a
// "don't know" ends in the guide's "cannot tell yet" outcome.
func TestUnknownTurnsAFavourableVerdict(t *testing.T) {
	for _, g := range guides(t) {
		for _, answers := range Paths(g) {
			st, _ := Walk(g, "en", answers)
			reached := g.Outcome(st.Outcome.ID)
			if len(st.FindOut) > 0 && reached.IfUnknown != "" {
				t.Errorf("%s %v: ended in %s although an answer was unknown", g.ID, answers, reached.ID)
			}
		}
	}
}

// TestRecordHasTheCheckInIt writes the PDF record of a Slovene check and reads its text back: the
// title with its č, š and ž, every question and answer, the verdict and the footer.
func TestRecordHasTheCheckInIt(t *testing.T) {
	g := guides(t)[0]
	answers := Paths(g)[0]
	st, err := Walk(g, "sl", answers)
	if err != nil {
		t.Fatal(err)
	}
	r := st.Result()
	var buf bytes.Buffer
	if err := Record(&buf, r, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	want := []string{r.Title, r.Verdict, "2026-12-03", Label("sl", "footer")}
	for _, a := range r.Answers {
		want = append(want, a.Text, a.Answer)
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("record lacks %q", w)
		}
	}
	if !strings.ContainsAny(flat, "čšž") {
		t.Error("record lost the Slovene letters")
	}
	if err := Record(io.Discard, Result{Guide: "x"}, time.Now()); err == nil {
		t.Error("a record without an outcome: want an error")
	}
}

var (
	streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	showRe   = regexp.MustCompile(`(?s)\((.*?[^\\])\)\s*Tj`)
)

// pdfText is the text of the PDF's text-showing operators: fpdf writes UTF-8 fonts' text as
// UTF-16BE strings in zlib-compressed content streams. Lines are joined with spaces.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out []string
	for _, m := range streamRe.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			continue
		}
		for _, s := range showRe.FindAllSubmatch(data, -1) {
			out = append(out, utf16BE(unescape(s[1])))
		}
	}
	return strings.Join(out, " ")
}

func unescape(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

func utf16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}
