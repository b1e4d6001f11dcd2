package index

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/krog-advisor/krog/lang"
)

// Names of krog's analysis components in Bleve's registry.
const (
	WordTokenizer = "krog_words"   // runs of letters, digits and marks (apostrophes inside words)
	PrefixChar    = "krog_prefix"  // "by-product" → "by_product": one token, same offsets
	JoinFilter    = "krog_join"    // "by_product" → "byproduct"
	FoldFilter    = "krog_fold"    // č ć → c, š → s, ž → z, đ → d, other accents dropped
	StopSlFilter  = "krog_stop_sl" // Slovene function words (folded)
	StemSlFilter  = "krog_stem_sl" // the light Slovene stemmer of package lang
	AnalyzerSl    = "krog_sl"      // unicode → lowercase → fold → stop → stem
	AnalyzerEn    = "krog_en"      // bleve's en chain with folding added
)

func init() {
	// Registering analysis components is the one init side effect Bleve's design asks for.
	must(registry.RegisterTokenizer(WordTokenizer, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordTokenizer{}, nil
	}))
	must(registry.RegisterCharFilter(PrefixChar, func(map[string]any, *registry.Cache) (analysis.CharFilter, error) {
		return prefixChar{}, nil
	}))
	must(registry.RegisterTokenFilter(JoinFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return joinFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(FoldFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(StopSlFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return stopSlFilter{}, nil
	}))
	must(registry.RegisterTokenFilter(StemSlFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return stemSlFilter{}, nil
	}))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// wordTokenizer splits text into words: maximal runs of letters, digits, combining marks and
// underscores, with an apostrophe kept between letters ("company's", for the possessive filter).
// For krog's short passages it finds the same words as Bleve's Unicode (UAX #29) tokenizer, which
// also keeps decimals such as "11.8" together, at several times the speed: the tokenizer was a
// quarter of index build time.
type wordTokenizer struct{}

func (wordTokenizer) Tokenize(in []byte) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in)/6+1)
	var block []analysis.Token
	pos := 0
	for i := 0; i < len(in); {
		r, size := decodeRune(in, i)
		if !isWordRune(r) || unicode.Is(unicode.Mn, r) { // a mark only continues a word
			i += size
			continue
		}
		start, numeric := i, true
		for i < len(in) {
			r, size = decodeRune(in, i)
			if isWordRune(r) {
				numeric = numeric && r >= '0' && r <= '9'
				i += size
				continue
			}
			if (r == '\'' || r == '’') && i+size < len(in) {
				if next, _ := decodeRune(in, i+size); unicode.IsLetter(next) {
					i += size
					continue
				}
			}
			break
		}
		if len(block) == 0 {
			block = make([]analysis.Token, 64)
		}
		t := &block[0]
		block = block[1:]
		pos++
		*t = analysis.Token{Term: in[start:i], Start: start, End: i, Position: pos, Type: analysis.AlphaNumeric}
		if numeric {
			t.Type = analysis.Numeric
		}
		out = append(out, t)
	}
	return out
}

func decodeRune(b []byte, i int) (rune, int) {
	if b[i] < utf8.RuneSelf {
		return rune(b[i]), 1
	}
	return utf8.DecodeRune(b[i:])
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// compoundPrefixes are the first parts of hyphenated compounds kept whole ("by-product",
// "re-use", "e-waste", "eko-dizajn").
var compoundPrefixes = map[string]bool{
	"by": true, "re": true, "co": true, "non": true, "pre": true, "e": true,
	"eco": true, "eko": true, "bio": true, "mikro": true, "micro": true,
}

// prefixChar replaces the hyphen after a compound prefix with an underscore, which the Unicode
// tokenizer keeps inside a word; the text keeps its length, so offsets stay true for highlighting.
type prefixChar struct{}

func (prefixChar) Filter(in []byte) []byte {
	var out []byte
	for i := 1; i+1 < len(in); i++ {
		if in[i] != '-' || !isASCIILetter(in[i+1]) {
			continue
		}
		start := i
		for start > 0 && isASCIILetter(in[start-1]) {
			start--
		}
		if start == i || i-start > 5 || (start > 0 && in[start-1] >= 0x80) {
			continue
		}
		var buf [5]byte
		w := buf[:i-start]
		for j := range w {
			w[j] = in[start+j] | 0x20 // ASCII lowercase
		}
		if !compoundPrefixes[string(w)] {
			continue
		}
		if out == nil {
			out = append([]byte(nil), in...)
		}
		out[i] = '_'
	}
	if out == nil {
		return in
	}
	return out
}

func isASCIILetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// joinFilter drops the underscores that PrefixChar put into hyphenated compounds, so "by-product",
// "by_product" and "byproduct" are one term.
type joinFilter struct{}

func (joinFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		if bytes.IndexByte(t.Term, '_') >= 0 {
			t.Term = bytes.ReplaceAll(t.Term, []byte("_"), nil)
		}
	}
	return ts
}

type foldFilter struct{}

func (foldFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		if f := lang.Fold(string(t.Term)); f != string(t.Term) {
			t.Term = []byte(f)
		}
	}
	return ts
}

type stopSlFilter struct{}

func (stopSlFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	out := ts[:0]
	for _, t := range ts {
		if !lang.IsStopSl(string(t.Term)) {
			out = append(out, t)
		}
	}
	return out
}

type stemSlFilter struct{}

func (stemSlFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		if s := lang.StemSl(string(t.Term)); len(s) != len(t.Term) {
			t.Term = []byte(s)
		}
	}
	return ts
}

// addAnalyzers defines krog's two analyzers on the index mapping. Both keep hyphenated compounds
// with a common prefix whole ("by-product", "re-use", "e-waste", "eko-dizajn"): the Unicode
// tokenizer would split them, and "by" alone is a stop word, leaving only the weak "product".
func addAnalyzers(im *mapping.IndexMappingImpl) error {
	if err := im.AddCustomAnalyzer(AnalyzerSl, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{PrefixChar},
		"tokenizer":     WordTokenizer,
		"token_filters": []any{JoinFilter, lowercase.Name, FoldFilter, StopSlFilter, StemSlFilter},
	}); err != nil {
		return err
	}
	return im.AddCustomAnalyzer(AnalyzerEn, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{PrefixChar},
		"tokenizer":     WordTokenizer,
		"token_filters": []any{JoinFilter, en.PossessiveName, lowercase.Name, FoldFilter, en.StopName, porter.Name},
	})
}
