package guide

import (
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/lang"
)

// QuestionJSON is a question as faces show it.
type QuestionJSON struct {
	ID      string       `json:"id"`
	Text    string       `json:"text"`
	Why     string       `json:"why"`
	Options []OptionJSON `json:"options"`
}

// OptionJSON is one answer a question offers.
type OptionJSON struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// AnswerJSON is one answer given, with the words the asker saw.
type AnswerJSON struct {
	Question string `json:"question"`
	Option   string `json:"option"`
	Text     string `json:"text"`   // the question
	Answer   string `json:"answer"` // the option's label
}

// Result is a step in the words of its language: the next question, or the outcome.
type Result struct {
	Guide    string             `json:"guide"`
	Title    string             `json:"title"`
	Lang     lang.Lang          `json:"lang"`
	Next     *QuestionJSON      `json:"next,omitempty"`
	Outcome  string             `json:"outcome,omitempty"`
	Verdict  string             `json:"verdict,omitempty"`
	Summary  string             `json:"summary,omitempty"`
	Reasons  []string           `json:"reasons,omitempty"`
	FindOut  []string           `json:"find_out,omitempty"`
	Steps    []string           `json:"next_steps,omitempty"`
	Keep     []string           `json:"keep,omitempty"`
	Contacts []string           `json:"contacts,omitempty"`
	Sources  []knowledge.Source `json:"sources,omitempty"`
	Docs     []string           `json:"docs,omitempty"`
	Answers  []AnswerJSON       `json:"answers"`
}

// Question is q in language l.
func Question(q *knowledge.GuideQuestion, l lang.Lang) *QuestionJSON {
	out := &QuestionJSON{ID: q.ID, Text: q.Text.In(string(l)), Why: q.Why.In(string(l))}
	for _, o := range q.Options {
		out.Options = append(out.Options, OptionJSON{ID: o.ID, Label: o.Label.In(string(l))})
	}
	return out
}

// Result is the step in the words of its language.
func (s Step) Result() Result {
	l := s.Lang
	r := Result{Guide: s.Guide.ID, Title: s.Guide.Title.In(string(l)), Lang: l, Reasons: s.Reasons, FindOut: s.FindOut, Answers: []AnswerJSON{}}
	for _, a := range s.Answers {
		q := s.Guide.Question(a.Question)
		r.Answers = append(r.Answers, AnswerJSON{Question: a.Question, Option: a.Option, Text: q.Text.In(string(l)), Answer: q.Option(a.Option).Label.In(string(l))})
	}
	if s.Next != nil {
		r.Next = Question(s.Next, l)
		return r
	}
	o := s.Outcome
	r.Outcome, r.Verdict, r.Summary = o.ID, o.Verdict.In(string(l)), o.Summary.In(string(l))
	r.Steps, r.Keep, r.Contacts = o.Steps.In(string(l)), o.Keep.In(string(l)), o.Contacts.In(string(l))
	r.Sources, r.Docs = o.Sources, o.Docs
	return r
}

// labels are the headings of a result, the same in the terminal, in Slack and in the PDF record.
var labels = map[string]knowledge.Text{
	"reasons":  {SL: "Zakaj", EN: "Why"},
	"find_out": {SL: "Še ugotovite", EN: "Still to find out"},
	"steps":    {SL: "Naslednji koraki", EN: "Next steps"},
	"keep":     {SL: "Hranite v mapi", EN: "Keep on file"},
	"contacts": {SL: "Koga vprašati", EN: "Whom to ask"},
	"sources":  {SL: "Viri", EN: "Sources"},
	"answers":  {SL: "Vaši odgovori", EN: "Your answers"},
	"verdict":  {SL: "Ocena", EN: "Assessment"},
	"date":     {SL: "Datum", EN: "Date"},
	"record":   {SL: "Zapis samopreverjanja", EN: "Self-check record"},
	"footer":   {SL: "Smernice, ne pravni nasvet: pred odločitvijo preverite uradna besedila ali vprašajte pristojni organ.", EN: "Guidance, not legal advice: check the official texts or ask the competent authority before you act."},
}

// Label is the heading key in language l.
func Label(l lang.Lang, key string) string { return labels[key].In(string(l)) }

// Section is one titled list of a result.
type Section struct {
	Title string
	Items []string
}

// Sections are the lists of an outcome, in the order every face shows them.
func (r Result) Sections() []Section {
	var src []string
	for _, s := range r.Sources {
		src = append(src, s.Title+" — "+s.URL)
	}
	var out []Section
	for _, s := range []Section{
		{Label(r.Lang, "reasons"), r.Reasons},
		{Label(r.Lang, "find_out"), r.FindOut},
		{Label(r.Lang, "steps"), r.Steps},
		{Label(r.Lang, "keep"), r.Keep},
		{Label(r.Lang, "contacts"), r.Contacts},
		{Label(r.Lang, "sources"), src},
	} {
		if len(s.Items) > 0 {
			out = append(out, s)
		}
	}
	return out
}
