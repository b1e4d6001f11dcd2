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
// assistant threads. Each handler decides quickly what to do and hands the slow work to the
// background, so that the request can be acknowledged at once.

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
	if !b.msgs.add(convKey{channel, ts}, struct{}{}) {
		return // the same message came as app_mention and as message
	}
	root := threadTS
	if root == "" {
		root = ts
	}
	key := convKey{channel, root}
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
		key := convKey{e.Channel, e.ThreadTimeStamp}
		th, ok := b.threads.get(key)
		if !ok {
			return // krog answers only in threads it is part of
		}
		if !lang.LooksLikeQuestion(plainText(e.Text)) {
			// People also talk to each other in a thread krog is part of ("thanks, that helps").
			b.log.Debug("thread message is not a question, not answered")
			return
		}
		if !b.msgs.add(convKey{e.Channel, e.TimeStamp}, struct{}{}) {
			return
		}
		b.question(ask{surface: "thread", team: team, user: e.User, channel: e.Channel, question: plainText(e.Text), context: th.Question, thread: key},
			target{Channel: e.Channel, ThreadTS: e.ThreadTimeStamp})
		return
	}
	if !b.msgs.add(convKey{e.Channel, e.TimeStamp}, struct{}{}) {
		return
	}
	a := ask{surface: "dm", team: team, user: e.User, channel: e.Channel, question: plainText(b.stripMe(e.Text)), view: answerView{More: true}}
	t := target{Channel: e.Channel}
	if e.ThreadTimeStamp != "" {
		a.thread = convKey{e.Channel, e.ThreadTimeStamp}
		a.threadTS = e.ThreadTimeStamp
		t.ThreadTS = e.ThreadTimeStamp
		_, a.assistant = b.assist.get(a.thread)
		a.assistant = a.assistant || e.AssistantThread != nil
	} else {
		a.thread = convKey{e.Channel, e.TimeStamp} // a thread the user may start under their question
		a.dm = e.Channel
	}
	if th, ok := b.threads.get(a.thread); ok {
		a.context = th.Question
	} else {
		if e.ThreadTimeStamp == "" {
			if th, ok := b.threads.get(convKey{e.Channel, ""}); ok {
				a.context = th.Question // the conversation's previous question
			}
		}
		b.threads.put(a.thread, thread{Question: a.question})
	}
	if a.dm != "" {
		b.threads.put(convKey{a.dm, ""}, thread{Question: a.question})
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
		view := renderHome(answer.Topics(b.svc.Corpus(), lang.EN))
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
	b.assist.put(convKey{t.ChannelID, t.ThreadTimeStamp}, struct{}{})
	b.spawn("assistant_prompts", nil, func(ctx context.Context) error {
		p := slack.AssistantThreadsSetSuggestedPromptsParameters{ChannelID: t.ChannelID, ThreadTS: t.ThreadTimeStamp}
		p.AddPrompt(say(lang.SL, "example_title"), say(lang.SL, "example_question"))
		p.AddPrompt(say(lang.EN, "example_title"), say(lang.EN, "example_question"))
		if err := b.api.SetAssistantThreadsSuggestedPromptsContext(ctx, p); err != nil {
			return fmt.Errorf("assistant.threads.setSuggestedPrompts: %w", err)
		}
		return nil
	})
}
