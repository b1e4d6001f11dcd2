package lang

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable maps the Latin-1 Supplement, Latin Extended-A and the start of
// Latin Extended-B (U+00C0–U+024F) to a folded lowercase base letter.
// A zero entry means "no special folding: use unicode.ToLower".
// It is a small hand-made table instead of golang.org/x/text normalisation.
var foldTable [0x250 - 0xC0]rune

func init() {
	groups := [...]struct {
		to   rune
		from string
	}{
		{'a', "ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎ"},
		{'c', "ÇçĆćĈĉĊċČč"},
		{'d', "ÐðĎďĐđ"},
		{'e', "ÈÉÊËèéêëĒēĔĕĖėĘęĚě"},
		{'g', "ĜĝĞğĠġĢģ"},
		{'h', "ĤĥĦħ"},
		{'i', "ÌÍÎÏìíîïĨĩĪīĬĭĮįİıǏǐ"},
		{'j', "Ĵĵ"},
		{'k', "Ķķ"},
		{'l', "ĹĺĻļĽľĿŀŁł"},
		{'n', "ÑñŃńŅņŇň"},
		{'o', "ÒÓÔÕÖØòóôõöøŌōŎŏŐőǑǒ"},
		{'r', "ŔŕŖŗŘř"},
		{'s', "ŚśŜŝŞşŠšſȘș"},
		{'t', "ŢţŤťŦŧȚț"},
		{'u', "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųǓǔ"},
		{'w', "Ŵŵ"},
		{'y', "ÝýÿŶŷŸ"},
		{'z', "ŹźŻżŽž"},
	}
	for _, g := range groups {
		for _, r := range g.from {
			foldTable[r-0xC0] = g.to
		}
	}
}

// FoldRune lowercases r and removes its diacritic: č,ć→c; š→s; ž→z; đ→d and
// their capitals, and the other accented Latin letters of U+00C0–U+024F
// (é→e, ä→a, ü→u, ø→o, ł→l, …). Other runes are lowercased with
// unicode.ToLower. Combining marks (U+0300–U+036F, as in decomposed "c\u030C")
// are returned unchanged because a rune cannot be deleted here: a caller that
// folds rune by rune should drop the runes for which IsMark is true, as Fold does.
func FoldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	if r >= 0xC0 && r < 0x250 {
		if f := foldTable[r-0xC0]; f != 0 {
			return f
		}
	}
	return unicode.ToLower(r)
}

// IsMark reports whether r is a combining diacritical mark (U+0300–U+036F),
// which Fold removes.
func IsMark(r rune) bool { return r >= 0x300 && r <= 0x36F }

// Fold returns s lowercased with diacritics removed (see FoldRune); combining
// marks are dropped and invalid UTF-8 bytes are kept as they are.
// When nothing changes, s itself is returned without allocating.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldFrom(s, i)
		}
		if 'A' <= c && c <= 'Z' {
			return foldBuild(s, i)
		}
	}
	return s
}

// foldFrom looks for the first rune at or after i that folding changes, so
// that already folded non-ASCII text (e.g. "æ", Cyrillic) is not copied.
func foldFrom(s string, i int) string {
	for j := i; j < len(s); {
		c := s[j]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return foldBuild(s, j)
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if !(r == utf8.RuneError && size == 1) && (IsMark(r) || FoldRune(r) != r) {
			return foldBuild(s, j)
		}
		j += size
	}
	return s
}

// foldBuild copies s[:i] unchanged and folds the rest.
func foldBuild(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for j := i; j < len(s); {
		c := s[j]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte(c) // keep invalid bytes as they are
		case IsMark(r):
			// dropped
		default:
			b.WriteRune(FoldRune(r))
		}
		j += size
	}
	return b.String()
}
