package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/bot/fakeslack"
	krogsecret "github.com/krog-advisor/krog/secret"
	"github.com/krog-advisor/krog/store"
)

// A workspace that installed krog is answered with its own token, in Socket Mode and in HTTP mode,
// beside krog's own workspace (SLACK_BOT_TOKEN); the answers behind one workspace's buttons are not
// reachable from another.
func TestInstalledWorkspaceBesideOwn(t *testing.T) {
	key, err := krogsecret.ParseKey(strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	const alfaToken = "xoxb-alfa-111"
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket, oauth: func(st *store.Store, fake *fakeslack.Server) *bot.OAuth {
				in := store.Installation{ID: "TALFA", TeamID: "TALFA", TeamName: "Alfa", SealedToken: key.Seal([]byte(alfaToken), "TALFA"),
					BotUserID: "UBOTA", Scopes: bot.BotScopes, InstalledAt: time.Now()}
				if err := st.SaveInstallation(context.Background(), in); err != nil {
					t.Fatal(err)
				}
				return &bot.OAuth{ClientID: "c", ClientSecret: "s", PublicURL: "https://krog.example.org", Key: key, Installs: st, APIURL: fake.APIURL()}
			}})
			send := func(team, id, botUser, ts string) {
				outer := map[string]any{"token": "x", "team_id": team, "api_app_id": "A0KROG", "type": "event_callback", "event_id": id, "event_time": time.Now().Unix(),
					"event": mention(channel, user, ts, "", "<@"+botUser+"> What is a by-product?")}
				if m.socket {
					w.slack.WaitAck(t, w.slack.Send("events_api", outer))
					return
				}
				w.postJSON(t, "/slack/events", outer)
			}
			send("TALFA", "EvA", "UBOTA", "1700000200.000100")
			send(fakeslack.Team, "EvOwn", fakeslack.BotUser, "1700000201.000100")
			posts := w.slack.WaitN(t, 2, "chat.postMessage")
			tokens := map[string]string{}
			for _, c := range posts {
				tokens[c.Get("thread_ts")] = c.Token
			}
			if tokens["1700000200.000100"] != alfaToken || tokens["1700000201.000100"] != "xoxb-test" {
				t.Errorf("tokens by thread: %v", tokens)
			}
			// krog's own message in the installed workspace is not a question to it.
			outer := map[string]any{"token": "x", "team_id": "TALFA", "api_app_id": "A0KROG", "type": "event_callback", "event_id": "EvSelf", "event_time": time.Now().Unix(),
				"event": map[string]any{"type": "message", "channel": "D0ALFA", "channel_type": "im", "user": "UBOTA", "text": "What is a by-product?", "ts": "1700000202.000100"}}
			if m.socket {
				w.slack.WaitAck(t, w.slack.Send("events_api", outer))
			} else {
				w.postJSON(t, "/slack/events", outer)
			}
			// An answer made in Alfa, clicked from krog's own workspace: not found there.
			id := buttonValue(t, posts[0], "vote_up")
			if posts[0].Token != alfaToken {
				id = buttonValue(t, posts[1], "vote_up")
			}
			w.click(user, channel, "vote_up", id, w.slack.ResponseURL("cross"))
			got := w.waitAt(1, "cross", "response_url")[0]
			if !strings.Contains(got.Text(), "no longer have that answer") {
				t.Errorf("a click from another workspace on Alfa's answer got %q", got.Text())
			}
			w.settle()
			if n := len(w.slack.Calls("chat.postMessage")); n != 2 {
				t.Errorf("%d posts, want 2 (krog's own message must not be answered)", n)
			}
		})
	}
}

// An org-wide (Enterprise Grid) installation answers every workspace of the organisation with its
// token; one workspace's uninstall event does not remove it, the organisation's does.
func TestOrgWideInstallation(t *testing.T) {
	key, _ := krogsecret.ParseKey(strings.Repeat("ef", 32))
	const gridToken = "xoxb-grid-222"
	var st *store.Store
	w := start(t, options{socket: true, oauth: func(s *store.Store, fake *fakeslack.Server) *bot.OAuth {
		st = s
		in := store.Installation{ID: "E1", EnterpriseID: "E1", EnterpriseName: "Grid", OrgWide: true, SealedToken: key.Seal([]byte(gridToken), "E1"),
			BotUserID: "UBOTG", InstalledAt: time.Now()}
		if err := s.SaveInstallation(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		// A workspace of the organisation that also installed krog on its own.
		team := store.Installation{ID: "T9", TeamID: "T9", EnterpriseID: "E1", SealedToken: key.Seal([]byte("xoxb-t9"), "T9"), BotUserID: "UBOT9", InstalledAt: time.Now()}
		if err := s.SaveInstallation(context.Background(), team); err != nil {
			t.Fatal(err)
		}
		return &bot.OAuth{ClientID: "c", ClientSecret: "s", PublicURL: "https://krog.example.org", Key: key, Installs: s, APIURL: fake.APIURL()}
	}})
	orgAuth := []any{map[string]any{"enterprise_id": "E1", "team_id": "T9", "is_enterprise_install": true, "is_bot": true}}
	send := func(id string, inner map[string]any, auth []any) {
		outer := map[string]any{"token": "x", "team_id": "T9", "enterprise_id": "E1", "api_app_id": "A0KROG", "type": "event_callback",
			"event_id": id, "event_time": time.Now().Unix(), "event": inner}
		if auth != nil {
			outer["authorizations"] = auth
		}
		w.slack.WaitAck(t, w.slack.Send("events_api", outer))
	}
	send("EvG1", mention(channel, user, "1700000300.000100", "", "<@UBOTG> What is a by-product?"), orgAuth)
	if c := w.slack.WaitN(t, 1, "chat.postMessage")[0]; c.Token != gridToken {
		t.Errorf("answered with %q, want the organisation's token", c.Token)
	}
	installed := func(id string) bool {
		_, ok, err := st.Installation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	gone := func(id string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); installed(id); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("installation %s was not removed", id)
			}
		}
	}
	// The workspace removes its own install (an event for its team): the organisation's stays.
	send("EvG2", map[string]any{"type": "app_uninstalled"}, []any{map[string]any{"enterprise_id": "E1", "team_id": "T9", "is_bot": true}})
	gone("T9")
	if !installed("E1") {
		t.Fatal("one workspace's uninstall removed the organisation's installation")
	}
	send("EvG3", map[string]any{"type": "app_uninstalled"}, orgAuth)
	gone("E1")
	w.settle()
}
