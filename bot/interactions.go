package bot

import (
	"context"
	"github.com/krog-advisor/krog/lang"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/store"
)

// Interactivity: the buttons under krog's messages, the guides' modals and the feedback modal.

// onInteraction takes a click or a modal's submission; it is handled in the background, with its
// workspace's token.
func (b *Bot) onInteraction(cb slack.InteractionCallback) {
	b.spawn("interaction", nil, func(ctx context.Context) error {
		ws, err := b.workspaceFor(ctx, cb.Team.ID, cb.Enterprise.ID)
		if err != nil {
			return b.notInstalled(ctx, err, "interaction", cb.Team.ID, cb.ResponseURL)
		}
		b.interaction(ws, cb)
		return nil
	})
}

// interaction handles the buttons under krog's messages and the feedback modal in workspace ws.
func (b *Bot) interaction(ws *workspace, cb slack.InteractionCallback) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			b.onAction(ws, cb, act)
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID != cbMissing {
			return
		}
		var text string
		if cb.View.State != nil {
			text = cb.View.State.Values[blkMissing][actMissing].Value
		}
		c := store.Comment{AnswerID: cb.View.PrivateMetadata, Voter: store.VoterID(cb.Team.ID, cb.User.ID), Text: text, Time: b.now()}
		b.log.Info("comment", "answer_id", c.AnswerID, "chars", len([]rune(text)))
		b.obs.Event("comment")
		if b.queue == nil || strings.TrimSpace(text) == "" {
			return
		}
		b.spawn("comment", nil, func(ctx context.Context) error {
			// Only on an answer krog gave (the modal's metadata comes back from the client).
			var st stored
			if ok, err := b.recall(ctx, memAnswer, ws.id+"/"+c.AnswerID, &st); err != nil || !ok {
				b.log.Warn("comment on an answer krog does not hold, not stored", "answer_id", c.AnswerID, "err", err)
				return nil
			}
			b.queue.put("comment", c.AnswerID, func(ctx context.Context) error { return b.rec.RecordComment(ctx, c) })
			return nil
		})
	}
}

// valueLang reads a button's value "id|lang"; a language krog does not speak (the value comes from
// outside) becomes English.
func valueLang(v string) (string, lang.Lang) {
	id, l, _ := strings.Cut(v, "|")
	if pl, err := lang.Parse(l); err == nil && pl != lang.Unknown {
		return id, pl
	}
	return id, lang.EN
}

// actionKind is an action id without its ":n" suffix: buttons of one kind in one block need ids of
// their own (Slack refuses a block with two equal action_ids), so they are numbered.
func actionKind(id string) string {
	kind, _, _ := strings.Cut(id, ":")
	return kind
}

// numbered is the action id of the n-th button of a kind in a block.
func numbered(kind string, n int) string { return kind + ":" + strconv.Itoa(n) }

func (b *Bot) onAction(ws *workspace, cb slack.InteractionCallback, act *slack.BlockAction) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	t := target{ws: ws, ResponseURL: cb.ResponseURL, ResponseType: slack.ResponseTypeEphemeral}
	switch {
	case cb.ResponseURL != "":
	case channel != "":
		t = target{ws: ws, Channel: channel, ThreadTS: cb.Container.ThreadTs, EphemeralTo: cb.User.ID}
	default:
		// A click inside a modal has no channel and no response_url: replies go to a direct message.
		t = target{ws: ws, Channel: cb.User.ID}
	}
	rp := b.replier(t, lang.EN)
	switch kind := actionKind(act.ActionID); kind {
	case actGuideAnswer, actGuideBack:
		b.onGuideAction(cb, act, rp)
	case actGuideShare, actGuideRecord:
		b.onCheckButton(cb, act, channel, rp)
	case actGuideStart:
		id, gl := valueLang(act.Value)
		if g := b.guideByID(id); g != nil {
			b.openGuide(g, gl, cb.TriggerID, channel, cb.Team.ID, cb.User.ID, rp)
		}
	case actShare, actUp, actDown, actMore:
		// The answer behind the button may have been made by another replica, or yesterday.
		b.spawn(kind, rp, func(ctx context.Context) error {
			var st stored
			have, err := b.recall(ctx, memAnswer, ws.id+"/"+act.Value, &st)
			if err != nil {
				return err // the memory is unreachable: the user gets the apology
			}
			if !have {
				// Not an answer krog gave, or one it no longer keeps: nothing to act on.
				return rp.send(ctx, renderText(say(rp.lang(), "expired")))
			}
			rp.setLang(st.Reply.Lang)
			return b.onAnswerButton(ctx, cb, act, st, t, channel, rp)
		})
	case actRelated:
		// A related question is asked as if the user had typed it, where the answer was.
		b.question(ask{
			surface: "related", team: cb.Team.ID, user: cb.User.ID, channel: channel, question: act.Value,
			lang: guessLang(act.Value, lang.EN), view: answerView{Share: cb.ResponseURL != "", More: true, Question: true},
		}, t)
	case actTopic:
		topic, l := valueLang(act.Value)
		rp.setLang(l)
		for _, g := range answer.Topics(b.svc.Corpus(), l) {
			if g.Topic == topic {
				b.reply("topic", rp, renderTopic(g, l))
				return
			}
		}
		b.reply("topic", rp, renderText(say(l, "doc_missing")))
	case actOpenDoc:
		id, l := valueLang(act.Value)
		rp.setLang(l)
		d := answer.Preferred(b.svc.Corpus(), id, l)
		if d == nil {
			b.reply("open_doc", rp, renderText(say(l, "doc_missing")))
			return
		}
		b.reply("open_doc", rp, renderDoc(d, l))
	default:
		b.log.Debug("unknown action", "action_id", act.ActionID)
	}
}

// onAnswerButton is Share, 👍/👎 or More sources under an answer krog remembers.
func (b *Bot) onAnswerButton(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction, st stored, t target, channel string, rp *replier) error {
	l := st.Reply.Lang
	switch actionKind(act.ActionID) {
	case actShare:
		public := target{ws: t.ws, ResponseURL: cb.ResponseURL, ResponseType: slack.ResponseTypeInChannel}
		if cb.ResponseURL == "" {
			public = target{ws: t.ws, Channel: channel}
		}
		if _, err := b.post(ctx, public, renderAnswer(st.Reply, answerView{ID: act.Value, SharedBy: cb.User.ID})); err != nil {
			return err
		}
		b.log.Info("shared", "answer_id", act.Value)
		return nil
	case actUp, actDown:
		v := store.Vote{AnswerID: act.Value, Voter: store.VoterID(cb.Team.ID, cb.User.ID), Value: 1, Time: b.now()}
		if actionKind(act.ActionID) == actDown {
			v.Value = -1
		}
		b.log.Info("vote", "answer_id", v.AnswerID, "value", v.Value)
		b.obs.Event("vote")
		// The modal first: its trigger is valid for 3 seconds only.
		opened := false
		if v.Value < 0 && cb.TriggerID != "" {
			if _, err := t.ws.api.OpenViewContext(ctx, cb.TriggerID, missingModal(v.AnswerID, l)); err != nil {
				b.log.Warn("views.open", "err", err)
			} else {
				opened = true
			}
		}
		if b.queue != nil {
			b.queue.put("vote", v.AnswerID, func(ctx context.Context) error { return b.rec.RecordVote(ctx, v) })
		}
		if opened {
			return nil
		}
		return rp.send(ctx, renderText(say(l, "thanks_vote")))
	default: // actMore
		n := len(st.Reply.Sources)
		if n == 0 {
			n = 3
		}
		b.question(ask{
			surface: "more", team: cb.Team.ID, user: cb.User.ID, channel: channel, question: st.Req.Question,
			context: st.Req.Context, lang: l, offset: st.Req.Offset + n, noLLM: true,
			view: answerView{More: true, Question: true},
		}, t)
		return nil
	}
}
