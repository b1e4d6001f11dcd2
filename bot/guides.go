package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/krog-advisor/krog/lang"
	"strings"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/guide"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/store"
)

// A decision guide runs in a modal: one question per step, with Back, the answers kept in the
// view's private metadata (so any replica can take the next click); at the end the modal shows the
// verdict and the result is posted to the user only, with Share in channel and Download record.

// Action ids of the guides.
const (
	actGuideStart  = "guide_start"  // value: guide id|lang
	actGuideAnswer = "guide_answer" // value: option id
	actGuideBack   = "guide_back"
	actGuideShare  = "guide_share"  // value: check id
	actGuideRecord = "guide_record" // value: check id
	cbGuide        = "guide"
)

// checkState is what the modal carries from step to step.
type checkState struct {
	Guide   string         `json:"g"`
	Lang    lang.Lang      `json:"l"`
	Channel string         `json:"c,omitempty"` // where the result goes
	Answers []guide.Answer `json:"a"`
}

func (s checkState) encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checked is a completed check the result's buttons refer to.
type checked struct {
	Result guide.Result
	User   string
	Team   string
}

func (b *Bot) guides() []*knowledge.Guide { return b.svc.Corpus().Guides }

func (b *Bot) guideByID(id string) *knowledge.Guide { return b.svc.Corpus().Guide(id) }

// guideFor is the guide to offer under an answer from document doc.
func (b *Bot) guideFor(doc string) *knowledge.Guide { return b.svc.Corpus().GuideFor(doc) }

// onCheckCommand is /krog check [guide]: the list of guides, or the guide in a modal.
func (b *Bot) onCheckCommand(cmd slack.SlashCommand, word, rest string, t target) {
	l := lang.EN
	if w := strings.ToLower(word); w != "check" {
		l = lang.SL
	}
	id, asked, _ := strings.Cut(rest, " ")
	if al, err := lang.Parse(asked); err == nil && al != lang.Unknown {
		l = al
	}
	rp := b.replier(t, l)
	if id == "" {
		b.reply("guides", rp, renderGuideList(b.guides(), l))
		return
	}
	g := b.guideByID(strings.ToLower(id))
	if g == nil {
		b.reply("guides", rp, renderGuideList(b.guides(), l))
		return
	}
	b.openGuide(g, l, cmd.TriggerID, cmd.ChannelID, cmd.TeamID, cmd.UserID, rp)
}

// openGuide opens guide g's first question in a modal (the trigger is valid for three seconds).
func (b *Bot) openGuide(g *knowledge.Guide, l lang.Lang, trigger, channel, team, user string, rp *replier) {
	st := checkState{Guide: g.ID, Lang: l, Channel: channel}
	step, err := guide.Walk(g, l, nil)
	if err != nil {
		b.log.Error("guide", "guide", g.ID, "err", err)
		return
	}
	view := guideView(st, step)
	b.spawn("guide_open", rp, func(ctx context.Context) error {
		if _, err := rp.t.ws.api.OpenViewContext(ctx, trigger, view); err != nil {
			return fmt.Errorf("views.open: %w", err)
		}
		return nil
	})
}

// onGuideAction is a click inside a guide's modal: an answer or Back.
func (b *Bot) onGuideAction(cb slack.InteractionCallback, act *slack.BlockAction, rp *replier) {
	var st checkState
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &st); err != nil {
		b.log.Warn("guide: unreadable state", "err", err)
		return
	}
	g := b.guideByID(st.Guide)
	if g == nil {
		b.reply("guide", rp, renderText(say(st.Lang, "doc_missing")))
		return
	}
	switch actionKind(act.ActionID) {
	case actGuideBack:
		if len(st.Answers) > 0 {
			st.Answers = st.Answers[:len(st.Answers)-1]
		}
	case actGuideAnswer:
		step, err := guide.Walk(g, st.Lang, guide.Map(st.Answers))
		if err != nil || step.Done() || step.Next.Option(act.Value) == nil {
			b.log.Warn("guide: answer out of step", "guide", g.ID, "option", act.Value)
			return
		}
		st.Answers = append(step.Answers, guide.Answer{Question: step.Next.ID, Option: act.Value})
	}
	step, err := guide.Walk(g, st.Lang, guide.Map(st.Answers))
	if err != nil {
		b.log.Warn("guide: walk", "guide", g.ID, "err", err)
		return
	}
	view := guideView(st, step)
	viewID, hash := cb.View.ID, cb.View.Hash
	b.spawn("guide_step", rp, func(ctx context.Context) error {
		if _, err := rp.t.ws.api.UpdateViewContext(ctx, view, "", hash, viewID); err != nil {
			var se slack.SlackErrorResponse
			if errors.As(err, &se) && se.Err == "hash_conflict" {
				b.log.Debug("guide: a second click on the same step ignored")
				return nil
			}
			return fmt.Errorf("views.update: %w", err)
		}
		if !step.Done() {
			return nil
		}
		return b.finishCheck(ctx, rp.t.ws, cb, st, step)
	})
}

// finishCheck posts a completed check to the user, keeps it for the buttons and records it.
func (b *Bot) finishCheck(ctx context.Context, ws *workspace, cb slack.InteractionCallback, st checkState, step guide.Step) error {
	res := step.Result()
	id := newID()
	b.keep(ctx, memCheck, ws.id+"/"+id, checked{Result: res, User: cb.User.ID, Team: cb.Team.ID}, answerTTL)
	b.log.Info("check completed", "guide", res.Guide, "outcome", res.Outcome, "lang", res.Lang)
	b.obs.Check(res.Guide, res.Outcome)
	if b.queue != nil {
		c := store.Check{ID: id, Time: b.now(), Team: cb.Team.ID, Guide: res.Guide, Outcome: res.Outcome, Lang: string(res.Lang)}
		b.queue.put("check", id, func(ctx context.Context) error { return b.rec.RecordCheck(ctx, c) })
	}
	msg := renderCheck(res, id, "", true)
	if st.Channel != "" {
		if _, err := b.post(ctx, target{ws: ws, Channel: st.Channel, EphemeralTo: cb.User.ID}, msg); err == nil {
			return nil
		} else {
			// Not a channel krog may post in (it is not a member, say): the user's DM instead.
			b.log.Info("guide result goes to a direct message", "err", err)
		}
	}
	_, err := b.post(ctx, target{ws: ws, Channel: cb.User.ID}, msg)
	return err
}

// onCheckButton is Share in channel or Download record under a result.
func (b *Bot) onCheckButton(cb slack.InteractionCallback, act *slack.BlockAction, channel string, rp *replier) {
	b.spawn("check_button", rp, func(ctx context.Context) error {
		var c checked
		ok, err := b.recall(ctx, memCheck, rp.t.ws.id+"/"+act.Value, &c)
		if err != nil {
			return err
		}
		if !ok {
			return rp.send(ctx, renderText(say(rp.lang(), "expired")))
		}
		rp.setLang(c.Result.Lang)
		if actionKind(act.ActionID) == actGuideShare {
			_, err := b.post(ctx, target{ws: rp.t.ws, Channel: channel}, renderCheck(c.Result, act.Value, cb.User.ID, false))
			return err
		}
		return b.uploadRecord(ctx, &c, cb.User.ID, rp)
	})
}

// uploadRecord sends the PDF record to the user's direct messages with krog.
func (b *Bot) uploadRecord(ctx context.Context, c *checked, user string, rp *replier) error {
	var buf bytes.Buffer
	at := b.now()
	if err := guide.Record(&buf, c.Result, at); err != nil {
		return err
	}
	ch, _, _, err := rp.t.ws.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return fmt.Errorf("conversations.open: %w", err)
	}
	if ch == nil || ch.ID == "" {
		return errors.New("conversations.open: no channel")
	}
	name := guide.FileName(c.Result, at)
	_, err = rp.t.ws.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: &buf, FileSize: buf.Len(), Filename: name, Title: c.Result.Title, Channel: ch.ID,
	})
	if err != nil {
		return fmt.Errorf("upload the record: %w", err)
	}
	return rp.send(ctx, renderText(say(c.Result.Lang, "record_sent")))
}

// renderGuideList lists the guides with a Start button each.
func renderGuideList(gs []*knowledge.Guide, l lang.Lang) message {
	blocks := []slack.Block{header(say(l, "guides_title"))}
	for _, g := range gs {
		s := section("*" + escapeMrkdwn(g.Title.In(string(l))) + "*\n" + escapeMrkdwn(g.Summary.In(string(l))))
		s.Accessory = slack.NewAccessory(button(actGuideStart, g.ID+"|"+string(l), say(l, "btn_start")))
		blocks = append(blocks, s)
	}
	blocks = append(blocks, contextText(escapeMrkdwn(say(l, "guides_hint"))))
	return message{Text: notification(say(l, "guides_title")), Blocks: fit(blocks, maxBlocks)}
}

// guideView is the modal for a step: the question with its options and Back, or the verdict.
func guideView(st checkState, step guide.Step) slack.ModalViewRequest {
	l := st.Lang
	g := step.Guide
	st.Answers = step.Answers
	v := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      cbGuide,
		PrivateMetadata: st.encode(),
		Title:           plain(plainClip(say(l, "guide_modal"), maxModalTitle)),
		Close:           plain(say(l, "modal_close")),
	}
	blocks := []slack.Block{contextText("*" + escapeMrkdwn(g.Title.In(string(l))) + "*")}
	if step.Done() {
		r := step.Result()
		blocks = append(blocks, header(r.Verdict), section(escapeMrkdwn(r.Summary)),
			contextText(escapeMrkdwn(say(l, "guide_posted"))))
		v.Blocks = slack.Blocks{BlockSet: blocks}
		return v
	}
	q := step.Next
	blocks = append(blocks,
		section(fmt.Sprintf("*%d.* %s", len(step.Answers)+1, escapeMrkdwn(q.Text.In(string(l))))),
		contextText("ℹ️ "+escapeMrkdwn(q.Why.In(string(l)))))
	var opts []slack.BlockElement
	for i, o := range q.Options {
		opts = append(opts, button(numbered(actGuideAnswer, i), o.ID, o.Label.In(string(l))))
	}
	blocks = append(blocks, slack.NewActionBlock("guide_options", opts...))
	if len(step.Answers) > 0 {
		blocks = append(blocks, slack.NewActionBlock("guide_nav", button(actGuideBack, "back", say(l, "btn_back"))))
	}
	v.Blocks = slack.Blocks{BlockSet: blocks}
	return v
}

// renderCheck is a completed check: verdict, reasons, next steps, what to keep, whom to ask,
// sources; with the buttons for its owner, or "@user shared" when shared.
func renderCheck(r guide.Result, id, sharedBy string, buttons bool) message {
	l := r.Lang
	var blocks []slack.Block
	if sharedBy != "" {
		blocks = append(blocks, contextText(fmt.Sprintf("<@%s> %s", sharedBy, say(l, "shared"))))
	}
	blocks = append(blocks, contextText("*"+escapeMrkdwn(r.Title)+"*"), header(r.Verdict), section(escapeMrkdwn(r.Summary)))
	for _, sec := range r.Sections() {
		var b strings.Builder
		b.WriteString("*" + escapeMrkdwn(sec.Title) + "*")
		for i, it := range sec.Items {
			if sec.Title == guide.Label(l, "sources") && i < len(r.Sources) {
				b.WriteString("\n• " + link(r.Sources[i].URL, r.Sources[i].Title))
				continue
			}
			b.WriteString("\n• " + escapeMrkdwn(it))
		}
		blocks = append(blocks, section(b.String()))
	}
	if buttons {
		share := button(actGuideShare, id, say(l, "btn_share"))
		share.Style = slack.StylePrimary
		blocks = append(blocks, slack.NewActionBlock("check", share, button(actGuideRecord, id, say(l, "btn_record"))))
	}
	blocks = append(blocks, contextText(escapeMrkdwn(guide.Label(l, "footer"))))
	return message{Text: notification(r.Title + ": " + r.Verdict), Blocks: fit(blocks, maxBlocks)}
}
