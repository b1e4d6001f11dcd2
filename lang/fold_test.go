package lang

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"krozno gospodarstvo", "krozno gospodarstvo"},
		{"Krožno Gospodarstvo", "krozno gospodarstvo"},
		{"ČŠŽĆĐ čšžćđ", "cszcd cszcd"},
		{"ŽLINDRA", "zlindra"},
		{"Odlagališče", "odlagalisce"},
		{"proizvajalčeva razširjena odgovornost (PRO)", "proizvajalceva razsirjena odgovornost (pro)"},
		{"Café, Müller, Ångström, naïve, Øresund, Łódź", "cafe, muller, angstrom, naive, oresund, lodz"},
		{"EPR v Sloveniji 2025/40", "epr v sloveniji 2025/40"},
		{"c\u030Cas", "cas"},         // decomposed č
		{"Straße", "straße"},         // ß has no one-letter fold
		{"Ελλάδα", "ελλάδα"},         // other scripts: lowercase only
		{"abc\xffdef", "abc\xffdef"}, // invalid UTF-8 kept
		{"ABC\xffDEF", "abc\xffdef"}, // invalid UTF-8 kept, rest folded
		{"😀 ok", "😀 ok"},
	}
	for _, c := range cases {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFoldRune(t *testing.T) {
	cases := []struct{ in, want rune }{
		{'A', 'a'}, {'z', 'z'}, {'Č', 'c'}, {'č', 'c'}, {'Ć', 'c'}, {'ć', 'c'},
		{'Š', 's'}, {'š', 's'}, {'Ž', 'z'}, {'ž', 'z'}, {'Đ', 'd'}, {'đ', 'd'},
		{'é', 'e'}, {'Ä', 'a'}, {'ü', 'u'}, {'ø', 'o'}, {'ł', 'l'}, {'İ', 'i'},
		{'ß', 'ß'}, {'Ж', 'ж'}, {'1', '1'}, {'-', '-'},
	}
	for _, c := range cases {
		if got := FoldRune(c.in); got != c.want {
			t.Errorf("FoldRune(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Fold and FoldRune agree on every rune of the table range.
	for r := rune(0); r < 0x250; r++ {
		if IsMark(r) || r == utf8.RuneError {
			continue
		}
		if got, want := Fold(string(r)), string(FoldRune(r)); got != want {
			t.Errorf("Fold(%q) = %q, FoldRune gives %q", string(r), got, want)
		}
	}
}

func TestFoldNoAllocWhenUnchanged(t *testing.T) {
	s := "krozno gospodarstvo in stranski proizvodi 2025"
	if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
		t.Errorf("Fold allocated %.0f times on folded input", n)
	}
}

func BenchmarkFold(b *testing.B) {
	inputs := []string{
		"Kaj je proizvajalčeva razširjena odgovornost?",
		"kaj je krozno gospodarstvo",
		"What does Eko sklad fund?",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range inputs {
			_ = Fold(s)
		}
	}
}
