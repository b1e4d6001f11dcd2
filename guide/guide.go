// Package guide walks krog's decision guides ("Is our residue a by-product?"): from the answers
// given so far it finds the next question, or the outcome with the reasons tied to those answers,
// what is still to be found out and from whom, and the sources. It knows nothing of Slack or the
// terminal: both ask the questions Walk returns and show the Result; Record writes the result as a
// PDF for the company's file.
package guide

import (
	"fmt"
	"slices"
	"strings"

	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// Answer is one question answered.
type Answer struct {
	Question string `json:"question"` // question id
	Option   string `json:"option"`   // option id
}

// Step is where a walk through a guide stands: the next question, or the outcome.
type Step struct {
	Guide   *knowledge.Guide
	Lang    lang.Lang
	Answers []Answer                 // the answers on the path, in order
	Next    *knowledge.GuideQuestion // nil once an outcome is reached
	Outcome *knowledge.GuideOutcome
	Reasons []string // the reasons of the options chosen, in the asker's language
	FindOut []string // what to find out, for each "don't know"
}

// Done reports whether the walk reached an outcome.
func (s Step) Done() bool { return s.Outcome != nil }

// AnswerError is an answer that does not fit the guide; Msg says why in plain words.
type AnswerError struct{ Msg string }

func (e *AnswerError) Error() string { return e.Msg }

// Walk follows guide g from its start with the given answers (question id → option id). Answers to
// questions off the path are ignored; an answer that is no option of its question is an
// *AnswerError.
func Walk(g *knowledge.Guide, l lang.Lang, answers map[string]string) (Step, error) {
	st := Step{Guide: g, Lang: l}
	unknown := false
	id := g.Start
	for {
		if o := g.Outcome(id); o != nil {
			if unknown && o.IfUnknown != "" {
				o = g.Outcome(o.IfUnknown)
			}
			st.Outcome = o
			return st, nil
		}
		q := g.Question(id)
		if q == nil {
			return st, fmt.Errorf("guide %s: %q is neither a question nor an outcome", g.ID, id)
		}
		a, ok := answers[q.ID]
		if !ok {
			st.Next = q
			return st, nil
		}
		opt := q.Option(a)
		if opt == nil {
			return st, &AnswerError{Msg: fmt.Sprintf("%q is not an answer to %s; use one of %s", a, q.ID, strings.Join(OptionIDs(q), ", "))}
		}
		st.Answers = append(st.Answers, Answer{Question: q.ID, Option: opt.ID})
		if r := opt.Reason.In(string(l)); r != "" {
			st.Reasons = append(st.Reasons, r)
		}
		if opt.ID == knowledge.Unknown {
			unknown = true
			st.FindOut = append(st.FindOut, q.FindOut.In(string(l)))
		}
		id = opt.Next
	}
}

// OptionIDs are the ids of a question's options.
func OptionIDs(q *knowledge.GuideQuestion) []string {
	out := make([]string, len(q.Options))
	for i, o := range q.Options {
		out[i] = o.ID
	}
	return out
}

// ParseAnswers reads "question=option,question=option".
func ParseAnswers(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		q, o, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(q) == "" || strings.TrimSpace(o) == "" {
			return nil, &AnswerError{Msg: fmt.Sprintf("%q: write answers as question=option, separated by commas", part)}
		}
		out[strings.TrimSpace(q)] = strings.TrimSpace(o)
	}
	return out, nil
}

// Map turns the answers on a path back into a map, for a next Walk.
func Map(answers []Answer) map[string]string {
	out := make(map[string]string, len(answers))
	for _, a := range answers {
		out[a.Question] = a.Option
	}
	return out
}

// Paths lists every path through g from its start to an outcome, as answer maps (for tests and
// for checking a guide whole).
func Paths(g *knowledge.Guide) []map[string]string {
	var out []map[string]string
	var walk func(id string, acc []Answer)
	walk = func(id string, acc []Answer) {
		q := g.Question(id)
		if q == nil {
			out = append(out, Map(acc))
			return
		}
		for _, o := range q.Options {
			walk(o.Next, append(slices.Clone(acc), Answer{Question: q.ID, Option: o.ID}))
		}
	}
	walk(g.Start, nil)
	return out
}
