package bot

import (
	"fmt"
	"github.com/krog-advisor/krog/lang"
	"strings"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
)

// Slack's limits (slack-platform.md); a message over them fails and the user would see nothing.
const (
	maxBlocks      = 50
	maxHomeBlocks  = 100
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonText  = 75
	maxButtonValue = 2000
	maxOptionText  = 75
	maxOptionValue = 150
	maxMessageText = 3000  // the notification text; msg_too_long comes near 4,000
	maxBlocksChars = 12000 // all blocks together; msg_blocks_too_long comes near 13,000
	maxModalTitle  = 24
)

// Action ids of krog's buttons and menus.
const (
	actShare     = "share"
	actUp        = "vote_up"
	actDown      = "vote_down"
	actMore      = "more"
	actTopic     = "topic_show"
	actOpenDoc   = "open_doc"
	actRelated   = "related"      // a "related question" button: its value is the question to ask
	cbMissing    = "missing"      // the "what was missing?" modal
	blkMissing   = "missing_text" // its input block
	actMissing   = "text"
	blockAnswer  = "answer"
	blockRelated = "related"
)

// message is what krog posts: blocks, and the plain text Slack shows in notifications.
type message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func section(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(clip(s, maxSectionText)), nil, nil)
}

func header(s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plain(plainClip(s, maxHeaderText)))
}

func contextText(s string) *slack.ContextBlock {
	return slack.NewContextBlock("", mrkdwn(clip(s, maxSectionText)))
}

func button(action, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(action, value, plain(plainClip(text, maxButtonText)))
}

// answerView says how an answer is shown.
type answerView struct {
	ID       string // answer id for the buttons; "" for no buttons
	Share    bool   // offer "Share in channel" (the answer is visible only to the asker)
	More     bool   // offer "More sources"
	Question bool   // show the question above the answer
	AskedBy  string // user id: "<@U> asked: …" (/krog share)
	SharedBy string // user id: "<@U> shared this answer"
	Offset   int    // sources skipped (a "more sources" answer)
	Guide    string // "guide id|lang": offer "Check it step by step" with that guide
}

// renderAnswer is an answer as Block Kit: the answer (curated summary and best passage, or the
// model's summary), its sources, the buttons and the footer; or, when krog has no guidance, a
// friendly "not found" with the closest topics.
func renderAnswer(rep answer.Reply, v answerView) message {
	l := rep.Lang
	var blocks []slack.Block
	q := escapeMrkdwn(plainClip(rep.Question, 300))
	switch {
	case v.SharedBy != "":
		blocks = append(blocks, contextText(fmt.Sprintf("<@%s> %s · _%s_", v.SharedBy, say(l, "shared"), q)))
	case v.AskedBy != "":
		blocks = append(blocks, contextText(fmt.Sprintf("<@%s> %s: _%s_", v.AskedBy, say(l, "asked"), q)))
	case v.Question && q != "":
		blocks = append(blocks, contextText("💬 _"+q+"_"))
	}
	if !rep.Found {
		return renderNotFound(rep, v, blocks)
	}
	if rep.Confidence == string(index.Low) {
		blocks = append(blocks, contextText("🤔 "+escapeMrkdwn(say(l, "low"))))
	}
	var text string
	if rep.Mode == "llm" && rep.LLMText != "" {
		text = markdownToMrkdwn(rep.LLMText)
		blocks = append(blocks, section(text))
	} else {
		text = "*" + escapeMrkdwn(rep.Title) + "*\n" + escapeText(rep.Summary)
		blocks = append(blocks, section(text))
		if rep.Passage.Text != "" {
			open, close := "“", "”"
			if l == lang.SL {
				open, close = "»", "«"
			}
			from := "_" + say(l, "best_passage") + " " + open + escapeMrkdwn(rep.Heading) + close + "_\n"
			// The passage is cut first, so that its highlights and the quote survive clipping.
			passage := quote(strings.TrimSpace(rep.Passage.Render("*", "*", escapeText)))
			blocks = append(blocks, section(from+clip(passage, maxSectionText-len([]rune(from)))))
		}
	}
	var notes []string
	if rep.LangNote != "" {
		notes = append(notes, escapeMrkdwn(rep.LangNote))
	}
	for _, n := range rep.Notices {
		notes = append(notes, escapeMrkdwn(n))
	}
	if len(notes) > 0 {
		blocks = append(blocks, contextText("ℹ️ "+strings.Join(notes, " ")))
	}
	if len(rep.Sources) > 0 {
		blocks = append(blocks, slack.NewDividerBlock(), section(renderSources(rep, v.Offset)))
	}
	if v.ID != "" {
		var btns []slack.BlockElement
		if v.Share {
			b := button(actShare, v.ID, say(l, "btn_share"))
			b.Style = slack.StylePrimary
			btns = append(btns, b)
		}
		btns = append(btns, button(actUp, v.ID, "👍"), button(actDown, v.ID, "👎"))
		if v.More && rep.Mode != "llm" {
			btns = append(btns, button(actMore, v.ID, say(l, "btn_more")))
		}
		if v.Guide != "" {
			btns = append(btns, button(actGuideStart, v.Guide, say(l, "check")))
		}
		blocks = append(blocks, slack.NewActionBlock(blockAnswer, btns...))
		if len(rep.Related) > 0 && v.Offset == 0 {
			var rel []slack.BlockElement
			for i, q := range rep.Related {
				rel = append(rel, button(numbered(actRelated, i), plainClip(q, maxButtonValue), q))
			}
			blocks = append(blocks, contextText("*"+say(l, "related")+"*"), slack.NewActionBlock(blockRelated, rel...))
		}
	}
	blocks = append(blocks, contextText(escapeMrkdwn(say(l, "footer"))))
	return message{Text: notification(rep.Title + ": " + rep.Summary), Blocks: fit(blocks, maxBlocks)}
}

// renderSources lists the sources: linked title, jurisdiction, date, and the section quoted.
// Model answers number them as the model cited them.
func renderSources(rep answer.Reply, offset int) string {
	l := rep.Lang
	var b strings.Builder
	b.WriteString("*" + say(l, "sources") + "*")
	for i, s := range rep.Sources {
		b.WriteString("\n")
		if rep.Mode == "llm" {
			fmt.Fprintf(&b, "[%d] ", i+1)
		} else {
			fmt.Fprintf(&b, "%d. ", offset+i+1)
		}
		b.WriteString(link(s.URL, s.Title))
		var meta []string
		if s.Jurisdiction != "" {
			meta = append(meta, escapeMrkdwn(s.Jurisdiction))
		}
		if s.Updated != "" {
			meta = append(meta, say(l, "updated")+" "+s.Updated)
		}
		if len(meta) > 0 {
			b.WriteString(" · " + strings.Join(meta, " · "))
		}
		if s.Section != "" && s.Section != s.Title {
			b.WriteString("\n      _" + escapeMrkdwn(plainClip(s.Section, 150)) + "_")
		}
	}
	return b.String()
}

func renderNotFound(rep answer.Reply, v answerView, blocks []slack.Block) message {
	l := rep.Lang
	if v.Offset > 0 {
		blocks = append(blocks, section(escapeMrkdwn(say(l, "more_none"))))
		return message{Text: notification(say(l, "more_none")), Blocks: blocks}
	}
	blocks = append(blocks, section(escapeMrkdwn(say(l, "not_found")+" "+say(l, "not_found_covers"))))
	if len(rep.Suggestions) > 0 {
		var b strings.Builder
		b.WriteString("*" + escapeMrkdwn(say(l, "not_found_close")) + "*")
		for _, s := range rep.Suggestions {
			b.WriteString("\n• " + escapeMrkdwn(s))
		}
		blocks = append(blocks, section(b.String()))
	}
	blocks = append(blocks, contextText(escapeMrkdwn(say(l, "not_found_browse"))))
	if v.ID != "" {
		blocks = append(blocks, slack.NewActionBlock(blockAnswer, button(actUp, v.ID, "👍"), button(actDown, v.ID, "👎")))
	}
	return message{Text: notification(say(l, "not_found")), Blocks: fit(blocks, maxBlocks)}
}

// renderThinking is the placeholder shown while a model writes; partial is what it has written so
// far.
func renderThinking(l lang.Lang, partial string) message {
	if strings.TrimSpace(partial) == "" {
		return message{Text: "… " + say(l, "thinking"), Blocks: []slack.Block{contextText("… " + escapeMrkdwn(say(l, "thinking")))}}
	}
	return message{
		Text:   notification(partial),
		Blocks: []slack.Block{section(markdownToMrkdwn(partial) + " …"), contextText("… " + escapeMrkdwn(say(l, "thinking")))},
	}
}

// renderText is a short message in krog's words (errors, thanks, limits).
func renderText(s string) message {
	return message{Text: notification(s), Blocks: []slack.Block{section(escapeMrkdwn(s))}}
}

// renderTerm is a glossary entry in both languages.
func renderTerm(t *knowledge.Term, l lang.Lang) message {
	title := strings.Join(t.SL, " / ") + " — " + strings.Join(t.EN, " / ")
	blocks := []slack.Block{header(title)}
	if t.DefSL != "" || len(t.SL) > 0 {
		blocks = append(blocks, section("*SL* · "+escapeMrkdwn(strings.Join(t.SL, " / "))+"\n"+escapeMrkdwn(t.DefSL)))
	}
	if t.DefEN != "" || len(t.EN) > 0 {
		blocks = append(blocks, section("*EN* · "+escapeMrkdwn(strings.Join(t.EN, " / "))+"\n"+escapeMrkdwn(t.DefEN)))
	}
	if len(t.Acronyms) > 0 {
		blocks = append(blocks, contextText(say(l, "acronyms")+": "+escapeMrkdwn(strings.Join(t.Acronyms, ", "))))
	}
	def := t.DefEN
	if l == lang.SL && t.DefSL != "" {
		def = t.DefSL
	}
	return message{Text: notification(title + ": " + def), Blocks: blocks}
}

// renderNoTerm is the polite "no entry" with the closest entries.
func renderNoTerm(term string, l lang.Lang, close []*knowledge.Term) message {
	open, end := "“", "”"
	if l == lang.SL {
		open, end = "»", "«"
	}
	text := escapeMrkdwn(say(l, "define_none") + " " + open + plainClip(term, 200) + end + ".")
	if len(close) > 0 {
		text += "\n*" + escapeMrkdwn(say(l, "define_close")) + "*"
		for _, c := range close {
			text += "\n• " + escapeMrkdwn(first(c.SL)+" — "+first(c.EN))
		}
	}
	return message{Text: notification(say(l, "define_none") + " " + term), Blocks: []slack.Block{section(text)}}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// renderTopics is the overview of what krog knows: each topic with its documents' titles and a
// button that lists them with their summaries.
func renderTopics(groups []answer.TopicGroup, l lang.Lang) message {
	blocks := []slack.Block{header(say(l, "topics_title"))}
	blocks = append(blocks, topicBlocks(groups, l)...)
	blocks = append(blocks, contextText(escapeMrkdwn(say(l, "topics_hint"))))
	return message{Text: notification(say(l, "topics_title")), Blocks: fit(blocks, maxBlocks)}
}

func topicBlocks(groups []answer.TopicGroup, l lang.Lang) []slack.Block {
	var blocks []slack.Block
	for _, g := range groups {
		titles := make([]string, len(g.Docs))
		for i, d := range g.Docs {
			titles[i] = escapeMrkdwn(d.Title)
		}
		text := fmt.Sprintf("*%s* (%d)\n%s", escapeMrkdwn(g.Name), len(g.Docs), strings.Join(titles, " · "))
		s := section(text)
		s.Accessory = slack.NewAccessory(button(actTopic, g.Topic+"|"+string(l), say(l, "btn_show")))
		blocks = append(blocks, s)
	}
	return blocks
}

// renderTopic lists one topic's documents with their one-line summaries, each openable.
func renderTopic(g answer.TopicGroup, l lang.Lang) message {
	blocks := []slack.Block{header(g.Name)}
	for _, d := range g.Docs {
		if len(blocks) == maxBlocks-1 {
			break
		}
		s := section("*" + escapeMrkdwn(d.Title) + "*\n" + escapeMrkdwn(plainClip(answer.FirstSentence(d.Summary), 300)))
		s.Accessory = slack.NewAccessory(button(actOpenDoc, docValue(d.ID, lang.Lang(d.Lang)), say(l, "btn_open")))
		blocks = append(blocks, s)
	}
	blocks = append(blocks, contextText(escapeMrkdwn(say(l, "footer"))))
	return message{Text: notification(g.Name), Blocks: fit(blocks, maxBlocks)}
}

func docValue(id string, l lang.Lang) string { return plainClip(id+"|"+string(l), maxOptionValue) }

// renderDoc is one document: its title, summary, sources and date.
func renderDoc(d *knowledge.Doc, l lang.Lang) message {
	blocks := []slack.Block{header(d.Title), section(escapeText(d.Summary))}
	var b strings.Builder
	b.WriteString("*" + say(l, "sources") + "*")
	for _, s := range d.Sources {
		b.WriteString("\n• " + link(s.URL, s.Title))
	}
	blocks = append(blocks, section(b.String()))
	meta := escapeMrkdwn(d.Jurisdiction)
	if u := d.UpdatedString(); u != "" {
		meta += " · " + say(l, "updated") + " " + u
	}
	if d.Lang != string(l) {
		if l == lang.SL {
			meta += " · " + say(l, "only_en")
		} else {
			meta += " · " + say(l, "only_sl")
		}
	}
	blocks = append(blocks, contextText(meta), contextText(escapeMrkdwn(say(l, "footer"))))
	return message{Text: notification(d.Title + ": " + d.Summary), Blocks: blocks}
}

// helpBlocks say what krog knows and how to ask, in language l.
func helpBlocks(l lang.Lang) []slack.Block {
	return []slack.Block{
		section(escapeMrkdwn(say(l, "help_intro"))),
		section(say(l, "help_usage")),
		section(say(l, "help_examples")),
	}
}

// renderHelp is the help, in both languages (a bare /krog says nothing about the asker's).
func renderHelp() message {
	blocks := []slack.Block{header("krog")}
	blocks = append(blocks, helpBlocks(lang.SL)...)
	blocks = append(blocks, slack.NewDividerBlock())
	blocks = append(blocks, helpBlocks(lang.EN)...)
	return message{Text: notification(say(lang.EN, "help_intro")), Blocks: blocks}
}

// renderHome is the App Home tab: how to use krog, examples, and the topic list.
func renderHome(groups []answer.TopicGroup) slack.HomeTabViewRequest {
	blocks := []slack.Block{header("krog")}
	blocks = append(blocks, helpBlocks(lang.SL)...)
	blocks = append(blocks, slack.NewDividerBlock())
	blocks = append(blocks, helpBlocks(lang.EN)...)
	blocks = append(blocks, slack.NewDividerBlock(), header(say(lang.EN, "topics_title")))
	blocks = append(blocks, topicBlocks(groups, lang.EN)...)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: fit(blocks, maxHomeBlocks)}}
}

// missingModal asks what an answer was missing.
func missingModal(answerID string, l lang.Lang) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(plain(say(l, "modal_placeholder")), actMissing)
	in.Multiline = true
	in.MaxLength = 3000
	block := slack.NewInputBlock(blkMissing, plain(say(l, "modal_label")), nil, in)
	block.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      cbMissing,
		PrivateMetadata: answerID,
		Title:           plain(plainClip(say(l, "modal_title"), maxModalTitle)),
		Submit:          plain(say(l, "modal_submit")),
		Close:           plain(say(l, "modal_close")),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{block}},
	}
}

// notification is the plain text of a message: what Slack shows in notifications and to screen
// readers.
func notification(s string) string {
	return clip(escapeMrkdwn(strings.Join(strings.Fields(s), " ")), maxMessageText)
}

// fit keeps a message within max blocks (the last block, the footer, stays) and within Slack's
// total size, by dropping blocks before the last two.
func fit(blocks []slack.Block, max int) []slack.Block {
	for len(blocks) > max || (len(blocks) > 3 && blocksChars(blocks) > maxBlocksChars) {
		i := len(blocks) - 3 // keep the actions and the footer
		blocks = append(blocks[:i:i], blocks[i+1:]...)
	}
	return blocks
}

// blocksChars is roughly what Slack counts against msg_blocks_too_long: the text in the blocks.
func blocksChars(blocks []slack.Block) int {
	n := 0
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				n += len([]rune(b.Text.Text))
			}
		case *slack.HeaderBlock:
			n += len([]rune(b.Text.Text))
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					n += len([]rune(t.Text))
				}
			}
		}
	}
	return n
}
