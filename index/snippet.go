package index

import (
	"strings"
	"unicode/utf8"

	"github.com/krog-advisor/krog/knowledge"
)

// Snippet is an excerpt of a passage with the byte ranges of the words that matched the question.
type Snippet struct {
	Text  string
	Marks [][2]int
}

// Render returns the snippet with each match wrapped in open/close; esc (if not nil) escapes the
// text between and around the marks (for Slack mrkdwn, say).
func (s Snippet) Render(open, close string, esc func(string) string) string {
	if esc == nil {
		esc = func(s string) string { return s }
	}
	var b strings.Builder
	at := 0
	for _, m := range s.Marks {
		b.WriteString(esc(s.Text[at:m[0]]))
		b.WriteString(open)
		b.WriteString(esc(s.Text[m[0]:m[1]]))
		b.WriteString(close)
		at = m[1]
	}
	b.WriteString(esc(s.Text[at:]))
	return b.String()
}

// Snippet cuts the part of passage s (at most maxLen bytes, on word boundaries) that holds the most
// of terms, and marks the words whose analyzed form is one of terms.
func (ix *Index) Snippet(s *knowledge.Section, terms []string, maxLen int) Snippet {
	text := s.Text
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	var marks [][2]int
	for _, t := range ix.langs[s.Doc.Lang].analyzer.Analyze([]byte(text)) {
		if want[string(t.Term)] {
			marks = append(marks, [2]int{t.Start, t.End})
		}
	}
	if len(text) <= maxLen {
		return Snippet{Text: text, Marks: marks}
	}
	// Slide a window over the marks and keep the one that holds the most of them.
	bestStart, bestCount := 0, 0
	for i, m := range marks {
		n := 0
		for _, o := range marks[i:] {
			if o[1]-m[0] > maxLen {
				break
			}
			n++
		}
		if n > bestCount {
			bestStart, bestCount = m[0], n
		}
	}
	// Start a little before the first match: at the sentence start if it is close.
	from := bestStart
	if from > 0 {
		lo := max(0, from-120)
		if i := strings.LastIndexAny(text[lo:from], ".!?\n"); i >= 0 {
			from = lo + i + 1
		} else {
			from = lo
		}
	}
	from = wordStart(text, from)
	to := min(len(text), from+maxLen)
	to = wordEnd(text, to)
	out := Snippet{Text: strings.TrimSpace(text[from:to])}
	lead := from + (len(text[from:to]) - len(strings.TrimLeft(text[from:to], " \t\n")))
	for _, m := range marks {
		if m[0] >= lead && m[1] <= lead+len(out.Text) {
			out.Marks = append(out.Marks, [2]int{m[0] - lead, m[1] - lead})
		}
	}
	prefix, suffix := "", ""
	if from > 0 {
		prefix = "… "
	}
	if to < len(text) {
		suffix = " …"
	}
	for i := range out.Marks {
		out.Marks[i][0] += len(prefix)
		out.Marks[i][1] += len(prefix)
	}
	out.Text = prefix + out.Text + suffix
	return out
}

// wordStart moves i forward to the start of a word (never into the middle of a rune).
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	if i > 0 && s[i-1] != ' ' && s[i-1] != '\n' {
		if j := strings.IndexAny(s[i:], " \n"); j >= 0 {
			return i + j + 1
		}
	}
	return i
}

// wordEnd moves i back to the end of a word.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	if j := strings.LastIndexAny(s[:i], " \n"); j > 0 {
		return j
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
