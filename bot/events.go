package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/lang"
)

// Events API intake: mentions and their thread follow-ups, direct messages, the App Home tab and
// assistant threads. An event is acknowledged at once; deciding what to do with it needs the bot's
// memory (which, shared by replicas, is a database away), so it happens in the background.

// onEvent takes an Events API event; its work is done in the background.
func (b *Bot) onEvent(ev slackevents.EventsAPIEvent) {
	switch ev.Type {
	case slackevents.CallbackEvent:
	case slackevents.AppRateLimited:
		b.log.Warn("slack is rate-limiting krog's events (app_rate_limited)")
		return
	default:
		return
	}
	if !worthHandling(ev) {
		return // most messages in a channel krog is in are not for krog: no job, no memory
	}
	b.spawn("event", nil, func(ctx context.Context) error {
		b.handleEvent(ctx, ev)
		return nil
	})
}

// worthHandling is a first look at an event, with nothing but the event: whether it could be for
// krog at all (people's messages in a DM, in a thread, or mentioning someone; krog's own events).
func worthHandling(ev slackevents.EventsAPIEvent) bool {
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if !messageSubtypes[e.SubType] || e.BotID != "" || e.User == "" {
			return false
		}
		return e.ChannelType == slackevents.ChannelTypeIM || e.ThreadTimeStamp != "" || strings.Contains(e.Text, "<@")
	case *slackevents.AppMentionEvent:
		return e.BotID == "" && e.User != ""
	case *slackevents.AppHomeOpenedEvent:
		return e.Tab == "home" && e.User != ""
	case *slackevents.AssistantThreadStartedEvent, *slackevents.AppUninstalledEvent, *slackevents.TokensRevokedEvent:
		return true
	}
	return false
}

// handleEvent handles an event once, whichever replica and however many deliveries it reaches
// (deduplicated by event_id).
func (b *Bot) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		if !b.claim(ctx, memEvent, ev.TeamID+"/"+cb.EventID, dedupTTL) {
			b.log.Debug("duplicate event ignored", "event_id", cb.EventID)
			b.obs.Event("deduplicated")
			return
		}
	}
	team, enterprise := installedIn(ev)
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppUninstalledEvent:
		b.uninstalled(ctx, team, enterprise, "app_uninstalled")
		return
	case *slackevents.TokensRevokedEvent:
		if len(e.Tokens.Bot) > 0 {
			b.uninstalled(ctx, team, enterprise, "tokens_revoked")
		}
		return
	}
	ws, err := b.workspaceFor(ctx, team, enterprise)
	if err != nil {
		b.notInstalled(ctx, err, "event", ev.TeamID, "")
		return
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == ws.me.user {
			return
		}
		b.onMention(ctx, ws, ev.TeamID, e.User, e.Channel, e.Text, e.TimeStamp, e.ThreadTimeStamp)
	case *slackevents.MessageEvent:
		b.onMessage(ctx, ws, ev.TeamID, e)
	case *slackevents.AppHomeOpenedEvent:
		b.onHome(ws, e)
	case *slackevents.AssistantThreadStartedEvent:
		b.onAssistantThread(ctx, ws, ev.TeamID, e)
	}
}

// installedIn is the team and enterprise of the installation an event was delivered for: its
// authorization, when Slack gives one (in a channel shared between organisations the event's own
// team may be the other one), else the event's team. An org-wide installation has no team.
func installedIn(ev slackevents.EventsAPIEvent) (team, enterprise string) {
	team, enterprise = ev.TeamID, ev.EnterpriseID
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && len(cb.Authorizations) > 0 {
		a := cb.Authorizations[0]
		if a.IsEnterpriseInstall {
			return "", a.EnterpriseID
		}
		if a.TeamID != "" {
			return a.TeamID, a.EnterpriseID
		}
	}
	return team, enterprise
}

// memKey is a conversation's name in the bot's memory, within the workspace (installation) ws
// answers in: workspaces stay apart, and a guest from another organisation in a shared channel
// finds the same conversation.
func memKey(ws *workspace, k convKey) string { return ws.id + "/" + k.String() }

// firstDelivery reports whether this is the first delivery of the message at channel/ts: a
// mention comes as app_mention and as message, perhaps to two replicas.
func (b *Bot) firstDelivery(ctx context.Context, ws *workspace, channel, ts string) bool {
	return b.claim(ctx, memMsg, memKey(ws, convKey{channel, ts}), dedupTTL)
}

// thread returns the thread krog remembers under key, if any.
func (b *Bot) thread(ctx context.Context, ws *workspace, key convKey) (thread, bool) {
	var th thread
	ok := b.recallOr(ctx, memThread, memKey(ws, key), &th)
	return th, ok
}

// keepThread remembers th under key.
func (b *Bot) keepThread(ctx context.Context, ws *workspace, key convKey, th thread) {
	b.keep(ctx, memThread, memKey(ws, key), th, threadTTL)
}

// onMention answers "@krog …" in the message's thread.
func (b *Bot) onMention(ctx context.Context, ws *workspace, team, user, channel, text, ts, threadTS string) {
	if !b.firstDelivery(ctx, ws, channel, ts) {
		return // the same message came as app_mention and as message
	}
	root := threadTS
	if root == "" {
		root = ts
	}
	key := convKey{channel, root}
	a := ask{surface: "mention", team: team, user: user, channel: channel, question: plainText(ws.stripMe(text)), thread: key}
	if th, ok := b.thread(ctx, ws, key); ok {
		a.context = th.Question
		if threadTS != "" {
			a.surface = "thread"
		}
	} else {
		// krog is part of the thread from now on: follow-ups may arrive before the answer is out.
		b.keepThread(ctx, ws, key, thread{Question: a.question})
	}
	b.question(a, target{ws: ws, Channel: channel, ThreadTS: root})
}

// messageSubtypes are the message events that are people writing.
var messageSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

// onMessage answers direct messages, and follow-ups in threads krog is part of.
func (b *Bot) onMessage(ctx context.Context, ws *workspace, team string, e *slackevents.MessageEvent) {
	me := ws.me
	if !messageSubtypes[e.SubType] || e.BotID != "" || e.User == "" || e.User == me.user {
		return
	}
	if e.ChannelType != slackevents.ChannelTypeIM {
		if me.user != "" && strings.Contains(e.Text, "<@"+me.user) {
			b.onMention(ctx, ws, team, e.User, e.Channel, e.Text, e.TimeStamp, e.ThreadTimeStamp)
			return
		}
		if e.ThreadTimeStamp == "" {
			return
		}
		key := convKey{e.Channel, e.ThreadTimeStamp}
		th, ok := b.thread(ctx, ws, key)
		if !ok {
			return // krog answers only in threads it is part of
		}
		if !lang.LooksLikeQuestion(plainText(e.Text)) {
			// People also talk to each other in a thread krog is part of ("thanks, that helps").
			b.log.Debug("thread message is not a question, not answered")
			return
		}
		if !b.firstDelivery(ctx, ws, e.Channel, e.TimeStamp) {
			return
		}
		b.question(ask{surface: "thread", team: team, user: e.User, channel: e.Channel, question: plainText(e.Text), context: th.Question, thread: key},
			target{ws: ws, Channel: e.Channel, ThreadTS: e.ThreadTimeStamp})
		return
	}
	if !b.firstDelivery(ctx, ws, e.Channel, e.TimeStamp) {
		return
	}
	a := ask{surface: "dm", team: team, user: e.User, channel: e.Channel, question: plainText(ws.stripMe(e.Text)), view: answerView{More: true}}
	t := target{ws: ws, Channel: e.Channel}
	if e.ThreadTimeStamp != "" {
		a.thread = convKey{e.Channel, e.ThreadTimeStamp}
		a.threadTS = e.ThreadTimeStamp
		t.ThreadTS = e.ThreadTimeStamp
		var started bool
		a.assistant = e.AssistantThread != nil || b.recallOr(ctx, memAssist, memKey(ws, a.thread), &started)
	} else {
		a.thread = convKey{e.Channel, e.TimeStamp} // a thread the user may start under their question
		a.dm = e.Channel
	}
	if th, ok := b.thread(ctx, ws, a.thread); ok {
		a.context = th.Question
	} else {
		if e.ThreadTimeStamp == "" {
			if th, ok := b.thread(ctx, ws, convKey{e.Channel, ""}); ok {
				a.context = th.Question // the conversation's previous question
			}
		}
		b.keepThread(ctx, ws, a.thread, thread{Question: a.question})
	}
	if a.dm != "" {
		b.keepThread(ctx, ws, convKey{a.dm, ""}, thread{Question: a.question})
	}
	b.question(a, t)
}

// onHome publishes the App Home tab when a user opens it.
func (b *Bot) onHome(ws *workspace, e *slackevents.AppHomeOpenedEvent) {
	if e.Tab != "home" || e.User == "" {
		return
	}
	if _, ok := b.homes.get(ws.id + "/" + e.User); ok {
		return
	}
	b.spawn("home", nil, func(ctx context.Context) error {
		view := renderHome(answer.Topics(b.svc.Corpus(), lang.EN))
		if _, err := ws.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: e.User, View: view}); err != nil {
			return fmt.Errorf("views.publish: %w", err)
		}
		b.homes.put(ws.id+"/"+e.User, struct{}{})
		return nil
	})
}

// onAssistantThread remembers an assistant thread and offers example prompts.
func (b *Bot) onAssistantThread(ctx context.Context, ws *workspace, team string, e *slackevents.AssistantThreadStartedEvent) {
	t := e.AssistantThread
	b.keep(ctx, memAssist, memKey(ws, convKey{t.ChannelID, t.ThreadTimeStamp}), true, threadTTL)
	b.spawn("assistant_prompts", nil, func(ctx context.Context) error {
		p := slack.AssistantThreadsSetSuggestedPromptsParameters{ChannelID: t.ChannelID, ThreadTS: t.ThreadTimeStamp}
		p.AddPrompt(say(lang.SL, "example_title"), say(lang.SL, "example_question"))
		p.AddPrompt(say(lang.EN, "example_title"), say(lang.EN, "example_question"))
		if err := ws.api.SetAssistantThreadsSuggestedPromptsContext(ctx, p); err != nil {
			return fmt.Errorf("assistant.threads.setSuggestedPrompts: %w", err)
		}
		return nil
	})
}
