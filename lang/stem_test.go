package lang

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// readLines returns the non-empty, non-comment lines of a testdata file.
func readLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func stemFolded(w string) string { return StemSl(Fold(w)) }

func TestStemFamilies(t *testing.T) {
	lines := readLines(t, "stem_families.txt")
	if len(lines) < 45 {
		t.Fatalf("only %d families, want >= 45", len(lines))
	}
	ok := 0
	for _, line := range lines {
		forms := strings.Fields(line)
		groups := map[string][]string{}
		for _, f := range forms {
			s := stemFolded(f)
			groups[s] = append(groups[s], f)
		}
		if len(groups) == 1 {
			ok++
			continue
		}
		var parts []string
		for s, fs := range groups {
			parts = append(parts, s+"←"+strings.Join(fs, ","))
		}
		t.Logf("family split: %s: %s", forms[0], strings.Join(parts, "  "))
	}
	rate := float64(ok) / float64(len(lines))
	t.Logf("stem families conflated: %d/%d = %.3f", ok, len(lines), rate)
	if rate < 0.95 {
		t.Errorf("family conflation rate %.3f < 0.95", rate)
	}
}

func TestStemDistinct(t *testing.T) {
	lines := readLines(t, "stem_distinct.txt")
	if len(lines) < 40 {
		t.Fatalf("only %d pairs, want >= 40", len(lines))
	}
	ok := 0
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("bad pair line %q", line)
		}
		a, b := stemFolded(f[0]), stemFolded(f[1])
		if a != b {
			ok++
			continue
		}
		t.Logf("pair merged: %s / %s → %s", f[0], f[1], a)
	}
	rate := float64(ok) / float64(len(lines))
	t.Logf("distinct pairs kept apart: %d/%d = %.3f", ok, len(lines), rate)
	if rate < 0.95 {
		t.Errorf("distinct rate %.3f < 0.95", rate)
	}
}

func TestStemSlEdgeCases(t *testing.T) {
	long := strings.Repeat("odpadkov", 40)
	cases := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"v", "v"},
		{"je", "je"},
		{"les", "les"},
		{"2008/98", "2008/98"},
		{"12345", "12345"},
		{"co2", "co2"},
		{"end-of-waste", "end-of-waste"},
		{"ODPADKI", "ODPADKI"}, // not folded: caller's job, left alone
		{"odpadki", "odpadk"},
		{"odpadek", "odpadk"},
		{"krozno", "kroz"},
		{"recikliranja", "reciklir"},
		{"podjetij", "podjetj"},
		{"sistema", "sistem"},
		{long, long[:len(long)-2]},
	}
	for _, c := range cases {
		if got := StemSl(c.in); got != c.want {
			t.Errorf("StemSl(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Stems must never be empty for a non-empty word, a changed stem is always
// shorter than the word (index/ relies on this), and stemming must not panic
// on any short a–z string.
func TestStemSlNoPanicShapes(t *testing.T) {
	letters := "aeioucjklmnrstvz"
	var rec func(prefix string, depth int)
	rec = func(prefix string, depth int) {
		if depth == 0 {
			s := StemSl(prefix)
			if len(prefix) > 0 && (s == "" || (s != prefix && len(s) >= len(prefix))) {
				t.Fatalf("StemSl(%q) = %q", prefix, s)
			}
			return
		}
		for i := 0; i < len(letters); i++ {
			rec(prefix+letters[i:i+1], depth-1)
		}
	}
	for d := 0; d <= 4; d++ {
		rec("", d)
	}
}

func benchTokens(b *testing.B) []string {
	var toks []string
	for _, line := range readLines(b, "stem_families.txt") {
		for _, w := range strings.Fields(line) {
			toks = append(toks, Fold(w))
		}
	}
	return toks
}

func BenchmarkStemSl(b *testing.B) {
	toks := benchTokens(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, w := range toks {
			_ = StemSl(w)
		}
		n += len(toks)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tokens/s")
}
