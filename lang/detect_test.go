package lang

import (
	"strings"
	"testing"
)

type labelled struct {
	want Lang
	text string
}

func readDetect(t testing.TB) []labelled {
	t.Helper()
	var out []labelled
	for _, line := range readLines(t, "detect.tsv") {
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		var want Lang
		switch label {
		case "sl":
			want = SL
		case "en":
			want = EN
		case "unknown":
			want = Unknown
		default:
			t.Fatalf("bad label %q", label)
		}
		if n := len(strings.Fields(text)); n > 15 {
			t.Fatalf("%q has %d words, want <= 15", text, n)
		}
		out = append(out, labelled{want, text})
	}
	return out
}

func name(l Lang) string {
	if l == Unknown {
		return "unknown"
	}
	return string(l)
}

func TestDetectAccuracy(t *testing.T) {
	data := readDetect(t)
	if len(data) < 220 {
		t.Fatalf("only %d labelled questions, want >= 220", len(data))
	}
	ok := 0
	perLabel := map[Lang][2]int{}
	for _, d := range data {
		got := Detect(d.text)
		c := perLabel[d.want]
		c[1]++
		if got == d.want {
			ok++
			c[0]++
		} else {
			t.Logf("detect miss: %q: got %s, want %s", d.text, name(got), name(d.want))
		}
		perLabel[d.want] = c
	}
	for _, l := range []Lang{SL, EN, Unknown} {
		c := perLabel[l]
		t.Logf("  %-7s %d/%d", name(l), c[0], c[1])
	}
	acc := float64(ok) / float64(len(data))
	t.Logf("detection accuracy: %d/%d = %.3f", ok, len(data), acc)
	if acc < 0.97 {
		t.Errorf("accuracy %.3f < 0.97", acc)
	}
}

func TestDetectCases(t *testing.T) {
	cases := []struct {
		text string
		want Lang
	}{
		{"", Unknown},
		{"   ", Unknown},
		{"???", Unknown},
		{"12345", Unknown},
		{"😀", Unknown},
		{"EPR", Unknown},
		{"EPR v Sloveniji", SL},
		{"kaj je ESPR", SL},
		{"DPP za tekstil", SL},
		{"What does Eko sklad fund?", EN},
		{"Kaj je krožno gospodarstvo?", SL},
		{"KAJ JE KROZNO GOSPODARSTVO", SL},
		{"WHAT IS THE CIRCULAR ECONOMY", EN},
		{"Kaj je c\u030Cas skladis\u030Cc\u030Cenja?", SL}, // decomposed diacritics
		{"Where is the Štajerska chamber of commerce?", EN},
	}
	for _, c := range cases {
		if got := Detect(c.text); got != c.want {
			t.Errorf("Detect(%q) = %s, want %s", c.text, name(got), name(c.want))
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	data := readDetect(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, d := range data {
			_ = Detect(d.text)
		}
		n += len(data)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "questions/s")
}
