package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/feedback"
	"github.com/krog-advisor/krog/lang"
)

// The on* methods are the bot's intake, shared by Socket Mode and HTTP mode. Each decides quickly
// (no network) whether and how to reply, starts the reply in the background, and returns, so that
// the request can be acknowledged at once.

// ask is one question to answer and how to show the answer.
type ask struct {
	surface  string // "command", "share", "mention", "thread", "dm", "more"
	team     string
	user     string
	channel  string
	question string
	context  string // the thread's first question
	lang     string // force the answer's language ("more sources")
	offset   int
	noLLM    bool
	view     answerView

	thread    string  // threads key to remember the question under
	dm        string  // DM channel whose last question this becomes
	assistant bool    // an assistant thread: status instead of a placeholder
	threadTS  string  // for assistant.threads.setStatus
	public    *target // post the answer here (a /krog share), not where errors go
}

// guessLang is the language to speak before the answer says which: lang.Resolve with the text,
// then the fallback language, then English.
func guessLang(text, fallback string) string {
	def := lang.EN
	if fallback == "sl" {
		def = lang.SL
	}
	return string(lang.Resolve(lang.Unknown, text, "", def))
}

// onCommand handles /krog.
func (b *Bot) onCommand(cmd slack.SlashCommand) {
	t := target{ResponseURL: cmd.ResponseURL, ResponseType: slack.ResponseTypeEphemeral}
	if cmd.ResponseURL == "" {
		t = target{Channel: cmd.ChannelID, EphemeralTo: cmd.UserID}
	}
	text := plainText(cmd.Text)
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "", "help", "pomoč", "pomoc", "?", "-h", "--help":
		b.reply("help", b.replier(t, "en"), renderHelp())
	case "topics", "topic", "teme", "tema", "vsebine":
		l := "en"
		if w := strings.ToLower(word); strings.HasPrefix(w, "tem") || w == "vsebine" || rest == "sl" {
			l = "sl"
		}
		b.reply("topics", b.replier(t, l), renderTopics(answer.Topics(b.svc.Corpus(), l), l))
	case "define", "definiraj", "pojem", "slovar", "glossary":
		l := guessLang(rest, "")
		if w := strings.ToLower(word); w != "define" && w != "glossary" && rest == "" {
			l = "sl"
		}
		rp := b.replier(t, l)
		if rest == "" {
			b.reply("define", rp, renderText(say(l, "define_empty")))
			return
		}
		b.spawn("define", rp, func(ctx context.Context) error {
			term, close := b.svc.Define(rest)
			if term == nil {
				return rp.send(ctx, renderNoTerm(rest, l, close))
			}
			return rp.send(ctx, renderTerm(term, l))
		})
	case "check", "preveri", "vodic", "vodič", "vodiči":
		b.onCheckCommand(cmd, word, rest, t)
	case "share", "deli":
		public := t
		public.ResponseType = slack.ResponseTypeInChannel
		if t.ResponseURL == "" {
			public = target{Channel: cmd.ChannelID}
		}
		b.question(ask{
			surface: "share", team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, question: rest,
			view: answerView{AskedBy: cmd.UserID, More: true}, public: &public,
		}, t)
	default:
		b.question(ask{
			surface: "command", team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, question: text,
			view: answerView{Share: true, More: true, Question: true},
		}, t)
	}
}

// reply sends a ready message in the background.
func (b *Bot) reply(name string, rp *replier, msg message) {
	b.spawn(name, rp, func(ctx context.Context) error { return rp.send(ctx, msg) })
}

// question checks a question against the rate limit and answers it in the background. Replies that
// only the asker should see (the limit, a question without words) go to t.
func (b *Bot) question(a ask, t target) {
	l := a.lang
	if l == "" {
		l = string(lang.Resolve(lang.Unknown, a.question, a.context, lang.EN))
	}
	rp := b.replier(t, l)
	if !b.limit.allow(a.team + "|" + a.user) {
		b.log.Info("rate limited", "surface", a.surface, "user", a.user)
		b.obs.Event("rate_limited")
		if t.ResponseURL == "" && channelType(t.Channel) != "im" {
			// In a channel, only the asker needs to read this.
			rp = b.replier(target{Channel: t.Channel, ThreadTS: t.ThreadTS, EphemeralTo: a.user}, l)
		}
		b.reply("rate_limited", rp, renderText(say(l, "rate_limited")))
		return
	}
	if _, _, err := answer.Prepare(a.question); err != nil {
		var ie *answer.InputError
		if errors.As(err, &ie) {
			b.reply("bad_question", rp, renderText(ie.Message(l)))
			return
		}
	}
	if b.pending.Add(1) > b.maxPending {
		b.pending.Add(-1)
		b.log.Warn("busy: question turned away", "surface", a.surface, "pending", b.maxPending)
		b.obs.Event("busy")
		b.reply("busy", rp, renderText(say(l, "busy")))
		return
	}
	if !b.spawn(a.surface, rp, func(ctx context.Context) error {
		defer b.pending.Add(-1)
		return b.answer(ctx, a, rp)
	}) {
		b.pending.Add(-1)
	}
}

// answer answers a question and delivers the answer through rp (or to a.public).
func (b *Bot) answer(ctx context.Context, a ask, rp *replier) error {
	req := answer.Request{Question: a.question, Context: a.context, Lang: a.lang, Offset: a.offset, NoLLM: a.noLLM}
	var st *streamer
	if b.svc.LLM() && !a.noLLM && a.public == nil {
		if a.assistant {
			b.setStatus(ctx, a.channel, a.threadTS, say(rp.lang(), "thinking"))
		} else if err := rp.placeholder(ctx); err != nil {
			b.log.Warn("could not post a placeholder", "err", err)
		} else {
			st = rp.stream(ctx)
			req.OnDelta = st.delta
		}
	}
	if st != nil {
		defer st.close() // a panic while answering must not leave the streamer running
	}
	rep, err := b.ans.Answer(ctx, req)
	if st != nil {
		st.close()
	}
	rp.setLang(rep.Lang)
	if err != nil {
		var ie *answer.InputError
		if errors.As(err, &ie) {
			return rp.send(ctx, renderText(ie.Message(rp.lang())))
		}
		if errors.Is(err, answer.ErrBusy) {
			b.log.Warn("busy: no answer slot", "surface", a.surface)
			b.obs.Event("busy")
			return rp.send(ctx, renderText(say(rp.lang(), "busy")))
		}
		if !b.logQ {
			// The answer core names the question in its errors; keep it out of the log.
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
		}
		return fmt.Errorf("answer: %w", err)
	}
	req.OnDelta = nil
	id := newID()
	b.answers.put(id, &stored{Reply: rep, Req: req, Team: a.team, Surface: a.surface})
	// Stored before it is delivered, so that a vote on it, however quick, finds it.
	b.storeAnswer(id, a, rep)
	v := a.view
	v.ID, v.Offset = id, a.offset
	if g := b.guideFor(rep.DocID); g != nil && rep.Found {
		v.Guide = g.ID + "|" + rep.Lang
	}
	msg := renderAnswer(rep, v)
	if a.public != nil {
		_, err = b.post(ctx, *a.public, msg)
	} else {
		err = rp.send(ctx, msg)
	}
	if err != nil && rep.Mode == "llm" {
		// Slack refused the model's answer (its formatting, say): give the extractive one.
		b.log.Warn("llm answer not delivered, sending the extractive answer", "err", err)
		req.NoLLM = true
		if rep2, err2 := b.ans.Answer(ctx, req); err2 == nil {
			rep = rep2
			rep.Fallback = "not delivered"
			b.answers.put(id, &stored{Reply: rep, Req: req, Team: a.team, Surface: a.surface})
			b.storeAnswer(id, a, rep)
			msg = renderAnswer(rep, v)
			if a.public != nil {
				_, err = b.post(ctx, *a.public, msg)
			} else {
				err = rp.send(ctx, msg)
			}
		}
	}
	if err != nil {
		return err
	}
	b.remember(a, rep, rp.messageTS())
	b.report(id, a, rep)
	return nil
}

// remember notes the threads a question belongs to, so that follow-ups need no mention.
func (b *Bot) remember(a ask, rep answer.Reply, replyTS string) {
	th := thread{Question: rep.Question, Lang: rep.Lang}
	if a.thread != "" {
		if old, ok := b.threads.get(a.thread); ok {
			th = old
		}
		b.threads.put(a.thread, th)
	}
	if a.dm != "" && replyTS != "" {
		b.threads.put(a.dm+"|"+replyTS, th) // a thread the user may start under the answer
	}
}

// report logs a delivered answer and counts it.
func (b *Bot) report(id string, a ask, rep answer.Reply) {
	attrs := []any{"answer_id", id, "surface", a.surface, "lang", rep.Lang, "found", rep.Found, "confidence", rep.Confidence,
		"mode", rep.Mode, "took_ms", rep.TookMS, "docs", docIDs(rep)}
	if rep.Fallback != "" {
		attrs = append(attrs, "fallback", rep.Fallback)
	}
	if b.logQ {
		attrs = append(attrs, "question", rep.Question)
	}
	b.log.Info("answered", attrs...)
	var pt, ct int
	if rep.Usage != nil {
		pt, ct = rep.Usage.Prompt, rep.Usage.Completion
	}
	b.obs.Answer(a.surface, rep.Lang, rep.Confidence, rep.Mode, rep.Fallback, rep.Took, pt, ct, rep.Mode == "llm" || rep.Fallback != "")
}

// storeAnswer queues the answer for the curators' store.
func (b *Bot) storeAnswer(id string, a ask, rep answer.Reply) {
	if b.store == nil {
		return
	}
	fa := feedback.Answer{
		ID: id, Time: b.now(), Team: a.team, ChannelType: channelType(a.channel), Surface: a.surface,
		Lang: rep.Lang, Found: rep.Found, Mode: rep.Mode, Model: rep.Model, Fallback: rep.Fallback, Docs: docIDs(rep),
	}
	if rep.Usage != nil {
		fa.PromptTok, fa.ComplTok = rep.Usage.Prompt, rep.Usage.Completion
	}
	if b.storeQ {
		fa.Question = rep.Question
	}
	b.store.put("answer", id, func(ctx context.Context) error { return b.rec.RecordAnswer(ctx, fa) })
}

func docIDs(rep answer.Reply) []string {
	docs := make([]string, len(rep.Sources))
	for i, s := range rep.Sources {
		docs[i] = s.ID
	}
	return docs
}

func (b *Bot) setStatus(ctx context.Context, channel, threadTS, status string) {
	err := b.api.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{ChannelID: channel, ThreadTS: threadTS, Status: status})
	if err != nil {
		b.log.Warn("assistant.threads.setStatus", "err", err)
	}
}

// onEvent handles an Events API event (deduplicated by event_id).
func (b *Bot) onEvent(ev slackevents.EventsAPIEvent) {
	switch ev.Type {
	case slackevents.CallbackEvent:
	case slackevents.AppRateLimited:
		b.log.Warn("slack is rate-limiting krog's events (app_rate_limited)")
		return
	default:
		return
	}
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		if !b.events.add(cb.EventID, struct{}{}) {
			b.log.Debug("duplicate event ignored", "event_id", cb.EventID)
			b.obs.Event("deduplicated")
			return
		}
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == b.self().user {
			return
		}
		b.onMention(ev.TeamID, e.User, e.Channel, e.Text, e.TimeStamp, e.ThreadTimeStamp)
	case *slackevents.MessageEvent:
		b.onMessage(ev.TeamID, e)
	case *slackevents.AppHomeOpenedEvent:
		b.onHome(e)
	case *slackevents.AssistantThreadStartedEvent:
		b.onAssistantThread(e)
	}
}

// onMention answers "@krog …" in the message's thread.
func (b *Bot) onMention(team, user, channel, text, ts, threadTS string) {
	if !b.msgs.add(channel+"|"+ts, struct{}{}) {
		return // the same message came as app_mention and as message
	}
	root := threadTS
	if root == "" {
		root = ts
	}
	key := channel + "|" + root
	a := ask{surface: "mention", team: team, user: user, channel: channel, question: plainText(b.stripMe(text)), thread: key}
	if th, ok := b.threads.get(key); ok {
		a.context = th.Question
		if threadTS != "" {
			a.surface = "thread"
		}
	} else {
		// krog is part of the thread from now on: follow-ups may arrive before the answer is out.
		b.threads.put(key, thread{Question: a.question})
	}
	b.question(a, target{Channel: channel, ThreadTS: root})
}

// messageSubtypes are the message events that are people writing.
var messageSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

// onMessage answers direct messages, and follow-ups in threads krog is part of.
func (b *Bot) onMessage(team string, e *slackevents.MessageEvent) {
	me := b.self()
	if !messageSubtypes[e.SubType] || e.BotID != "" || e.User == "" || e.User == me.user {
		return
	}
	if e.ChannelType != slackevents.ChannelTypeIM {
		if me.user != "" && strings.Contains(e.Text, "<@"+me.user) {
			b.onMention(team, e.User, e.Channel, e.Text, e.TimeStamp, e.ThreadTimeStamp)
			return
		}
		if e.ThreadTimeStamp == "" {
			return
		}
		key := e.Channel + "|" + e.ThreadTimeStamp
		th, ok := b.threads.get(key)
		if !ok {
			return // krog answers only in threads it is part of
		}
		if !lang.LooksLikeQuestion(plainText(e.Text)) {
			// People also talk to each other in a thread krog is part of ("thanks, that helps").
			b.log.Debug("thread message is not a question, not answered")
			return
		}
		if !b.msgs.add(e.Channel+"|"+e.TimeStamp, struct{}{}) {
			return
		}
		b.question(ask{surface: "thread", team: team, user: e.User, channel: e.Channel, question: plainText(e.Text), context: th.Question, thread: key},
			target{Channel: e.Channel, ThreadTS: e.ThreadTimeStamp})
		return
	}
	if !b.msgs.add(e.Channel+"|"+e.TimeStamp, struct{}{}) {
		return
	}
	a := ask{surface: "dm", team: team, user: e.User, channel: e.Channel, question: plainText(b.stripMe(e.Text)), view: answerView{More: true}}
	t := target{Channel: e.Channel}
	if e.ThreadTimeStamp != "" {
		a.thread = e.Channel + "|" + e.ThreadTimeStamp
		a.threadTS = e.ThreadTimeStamp
		t.ThreadTS = e.ThreadTimeStamp
		_, a.assistant = b.assist.get(a.thread)
		a.assistant = a.assistant || e.AssistantThread != nil
	} else {
		a.thread = e.Channel + "|" + e.TimeStamp // a thread the user may start under their question
		a.dm = e.Channel
	}
	if th, ok := b.threads.get(a.thread); ok {
		a.context = th.Question
	} else {
		if e.ThreadTimeStamp == "" {
			if th, ok := b.threads.get(e.Channel + "|"); ok {
				a.context = th.Question // the conversation's previous question
			}
		}
		b.threads.put(a.thread, thread{Question: a.question})
	}
	if a.dm != "" {
		b.threads.put(a.dm+"|", thread{Question: a.question})
	}
	b.question(a, t)
}

// onHome publishes the App Home tab when a user opens it.
func (b *Bot) onHome(e *slackevents.AppHomeOpenedEvent) {
	if e.Tab != "home" || e.User == "" {
		return
	}
	if _, ok := b.homes.get(e.User); ok {
		return
	}
	b.spawn("home", nil, func(ctx context.Context) error {
		view := renderHome(answer.Topics(b.svc.Corpus(), "en"))
		if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: e.User, View: view}); err != nil {
			return fmt.Errorf("views.publish: %w", err)
		}
		b.homes.put(e.User, struct{}{})
		return nil
	})
}

// onAssistantThread remembers an assistant thread and offers example prompts.
func (b *Bot) onAssistantThread(e *slackevents.AssistantThreadStartedEvent) {
	t := e.AssistantThread
	b.assist.put(t.ChannelID+"|"+t.ThreadTimeStamp, struct{}{})
	b.spawn("assistant_prompts", nil, func(ctx context.Context) error {
		p := slack.AssistantThreadsSetSuggestedPromptsParameters{ChannelID: t.ChannelID, ThreadTS: t.ThreadTimeStamp}
		p.AddPrompt(say("sl", "example_title"), say("sl", "example_question"))
		p.AddPrompt(say("en", "example_title"), say("en", "example_question"))
		if err := b.api.SetAssistantThreadsSuggestedPromptsContext(ctx, p); err != nil {
			return fmt.Errorf("assistant.threads.setSuggestedPrompts: %w", err)
		}
		return nil
	})
}

// onInteraction handles the buttons under krog's messages and the feedback modal.
func (b *Bot) onInteraction(cb slack.InteractionCallback) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			b.onAction(cb, act)
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID != cbMissing {
			return
		}
		var text string
		if cb.View.State != nil {
			text = cb.View.State.Values[blkMissing][actMissing].Value
		}
		c := feedback.Comment{AnswerID: cb.View.PrivateMetadata, Voter: feedback.VoterID(cb.Team.ID, cb.User.ID), Text: text, Time: b.now()}
		b.log.Info("comment", "answer_id", c.AnswerID, "chars", len([]rune(text)))
		b.obs.Event("comment")
		if b.store == nil || strings.TrimSpace(text) == "" {
			return
		}
		b.store.put("comment", c.AnswerID, func(ctx context.Context) error { return b.rec.RecordComment(ctx, c) })
	}
}

func (b *Bot) onAction(cb slack.InteractionCallback, act *slack.BlockAction) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	t := target{ResponseURL: cb.ResponseURL, ResponseType: slack.ResponseTypeEphemeral}
	if cb.ResponseURL == "" {
		t = target{Channel: channel, ThreadTS: cb.Container.ThreadTs, EphemeralTo: cb.User.ID}
	}
	st, have := b.answers.get(act.Value)
	l := "en"
	if have {
		l = st.Reply.Lang
	}
	rp := b.replier(t, l)
	expired := func() { b.reply("expired", rp, renderText(say(l, "expired"))) }
	switch act.ActionID {
	case actGuideAnswer, actGuideBack:
		b.onGuideAction(cb, act, rp)
	case actGuideShare, actGuideRecord:
		b.onCheckButton(cb, act, channel, rp)
	case actGuideStart:
		id, gl, _ := strings.Cut(act.Value, "|")
		if g := b.guideByID(id); g != nil {
			b.openGuide(g, gl, cb.TriggerID, channel, cb.Team.ID, cb.User.ID, rp)
		}
	case actShare:
		if !have {
			expired()
			return
		}
		public := target{ResponseURL: cb.ResponseURL, ResponseType: slack.ResponseTypeInChannel}
		if cb.ResponseURL == "" {
			public = target{Channel: channel}
		}
		msg := renderAnswer(st.Reply, answerView{ID: act.Value, SharedBy: cb.User.ID})
		b.spawn("share_button", rp, func(ctx context.Context) error {
			_, err := b.post(ctx, public, msg)
			if err == nil {
				b.log.Info("shared", "answer_id", act.Value)
			}
			return err
		})
	case actUp, actDown:
		if !have {
			// Not an answer krog gave (or one it no longer keeps): nothing to vote on.
			expired()
			return
		}
		v := feedback.Vote{AnswerID: act.Value, Voter: feedback.VoterID(cb.Team.ID, cb.User.ID), Value: 1, Time: b.now()}
		if act.ActionID == actDown {
			v.Value = -1
		}
		b.log.Info("vote", "answer_id", v.AnswerID, "value", v.Value)
		b.obs.Event("vote")
		trigger := cb.TriggerID
		b.spawn("vote", rp, func(ctx context.Context) error {
			// The modal first: its trigger is valid for 3 seconds only.
			opened := false
			if v.Value < 0 && trigger != "" {
				if _, err := b.api.OpenViewContext(ctx, trigger, missingModal(v.AnswerID, l)); err != nil {
					b.log.Warn("views.open", "err", err)
				} else {
					opened = true
				}
			}
			if b.store != nil {
				b.store.put("vote", v.AnswerID, func(ctx context.Context) error { return b.rec.RecordVote(ctx, v) })
			}
			if opened {
				return nil
			}
			return rp.send(ctx, renderText(say(l, "thanks_vote")))
		})
	case actMore:
		if !have {
			expired()
			return
		}
		n := len(st.Reply.Sources)
		if n == 0 {
			n = 3
		}
		b.question(ask{
			surface: "more", team: cb.Team.ID, user: cb.User.ID, channel: channel, question: st.Req.Question,
			context: st.Req.Context, lang: st.Reply.Lang, offset: st.Req.Offset + n, noLLM: true,
			view: answerView{More: true, Question: true},
		}, t)
	case actRelated:
		// A related question is asked as if the user had typed it, where the answer was.
		b.question(ask{
			surface: "related", team: cb.Team.ID, user: cb.User.ID, channel: channel, question: act.Value,
			lang: guessLang(act.Value, l), view: answerView{Share: cb.ResponseURL != "", More: true, Question: true},
		}, t)
	case actTopic:
		topic, l, _ := strings.Cut(act.Value, "|")
		rp.setLang(l)
		for _, g := range answer.Topics(b.svc.Corpus(), l) {
			if g.Topic == topic {
				b.reply("topic", rp, renderTopic(g, l))
				return
			}
		}
		b.reply("topic", rp, renderText(say(l, "doc_missing")))
	case actOpenDoc:
		id, l, _ := strings.Cut(act.Value, "|")
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

var (
	reSlackLink  = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)
	reWhitespace = regexp.MustCompile(`\s+`)
)

// stripMe removes krog's own mention from a message.
func (b *Bot) stripMe(text string) string {
	b.mu.Lock()
	me, re := b.me.user, b.meLink
	b.mu.Unlock()
	if me == "" {
		return text
	}
	text = strings.ReplaceAll(text, "<@"+me+">", " ")
	return re.ReplaceAllString(text, " ")
}

// plainText turns Slack's message markup into the plain text a question is: other mentions and
// special mentions dropped, channels and links by their names, entities unescaped.
func plainText(s string) string {
	s = reSlackLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := reSlackLink.FindStringSubmatch(m)
		ref, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(ref, "@"), strings.HasPrefix(ref, "!"):
			return " "
		case strings.HasPrefix(ref, "#"):
			if label != "" {
				return "#" + label
			}
			return " "
		case label != "":
			return label
		default:
			return strings.TrimPrefix(ref, "mailto:")
		}
	})
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.TrimSpace(reWhitespace.ReplaceAllString(s, " "))
}
