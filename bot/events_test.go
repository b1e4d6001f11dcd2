package bot

import (
	"testing"

	"github.com/slack-go/slack/slackevents"
)

func TestWorthHandling(t *testing.T) {
	msg := func(m slackevents.MessageEvent) slackevents.EventsAPIEvent {
		return slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &m}}
	}
	for name, c := range map[string]struct {
		ev   slackevents.EventsAPIEvent
		want bool
	}{
		"dm":                       {msg(slackevents.MessageEvent{ChannelType: "im", User: "U1", Text: "Kaj je EPR?"}), true},
		"dm with a file":           {msg(slackevents.MessageEvent{ChannelType: "im", User: "U1", SubType: "file_share"}), true},
		"thread reply":             {msg(slackevents.MessageEvent{ChannelType: "channel", User: "U1", ThreadTimeStamp: "1.1"}), true},
		"thread broadcast":         {msg(slackevents.MessageEvent{ChannelType: "channel", User: "U1", ThreadTimeStamp: "1.1", SubType: "thread_broadcast"}), true},
		"mention as a message":     {msg(slackevents.MessageEvent{ChannelType: "channel", User: "U1", Text: "<@U0KROG> hi"}), true},
		"assistant thread message": {msg(slackevents.MessageEvent{ChannelType: "im", User: "U1", ThreadTimeStamp: "1.1"}), true},
		"channel chatter":          {msg(slackevents.MessageEvent{ChannelType: "channel", User: "U1", Text: "lunch?"}), false},
		"a bot":                    {msg(slackevents.MessageEvent{ChannelType: "im", User: "U1", BotID: "B1"}), false},
		"an edit":                  {msg(slackevents.MessageEvent{ChannelType: "im", User: "U1", SubType: "message_changed"}), false},
		"no user":                  {msg(slackevents.MessageEvent{ChannelType: "im"}), false},
		"mention":                  {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.AppMentionEvent{User: "U1"}}}, true},
		"mention by a bot":         {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.AppMentionEvent{User: "U1", BotID: "B1"}}}, false},
		"home tab":                 {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.AppHomeOpenedEvent{User: "U1", Tab: "home"}}}, true},
		"messages tab":             {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.AppHomeOpenedEvent{User: "U1", Tab: "messages"}}}, false},
		"uninstall":                {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.AppUninstalledEvent{}}}, true},
		"tokens revoked":           {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.TokensRevokedEvent{}}}, true},
		"a reaction":               {slackevents.EventsAPIEvent{InnerEvent: slackevents.EventsAPIInnerEvent{Data: &slackevents.ReactionAddedEvent{}}}, false},
	} {
		if got := worthHandling(c.ev); got != c.want {
			t.Errorf("%s: worthHandling = %v, want %v", name, got, c.want)
		}
	}
}

func TestInstalledIn(t *testing.T) {
	parse := func(body string) slackevents.EventsAPIEvent {
		t.Helper()
		ev, err := slackevents.ParseEvent([]byte(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	const inner = `"event":{"type":"app_mention","user":"U1","text":"hi","ts":"1.1","channel":"C1"}`
	for name, c := range map[string]struct {
		body             string
		team, enterprise string
	}{
		"no authorizations": {`{"type":"event_callback","team_id":"T1",` + inner + `}`, "T1", ""},
		"shared channel":    {`{"type":"event_callback","team_id":"TOTHER","authorizations":[{"team_id":"T1","is_bot":true}],` + inner + `}`, "T1", ""},
		"org-wide install":  {`{"type":"event_callback","team_id":"T2","enterprise_id":"E1","authorizations":[{"team_id":"T2","enterprise_id":"E1","is_enterprise_install":true}],` + inner + `}`, "", "E1"},
	} {
		team, ent := installedIn(parse(c.body))
		if team != c.team || ent != c.enterprise {
			t.Errorf("%s: installedIn = %q %q, want %q %q", name, team, ent, c.team, c.enterprise)
		}
	}
}
