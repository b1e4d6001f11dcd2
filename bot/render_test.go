package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/krog-advisor/krog/lang"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares msg, as Slack receives it, with testdata/name.golden.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	// Through a generic value, so that what the block types escape for HTML reads plainly.
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run Golden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got); if the change is intended, run with -update:\n%s", name, diff)
	}
}

// foundReply is a found answer with the characters that break careless mrkdwn: & < > in the text,
// a URL with parentheses and an ampersand, and a highlighted passage.
func foundReply() answer.Reply {
	passage := "A residue is a by-product & not waste only if all four conditions hold: further use is certain, <no processing> beyond normal industrial practice, …"
	mark := func(word string) [2]int {
		i := strings.Index(passage, word)
		return [2]int{i, i + len(word)}
	}
	return answer.Reply{
		Question: "When is a residue a by-product & not waste?",
		Lang:     "en", Detected: "en", Found: true, Mode: "extractive",
		Title:   "When is a production residue a by-product and not waste?",
		Summary: "Under Directive 2008/98/EC, Art. 5, a residue is a by-product, not waste, only if all four conditions hold <at the same time>.",
		Heading: "When is a residue a by-product?",
		Passage: index.Snippet{Text: passage, Marks: [][2]int{mark("by-product"), mark("waste")}},
		Sources: []answer.Source{
			{ID: "by-product", Title: "When is a production residue a by-product and not waste?", URL: "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02008L0098-20240218&from=EN", Lang: "en", Jurisdiction: "EU", Updated: "2026-11-27", Section: "When is a residue a by-product?"},
			{ID: "case-kalundborg", Title: "Kalundborg (Denmark): the symbiosis", URL: "https://en.wikipedia.org/wiki/Kalundborg_Eco-industrial_Park_(symbiosis)", Lang: "en", Jurisdiction: "global", Updated: "2025-01-10", Section: "Exchanges"},
		},
	}
}

func notFoundReply() answer.Reply {
	return answer.Reply{
		Question: "Who won the football world cup in 2018?", Lang: "en", Detected: "en", Found: false, Mode: "extractive",
		Answer:      answer.T("en", "not_found"),
		Suggestions: []string{"Circular business models", "Barriers: market", "Funding in Slovenia"},
	}
}

func TestGoldenFoundAnswer(t *testing.T) {
	msg := renderAnswer(foundReply(), answerView{ID: "a1b2c3", Share: true, More: true, Question: true})
	golden(t, "found", msg)
	checkLimits(t, "found", msg)
}

func TestGoldenNotFound(t *testing.T) {
	msg := renderAnswer(notFoundReply(), answerView{ID: "d4e5f6", Share: true, More: true, Question: true})
	golden(t, "not_found", msg)
	checkLimits(t, "not_found", msg)
}

func TestGoldenGlossaryEntry(t *testing.T) {
	term := &knowledge.Term{
		SL: []string{"razširjena odgovornost proizvajalca"}, EN: []string{"extended producer responsibility"}, Acronyms: []string{"EPR", "ROP"},
		DefSL: "Proizvajalec je odgovoren za izdelek tudi, ko ta postane odpadek (zbiranje & obdelava).",
		DefEN: "The producer is responsible for a product also when it becomes waste (collection & treatment).",
	}
	msg := renderTerm(term, "sl")
	golden(t, "glossary", msg)
	checkLimits(t, "glossary", msg)
}

func TestGoldenSharedAnswer(t *testing.T) {
	rep := foundReply()
	rep.Lang = "sl"
	msg := renderAnswer(rep, answerView{ID: "a1b2c3", SharedBy: "U123"})
	golden(t, "shared", msg)
	checkLimits(t, "shared", msg)
}

func TestGoldenLLMAnswer(t *testing.T) {
	rep := foundReply()
	rep.Mode, rep.Model = "llm", "gpt-4o-mini"
	rep.LLMText = "## Short answer\n**Yes**, if all four conditions of Art. 5 hold [1].\n- further use is certain [1]\n- see the [Kalundborg case](https://en.wikipedia.org/wiki/Kalundborg_(symbiosis)) [2]"
	msg := renderAnswer(rep, answerView{ID: "a1b2c3", Share: true, More: true})
	golden(t, "llm", msg)
	checkLimits(t, "llm", msg)
}

func TestMrkdwnEscapingAndLinks(t *testing.T) {
	msg := renderAnswer(foundReply(), answerView{ID: "x"})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(msg)
	s := buf.String()
	for _, want := range []string{
		`*by-product* &amp; not *waste*`,
		`&lt;no processing&gt;`,
		`*by-product*`,
		`<https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02008L0098-20240218&amp;from=EN|When is a production residue a by-product and not waste?>`,
		`<https://en.wikipedia.org/wiki/Kalundborg_Eco-industrial_Park_(symbiosis)|Kalundborg (Denmark): the symbiosis>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("rendered answer lacks %s", want)
		}
	}
	if strings.Contains(s, "<no processing>") || strings.Contains(s, " & not") {
		t.Error("rendered answer has unescaped < or &")
	}
	if got := link("javascript:alert(1)", "x<y"); got != "x&lt;y" {
		t.Errorf("link to a non-http URL = %q, want the escaped title only", got)
	}
	if got := link("https://example.com/a|b>c d", "t|u"); got != "<https://example.com/a%7Cb%3Ec%20d|t¦u>" {
		t.Errorf("link = %q", got)
	}
	if got := markdownToMrkdwn("**a & b** [x](https://e.com/a_(b)) <y>"); got != "*a &amp; b* <https://e.com/a_(b)|x> &lt;y&gt;" {
		t.Errorf("markdownToMrkdwn = %q", got)
	}
}

func TestClipKeepsLinksWhole(t *testing.T) {
	s := strings.Repeat("word ", 10) + "<https://example.com/long|a linked title>"
	for n := 10; n < len(s); n += 3 {
		got := clip(s, n)
		if utf8.RuneCountInString(got) > n {
			t.Fatalf("clip(%d) is %d long", n, utf8.RuneCountInString(got))
		}
		if strings.Count(got, "<") != strings.Count(got, ">") {
			t.Fatalf("clip(%d) = %q cuts a link", n, got)
		}
	}
}

// An answer too big for Slack in every way still fits.
func TestHugeAnswerFits(t *testing.T) {
	rep := foundReply()
	rep.Summary = strings.Repeat("Very long summary & more <text>. ", 300)
	rep.Passage = index.Snippet{Text: strings.Repeat("passage ", 1000)}
	rep.Heading = strings.Repeat("H", 500)
	rep.Question = strings.Repeat("q", 5000)
	for i := range 80 {
		rep.Sources = append(rep.Sources, answer.Source{ID: "d", Title: strings.Repeat("T", 300), URL: "https://example.com/" + strings.Repeat("x", 100), Section: strings.Repeat("s", 300), Jurisdiction: "EU", Updated: "2025-01-01"})
		_ = i
	}
	for i := range 60 {
		rep.Notices = append(rep.Notices, strings.Repeat("n", 100))
		_ = i
	}
	checkLimits(t, "huge", renderAnswer(rep, answerView{ID: "x", Share: true, More: true, Question: true}))
	rep.Mode, rep.LLMText = "llm", strings.Repeat("**bold** [link](https://e.com/x) ", 500)
	checkLimits(t, "huge llm", renderAnswer(rep, answerView{ID: "x"}))
	term := &knowledge.Term{SL: []string{strings.Repeat("s", 200)}, EN: []string{strings.Repeat("e", 200)}, DefSL: strings.Repeat("d ", 4000), DefEN: strings.Repeat("d ", 4000)}
	checkLimits(t, "huge term", renderTerm(term, "en"))
	checkLimits(t, "thinking", renderThinking("sl", strings.Repeat("streamed text ", 1000)))
}

// checkLimits fails when a message breaks one of Slack's limits (slack-platform.md).
func checkLimits(t *testing.T, name string, msg message) {
	t.Helper()
	if n := len(msg.Blocks); n == 0 || n > maxBlocks {
		t.Errorf("%s: %d blocks", name, n)
	}
	checkBlocks(t, name, msg.Blocks)
	if n := utf8.RuneCountInString(msg.Text); n > maxMessageText {
		t.Errorf("%s: text of %d characters", name, n)
	}
	if n := blocksChars(msg.Blocks); n > maxBlocksChars+maxSectionText {
		t.Errorf("%s: blocks hold %d characters", name, n)
	}
}

func checkBlocks(t *testing.T, name string, blocks []slack.Block) {
	t.Helper()
	text := func(what string, o *slack.TextBlockObject, max int) {
		if o == nil {
			return
		}
		if n := utf8.RuneCountInString(o.Text); n > max || n == 0 {
			t.Errorf("%s: %s text of %d characters (max %d)", name, what, n, max)
		}
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			text("section", b.Text, maxSectionText)
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				text("button", b.Accessory.ButtonElement.Text, maxButtonText)
				if len(b.Accessory.ButtonElement.Value) > 2000 {
					t.Errorf("%s: button value too long", name)
				}
			}
		case *slack.HeaderBlock:
			text("header", b.Text, maxHeaderText)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if o, ok := e.(*slack.TextBlockObject); ok {
					text("context", o, maxSectionText)
				}
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					text("button", btn.Text, maxButtonText)
					if len(btn.Value) > 2000 || len(btn.ActionID) > 255 {
						t.Errorf("%s: button value or action id too long", name)
					}
				}
			}
		}
	}
}

// Everything krog can show from the real knowledge base stays within Slack's limits: the answers
// to the evaluation questions (extractive, with more sources too), the topics, every document, the
// help and the App Home.
func TestRealContentFitsSlack(t *testing.T) {
	idx := TestingIndex(t)
	svc := answer.New(idx, answer.Config{})
	data, err := fs.ReadFile(knowledge.Embedded(), "eval/questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var q struct {
			Q string `json:"q"`
		}
		if json.Unmarshal([]byte(line), &q) != nil || q.Q == "" {
			continue
		}
		for _, offset := range []int{0, 3} {
			rep, err := svc.Answer(context.Background(), answer.Request{Question: q.Q, Offset: offset})
			if err != nil {
				t.Fatalf("%q: %v", q.Q, err)
			}
			checkLimits(t, q.Q, renderAnswer(rep, answerView{ID: "x", Share: true, More: true, Question: true, Offset: offset}))
			checkLimits(t, q.Q+" shared", renderAnswer(rep, answerView{ID: "x", SharedBy: "U1"}))
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d questions checked", n)
	}
	c := idx.Corpus()
	for _, l := range []lang.Lang{lang.SL, lang.EN} {
		groups := answer.Topics(c, l)
		checkLimits(t, "topics "+string(l), renderTopics(groups, l))
		for _, g := range groups {
			checkLimits(t, "topic "+g.Topic, renderTopic(g, l))
		}
	}
	for _, d := range c.Docs {
		checkLimits(t, d.ID, renderDoc(d, lang.Lang(d.Lang)))
	}
	for _, term := range c.Glossary.Terms {
		checkLimits(t, first(term.EN), renderTerm(term, "sl"))
	}
	checkLimits(t, "help", renderHelp())
	home := renderHome(answer.Topics(c, "en"))
	if n := len(home.Blocks.BlockSet); n > maxHomeBlocks {
		t.Errorf("home: %d blocks", n)
	}
	checkBlocks(t, "home", home.Blocks.BlockSet)
	modal := missingModal("x", "sl")
	if n := len([]rune(modal.Title.Text)); n > maxModalTitle {
		t.Errorf("modal title of %d characters", n)
	}
}
