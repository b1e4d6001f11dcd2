package knowledge

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A decision guide (knowledge/guides/<id>.yaml) is a step-by-step self-check — "Is this residue a
// by-product?" — written in both languages in one file, so that the two cannot drift apart in
// structure. It is a graph: questions whose options lead to another question or to an outcome.
// Guides are knowledge like the documents: the same fact standards, reviewed by curators, checked by
// `krog lint` (every path ends in an outcome, nothing is unreachable, both languages complete, every
// outcome sourced).

// Text is a text in both languages.
type Text struct {
	SL string `yaml:"sl" json:"sl"`
	EN string `yaml:"en" json:"en"`
}

// In is the text in language l (English unless l is "sl").
func (t Text) In(l string) string {
	if l == "sl" {
		return t.SL
	}
	return t.EN
}

// Texts is a list of texts in both languages.
type Texts []Text

// In is the list in language l.
func (ts Texts) In(l string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(l)
	}
	return out
}

// Guide is one decision guide.
type Guide struct {
	ID        string           `yaml:"id"`
	Title     Text             `yaml:"title"`
	Summary   Text             `yaml:"summary"`
	Docs      []string         `yaml:"docs"`  // knowledge documents the guide rests on
	Start     string           `yaml:"start"` // the first question
	Questions []*GuideQuestion `yaml:"questions"`
	Outcomes  []*GuideOutcome  `yaml:"outcomes"`
	Updated   string           `yaml:"updated"`
	Path      string           `yaml:"-"`
}

// GuideQuestion is one step: a question, why it is asked, what to find out if the answer is not
// known, and the options.
type GuideQuestion struct {
	ID      string         `yaml:"id"`
	Text    Text           `yaml:"text"`
	Why     Text           `yaml:"why"`
	FindOut Text           `yaml:"find_out"` // what to find out, and from whom, when the answer is "don't know"
	Options []*GuideOption `yaml:"options"`
}

// GuideOption is one answer to a question and where it leads; its reason, if any, is shown with
// the outcome ("The buyer has signed a five-year contract: further use is certain.").
type GuideOption struct {
	ID     string `yaml:"id"`
	Label  Text   `yaml:"label"`
	Next   string `yaml:"next"`
	Reason Text   `yaml:"reason"`
}

// GuideOutcome is where a path ends.
type GuideOutcome struct {
	ID string `yaml:"id"`
	// IfUnknown is the outcome shown instead when an answer on the path was "don't know": a
	// favourable verdict needs every answer.
	IfUnknown string   `yaml:"if_unknown"`
	Verdict   Text     `yaml:"verdict"`
	Summary   Text     `yaml:"summary"`
	Steps     Texts    `yaml:"next_steps"`
	Keep      Texts    `yaml:"keep"`
	Contacts  Texts    `yaml:"contacts"`
	Sources   []Source `yaml:"sources"`
	Docs      []string `yaml:"docs"`
}

// Unknown is the id of the "don't know" option, which every question has.
const Unknown = "unknown"

// defaultLabels are the labels of the usual options when a guide does not give its own.
var defaultLabels = map[string]Text{
	"yes":   {SL: "Da", EN: "Yes"},
	"no":    {SL: "Ne", EN: "No"},
	Unknown: {SL: "Ne vem", EN: "Don't know"},
}

// Question returns the question with id, or nil.
func (g *Guide) Question(id string) *GuideQuestion {
	for _, q := range g.Questions {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// Outcome returns the outcome with id, or nil.
func (g *Guide) Outcome(id string) *GuideOutcome {
	for _, o := range g.Outcomes {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// Option returns the option with id, or nil.
func (q *GuideQuestion) Option(id string) *GuideOption {
	for _, o := range q.Options {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// loadGuides reads every guides/*.yaml file.
func loadGuides(fsys fs.FS, c *Corpus) ([]*Guide, Problems) {
	paths, err := fs.Glob(fsys, "guides/*.yaml")
	if err != nil {
		return nil, Problems{{Path: "guides", Msg: fmt.Sprintf("cannot list guides: %v", err)}}
	}
	sort.Strings(paths)
	var out []*Guide
	var probs Problems
	seen := map[string]string{}
	for _, p := range paths {
		data, prob := readFile(fsys, p)
		if prob != nil {
			probs = append(probs, *prob)
			continue
		}
		g, ps := ParseGuide(p, data, c)
		probs = append(probs, ps...)
		if g == nil {
			continue
		}
		if prev, ok := seen[g.ID]; ok {
			probs = append(probs, Problem{Path: p, Line: 1, Msg: fmt.Sprintf("guide %q is already in %s", g.ID, prev)})
			continue
		}
		seen[g.ID] = p
		out = append(out, g)
	}
	return out, probs
}

// ParseGuide parses and checks one guide; c, if not nil, is the corpus its document ids must be in.
// It returns nil when the guide has errors.
func ParseGuide(p string, data []byte, c *Corpus) (*Guide, Problems) {
	var probs Problems
	bad := func(format string, a ...any) {
		probs = append(probs, Problem{Path: p, Line: 1, Msg: fmt.Sprintf(format, a...)})
	}
	var g Guide
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&g); err != nil {
		return nil, Problems{{Path: p, Line: 1, Msg: fmt.Sprintf("not a valid guide: %v", err)}}
	}
	g.Path = p
	// An empty list item ("-" alone) decodes to nothing: report it rather than trip over it.
	if slices.Contains(g.Questions, nil) || slices.Contains(g.Outcomes, nil) {
		return nil, Problems{{Path: p, Line: 1, Msg: "a question or outcome is an empty list item"}}
	}
	for _, q := range g.Questions {
		if slices.Contains(q.Options, nil) {
			return nil, Problems{{Path: p, Line: 1, Msg: fmt.Sprintf("question %s has an empty option", q.ID)}}
		}
	}
	if base := strings.TrimSuffix(path.Base(p), ".yaml"); g.ID != base {
		bad("id %q does not match the file name %s", g.ID, path.Base(p))
	}
	both := func(what string, t Text) {
		if strings.TrimSpace(t.SL) == "" || strings.TrimSpace(t.EN) == "" {
			bad("%s needs both sl and en", what)
		}
	}
	both("title", g.Title)
	both("summary", g.Summary)
	docs := func(what string, ids []string) {
		for _, id := range ids {
			if c != nil && c.Doc(id, "en") == nil && c.Doc(id, "sl") == nil {
				bad("%s refers to document %q, which does not exist", what, id)
			}
		}
	}
	docs("the guide", g.Docs)
	ids := map[string]string{}
	for _, q := range g.Questions {
		if ids[q.ID] != "" || q.ID == "" {
			bad("question id %q is empty or used twice", q.ID)
		}
		ids[q.ID] = "question"
		both("question "+q.ID, q.Text)
		both("question "+q.ID+": why", q.Why)
		both("question "+q.ID+": find_out", q.FindOut)
		if q.Option(Unknown) == nil {
			bad("question %s has no %q option: \"don't know\" must always be allowed", q.ID, Unknown)
		}
		if len(q.Options) < 2 {
			bad("question %s needs at least two options", q.ID)
		}
		for _, o := range q.Options {
			if o.Label == (Text{}) {
				o.Label = defaultLabels[o.ID]
			}
			both("question "+q.ID+": option "+o.ID, o.Label)
			if (o.Reason.SL == "") != (o.Reason.EN == "") {
				bad("question %s: option %s has a reason in one language only", q.ID, o.ID)
			}
		}
	}
	for _, o := range g.Outcomes {
		if ids[o.ID] != "" || o.ID == "" {
			bad("outcome id %q is empty or used twice", o.ID)
		}
		ids[o.ID] = "outcome"
		both("outcome "+o.ID+": verdict", o.Verdict)
		both("outcome "+o.ID+": summary", o.Summary)
		for i, t := range slices.Concat(o.Steps, o.Keep, o.Contacts) {
			both(fmt.Sprintf("outcome %s: list item %d", o.ID, i+1), t)
		}
		if len(o.Steps) == 0 {
			bad("outcome %s has no next_steps", o.ID)
		}
		if len(o.Sources) == 0 {
			bad("outcome %s has no sources", o.ID)
		}
		for j, s := range o.Sources {
			if strings.TrimSpace(s.Title) == "" || !validURL(s.URL) {
				bad("outcome %s: source %d needs a title and an absolute http(s) url", o.ID, j+1)
			}
		}
		docs("outcome "+o.ID, o.Docs)
	}
	for _, o := range g.Outcomes {
		if o.IfUnknown != "" && g.Outcome(o.IfUnknown) == nil {
			bad("outcome %s: if_unknown %q is no outcome", o.ID, o.IfUnknown)
		}
	}
	// Every option leads somewhere; every question and outcome is reached from the start; every
	// path ends in an outcome (no cycle).
	for _, q := range g.Questions {
		for _, o := range q.Options {
			if ids[o.Next] == "" {
				bad("question %s: option %s leads to %q, which is no question or outcome", q.ID, o.ID, o.Next)
			}
		}
	}
	if ids[g.Start] != "question" {
		bad("start %q is not a question", g.Start)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	reached := map[string]bool{}
	var walk func(id string, onPath map[string]bool)
	walk = func(id string, onPath map[string]bool) {
		if onPath[id] {
			bad("a path loops back to %s: every path must end in an outcome", id)
			return
		}
		if reached[id] {
			return
		}
		reached[id] = true
		q := g.Question(id)
		if q == nil {
			return
		}
		onPath[id] = true
		for _, o := range q.Options {
			walk(o.Next, onPath)
		}
		delete(onPath, id)
	}
	walk(g.Start, map[string]bool{})
	for changed := true; changed; { // if_unknown may chain: repeat until nothing new is reached
		changed = false
		for _, o := range g.Outcomes {
			if reached[o.ID] && o.IfUnknown != "" && !reached[o.IfUnknown] {
				reached[o.IfUnknown] = true
				changed = true
			}
		}
	}
	for _, q := range g.Questions {
		if !reached[q.ID] {
			bad("question %s is never reached from the start", q.ID)
		}
	}
	for _, o := range g.Outcomes {
		if !reached[o.ID] {
			bad("outcome %s is never reached from the start", o.ID)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return &g, nil
}
