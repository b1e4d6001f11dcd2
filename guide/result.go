package guide

import "github.com/krog-advisor/krog/knowledge"

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
	Lang     string             `json:"lang"`
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
func Question(q *knowledge.GuideQuestion, l string) *QuestionJSON {
	out := &QuestionJSON{ID: q.ID, Text: q.Text.In(l), Why: q.Why.In(l)}
	for _, o := range q.Options {
		out.Options = append(out.Options, OptionJSON{ID: o.ID, Label: o.Label.In(l)})
	}
	return out
}

// Result is the step in the words of its language.
func (s Step) Result() Result {
	l := s.Lang
	r := Result{Guide: s.Guide.ID, Title: s.Guide.Title.In(l), Lang: l, Reasons: s.Reasons, FindOut: s.FindOut, Answers: []AnswerJSON{}}
	for _, a := range s.Answers {
		q := s.Guide.Question(a.Question)
		r.Answers = append(r.Answers, AnswerJSON{Question: a.Question, Option: a.Option, Text: q.Text.In(l), Answer: q.Option(a.Option).Label.In(l)})
	}
	if s.Next != nil {
		r.Next = Question(s.Next, l)
		return r
	}
	o := s.Outcome
	r.Outcome, r.Verdict, r.Summary = o.ID, o.Verdict.In(l), o.Summary.In(l)
	r.Steps, r.Keep, r.Contacts = o.Steps.In(l), o.Keep.In(l), o.Contacts.In(l)
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
func Label(l, key string) string { return labels[key].In(l) }

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
