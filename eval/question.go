// Package eval measures what krog's users get: it asks a question file through the answer service
// (no model) and reports, per language and per style, how many questions were answered, how many
// answers had a right document among the first three and first one, how good the ranking is
// ignoring the confidence gate, and how many unanswerable questions were declined. It also refits
// the confidence model (Fit) on the tuning part of the realistic question set.
//
// Two question formats are read. The realistic set (eval/real-*.jsonl) labels each question with
// the documents that answer it (grade 2) or help (grade 1), a style and a persona; it is split by a
// fixed rule (HeldOut) into a tuning part and a held-out part nobody tunes on. The older regression
// file (eval/questions.jsonl) names strings a right passage contains.
package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// Styles are the ways a realistic question may be written.
var Styles = []string{"plain", "conversational", "situation", "paraphrase", "colloquial", "keywords", "multi-sentence", "cross-language", "off-topic"}

// Question is one line of a question file.
type Question struct {
	ID      string         `json:"id"`
	Lang    lang.Lang      `json:"lang"`
	Q       string         `json:"q"`
	Style   string         `json:"style,omitempty"`
	Persona string         `json:"persona,omitempty"`
	Docs    map[string]int `json:"docs,omitempty"` // document id → 2 answers it, 1 helps
	// The regression format: every group must have one of its strings in a right passage, or
	// found: false for a question krog must decline.
	Expect [][]string `json:"expect,omitempty"`
	AnyOf  [][]string `json:"any_of,omitempty"`
	Found  *bool      `json:"found,omitempty"`
}

// Graded reports whether the question is in the realistic, document-graded format.
func (q Question) Graded() bool { return q.Style != "" }

// Unanswerable reports whether the knowledge base has no guidance for the question.
func (q Question) Unanswerable() bool {
	if q.Graded() {
		return len(q.Docs) == 0
	}
	return q.Found != nil && !*q.Found
}

// HeldOut is the fixed split of the realistic set: a question whose id ends in a number n with
// n mod 5 = 0 or 1 is held out (40 %); the rest is the tuning part. Regression questions are never
// held out.
func (q Question) HeldOut() bool {
	if !q.Graded() {
		return false
	}
	i := strings.LastIndexFunc(q.ID, func(r rune) bool { return !unicode.IsDigit(r) })
	n, err := strconv.Atoi(q.ID[i+1:])
	return err == nil && n%5 < 2
}

// Read parses a JSON-lines question file; a bad line is an error naming its line.
func Read(r io.Reader, name string) ([]Question, error) {
	var out []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		if err := q.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %s", name, n, err)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

func (q Question) check() error {
	switch {
	case q.ID == "" || strings.TrimSpace(q.Q) == "":
		return fmt.Errorf(`a question needs "id" and "q"`)
	case !slices.Contains(knowledge.Langs, string(q.Lang)):
		return fmt.Errorf("lang %q must be one of %s", q.Lang, strings.Join(knowledge.Langs, ", "))
	case q.Graded() && !slices.Contains(Styles, q.Style):
		return fmt.Errorf("style %q must be one of %s", q.Style, strings.Join(Styles, ", "))
	case q.Graded() && (q.Style == "off-topic") != (len(q.Docs) == 0):
		return fmt.Errorf(`an off-topic question has "docs": {}, any other at least one document`)
	case !q.Graded() && len(q.Expect) == 0 && len(q.AnyOf) == 0 && !q.Unanswerable():
		return fmt.Errorf(`a question needs "style" and "docs", or "expect"/"any_of", or "found": false`)
	}
	for id, g := range q.Docs {
		if g != 1 && g != 2 {
			return fmt.Errorf("document %s has grade %d; use 2 (answers) or 1 (helps)", id, g)
		}
	}
	return nil
}

// right reports whether a passage (its document id, title, heading and text) is a right one for
// the question: a graded document, or for a regression question one that holds a string of every
// group, matched at the start of a word (so "NDA" does not match inside "standard").
func (q Question) right(s *knowledge.Section) bool {
	if q.Graded() {
		return q.Docs[s.Doc.ID] > 0
	}
	if q.Unanswerable() {
		return false
	}
	hay := lang.Fold(s.Doc.Title + "\n" + s.Heading + "\n" + s.Text)
	for _, g := range slices.Concat(q.Expect, q.AnyOf) {
		if !slices.ContainsFunc(g, func(alt string) bool { return containsWord(hay, lang.Fold(alt)) }) {
			return false
		}
	}
	return true
}

// rightDoc reports whether a document of the ranking is right: a graded one, or for a regression
// question one with a retrieved passage that holds the question's strings.
func (q Question) rightDoc(d answer.RankedDoc) bool {
	return slices.ContainsFunc(d.Passages, q.right)
}

// containsWord reports whether needle occurs in hay starting at a word boundary.
func containsWord(hay, needle string) bool {
	for from := 0; ; {
		i := strings.Index(hay[from:], needle)
		if i < 0 {
			return false
		}
		at := from + i
		if at == 0 || !isWordByte(hay[at-1]) || !isWordByte(needle[0]) {
			return true
		}
		from = at + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}
