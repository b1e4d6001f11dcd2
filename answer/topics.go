package answer

import (
	"strings"

	"github.com/krog-advisor/krog/knowledge"
)

// TopicGroup is one topic area with its documents.
type TopicGroup struct {
	Topic string
	Name  string
	Docs  []*knowledge.Doc
}

// Topics groups the corpus's documents by topic, in language l where a version exists.
func Topics(c *knowledge.Corpus, l string) []TopicGroup {
	var out []TopicGroup
	for _, t := range knowledge.Topics {
		g := TopicGroup{Topic: t, Name: T(l, "topic_"+t)}
		seen := map[string]bool{}
		for _, d := range c.Docs {
			if d.Topic != t || seen[d.ID] {
				continue
			}
			seen[d.ID] = true
			if v := c.Doc(d.ID, l); v != nil {
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

// FirstSentence is the first sentence of s (for one-line summaries).
func FirstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '.' || s[i] == '?' || s[i] == '!') && s[i+1] == ' ' && i > 20 {
			return s[:i+1]
		}
	}
	return strings.TrimSpace(s)
}
