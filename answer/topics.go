package answer

import (
	"strings"
	"unicode"

	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// TopicGroup is one topic area with its documents.
type TopicGroup struct {
	Topic string
	Name  string
	Docs  []*knowledge.Doc
}

// Topics groups the corpus's documents by topic, in language l where a version exists.
func Topics(c *knowledge.Corpus, l lang.Lang) []TopicGroup {
	var out []TopicGroup
	for _, t := range knowledge.Topics {
		g := TopicGroup{Topic: t, Name: T(l, "topic_"+t)}
		seen := map[string]bool{}
		for _, d := range c.Docs {
			if d.Topic != t || seen[d.ID] {
				continue
			}
			seen[d.ID] = true
			if v := c.Doc(d.ID, string(l)); v != nil {
				d = v
			}
			g.Docs = append(g.Docs, d)
		}
		if len(g.Docs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"npr": true, "sod": true, "itd": true, "tj": true, "oz": true, "št": true, "čl": true, "ipd": true,
	"t": true, "i": true, "d": true, "e": true, "g": true, "dr": true, "mr": true, "st": true,
	"art": true, "no": true, "nr": true, "vs": true, "etc": true, "approx": true, "eur": true,
}

// FirstSentence is the first sentence of s (for one-line summaries): it ends at ". ", "? " or "! "
// followed by a capital letter ("11. maja" goes on), and not after an abbreviation ("npr.",
// "Potting in sod."). It is cut at about 200 characters.
func FirstSentence(s string) string {
	s = strings.TrimSpace(s)
	rs := []rune(s)
	for i := 1; i+2 < len(rs); i++ {
		if (rs[i] != '.' && rs[i] != '?' && rs[i] != '!') || rs[i+1] != ' ' || !unicode.IsUpper(rs[i+2]) {
			continue
		}
		if rs[i] == '.' {
			j := i
			for j > 0 && (unicode.IsLetter(rs[j-1]) || unicode.IsDigit(rs[j-1])) {
				j--
			}
			word := string(rs[j:i])
			if abbreviations[strings.ToLower(word)] {
				continue
			}
		}
		return truncateRunes(string(rs[:i+1]), 200)
	}
	return truncateRunes(s, 200)
}

func truncateRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	cut := string(rs[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + " …"
}
