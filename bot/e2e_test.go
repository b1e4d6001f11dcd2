package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/bot/fakeslack"
	"github.com/krog-advisor/krog/store"
)

// The end-to-end tests run the real bot, with the real answer service over the embedded
// knowledge, against a fake Slack: Socket Mode over a WebSocket, and HTTP mode with signed
// requests. After settle() nothing more can arrive, so "nothing happened" is checked honestly.

var modes = []struct {
	name   string
	socket bool
}{{"socket", true}, {"http", false}}

const user, channel = "U0ANA", "C0GENERAL"

func rows(t *testing.T, w *world) []store.Row {
	t.Helper()
	var out []store.Row
	if err := w.store.Rows(context.Background(), time.Time{}, "", func(r store.Row) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSlashCommandEphemeralAnswerWithSource(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			ru := w.command(user, channel, "Kdaj je ostanek proizvodnje stranski proizvod?")
			c := w.waitAt(1, pathOf(ru), "response_url")[0]
			if rt := c.Get("response_type"); rt != "ephemeral" {
				t.Errorf("response_type = %q, want ephemeral", rt)
			}
			text := c.Text()
			for _, want := range []string{"<https://eur-lex.europa.eu/", "*Viri*", "5. člen", `"action_id":"share"`, `"action_id":"vote_down"`, "Smernice, ne pravni nasvet"} {
				if !strings.Contains(text, want) {
					t.Errorf("answer lacks %q:\n%s", want, text)
				}
			}
			id := buttonValue(t, c, "share")
			w.settle()
			rs := rows(t, w)
			if len(rs) != 1 || rs[0].ID != id || !rs[0].Found || rs[0].Lang != "sl" || rs[0].Surface != "command" || rs[0].Docs[0] != "by-product" || rs[0].Question == "" {
				t.Errorf("feedback store: %+v", rs)
			}
		})
	}
}

func TestShareButtonPostsPublicly(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			ru := w.command(user, channel, "When is a production residue a by-product?")
			id := buttonValue(t, w.waitAt(1, pathOf(ru), "response_url")[0], "share")
			share := w.slack.ResponseURL("share")
			w.click(user, channel, "share", id, share)
			c := w.waitAt(1, "share", "response_url")[0]
			if rt := c.Get("response_type"); rt != "in_channel" {
				t.Errorf("share: response_type = %q, want in_channel", rt)
			}
			if !strings.Contains(c.Blocks(), "<@"+user+"> shared this answer") || !strings.Contains(c.Blocks(), "by-product") {
				t.Errorf("shared answer:\n%s", c.Blocks())
			}
			if strings.Contains(c.Blocks(), `"action_id":"share"`) {
				t.Error("the shared answer offers to be shared again")
			}
		})
	}
}

func TestSlashShareAnswersInChannelNamingAsker(t *testing.T) {
	w := start(t, options{socket: true})
	ru := w.command(user, channel, "share Kaj je industrijska simbioza?")
	c := w.waitAt(1, pathOf(ru), "response_url")[0]
	if c.Get("response_type") != "in_channel" || !strings.Contains(c.Blocks(), "<@"+user+"> sprašuje") {
		t.Errorf("/krog share: %s %s", c.Get("response_type"), c.Blocks())
	}
}

func TestThumbsDownOpensModalAndStoresComment(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			ru := w.command(user, channel, "What is industrial symbiosis?")
			id := buttonValue(t, w.waitAt(1, pathOf(ru), "response_url")[0], "vote_down")
			w.click(user, channel, "vote_down", id, w.slack.ResponseURL("vote"))
			open := w.slack.WaitN(t, 1, "views.open")[0]
			if open.Get("trigger_id") != "trigger-vote_down" {
				t.Errorf("views.open trigger_id = %q", open.Get("trigger_id"))
			}
			var view struct {
				CallbackID      string `json:"callback_id"`
				PrivateMetadata string `json:"private_metadata"`
			}
			json.Unmarshal([]byte(open.Get("view")), &view)
			if view.CallbackID != "missing" || view.PrivateMetadata != id {
				t.Errorf("modal = %+v, want callback missing for answer %s", view, id)
			}
			w.interact(map[string]any{
				"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.Team},
				"view": map[string]any{"id": "V1", "callback_id": "missing", "private_metadata": id, "state": map[string]any{
					"values": map[string]any{"missing_text": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": "How to register with ARSO & how long it takes"}}},
				}},
			})
			w.settle()
			r, err := w.store.Report(context.Background(), time.Time{}, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if r.Down != 1 || len(r.Comments) != 1 || r.Comments[0].Text != "How to register with ARSO & how long it takes" || r.Comments[0].Question != "What is industrial symbiosis?" {
				t.Errorf("report: down %d comments %+v", r.Down, r.Comments)
			}
			if got := w.slack.Calls("response_url"); len(filter(got, to("vote"))) != 0 {
				t.Errorf("a modal was opened, yet a thank-you message was posted too")
			}
		})
	}
}

func TestThumbsUpThanks(t *testing.T) {
	w := start(t, options{socket: false})
	ru := w.command(user, channel, "What is industrial symbiosis?")
	id := buttonValue(t, w.waitAt(1, pathOf(ru), "response_url")[0], "vote_up")
	w.click(user, channel, "vote_up", id, w.slack.ResponseURL("up"))
	if c := w.waitAt(1, "up", "response_url")[0]; !strings.Contains(c.Text(), "Thank you") {
		t.Errorf("vote: %s", c.Text())
	}
}

func TestMentionRepliesInThreadAndFollowUpNeedsNoMention(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			w.event("Ev1", mention(channel, user, "1700000001.000100", "", "<@"+fakeslack.BotUser+"> Kdaj je ostanek proizvodnje stranski proizvod?"))
			c := w.waitAt(1, channel, "chat.postMessage")[0]
			if c.Get("thread_ts") != "1700000001.000100" {
				t.Errorf("mention reply thread_ts = %q, want the mention's ts", c.Get("thread_ts"))
			}
			if !strings.Contains(c.Text(), "5. člen") {
				t.Errorf("mention reply:\n%s", c.Text())
			}
			// A follow-up in the thread, without a mention: read with the thread's question.
			w.event("Ev2", message("channel", channel, "U0BOR", "1700000001.000200", "1700000001.000100", "in v Sloveniji?"))
			w.waitAt(2, channel, "chat.postMessage")
			// People thanking each other in the thread: not a question for krog.
			w.event("Ev2b", message("channel", channel, user, "1700000001.000300", "1700000001.000100", "hvala, to pomaga"))
			// A message in a thread krog is not part of: ignored.
			w.event("Ev3", message("channel", channel, "U0BOR", "1700000002.000200", "1700000002.000100", "in v Sloveniji?"))
			// A top-level message without a mention: ignored.
			w.event("Ev4", message("channel", channel, "U0BOR", "1700000003.000100", "", "Kaj je stranski proizvod?"))
			w.settle()
			posts := w.slack.Calls("chat.postMessage")
			if len(posts) != 2 || posts[1].Get("thread_ts") != "1700000001.000100" {
				t.Fatalf("posts: %d, want 2 in the first thread", len(posts))
			}
			rs := rows(t, w)
			// The two answers are recorded after they are posted, in either order.
			var follow *store.Row
			for i := range rs {
				if rs[i].Surface == "thread" {
					follow = &rs[i]
				}
			}
			if len(rs) != 2 || follow == nil || len(follow.Docs) == 0 || follow.Docs[0] == "funding-slovenia" {
				t.Errorf("follow-up not read with the thread's question: %+v", rs)
			}
		})
	}
}

func TestSameEventTwiceOneReply(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			ev := mention(channel, user, "1700000010.000100", "", "<@"+fakeslack.BotUser+"> What is a by-product?")
			w.event("EvSame", ev)
			w.event("EvSame", ev) // Slack's retry
			// The same mention also arrives as a message event, with its own event id.
			w.event("EvMsg", message("channel", channel, user, "1700000010.000100", "", "<@"+fakeslack.BotUser+"> What is a by-product?"))
			w.settle()
			if n := len(w.slack.Calls("chat.postMessage")); n != 1 {
				t.Errorf("%d replies, want 1", n)
			}
		})
	}
}

func TestOwnAndBotMessagesIgnored(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			// Make krog part of a thread, then let its own reply and another bot's message arrive there.
			w.event("E1", mention(channel, user, "1700000020.000100", "", "<@"+fakeslack.BotUser+"> What is a by-product?"))
			w.waitAt(1, channel, "chat.postMessage")
			own := message("channel", channel, fakeslack.BotUser, "1700000020.000200", "1700000020.000100", "When is a production residue a by-product?")
			own["bot_id"] = fakeslack.BotID
			w.event("E2", own)
			other := message("channel", channel, "U0OTHER", "1700000020.000300", "1700000020.000100", "What is waste?")
			other["bot_id"] = "B0OTHER"
			w.event("E3", other)
			sub := message("channel", channel, "", "1700000020.000400", "1700000020.000100", "What is waste?")
			sub["subtype"] = "bot_message"
			w.event("E4", sub)
			dmOwn := message("im", "D0KROG", fakeslack.BotUser, "1700000020.000500", "", "What is waste?")
			w.event("E5", dmOwn)
			w.settle()
			if n := len(w.slack.Calls("chat.postMessage")); n != 1 {
				t.Errorf("%d posts, want only the reply to the mention", n)
			}
		})
	}
}

func TestDirectMessagesWithFollowUps(t *testing.T) {
	w := start(t, options{socket: true})
	w.event("D1", message("im", "D0ANA", user, "1700000030.000100", "", "Kdaj je ostanek proizvodnje stranski proizvod?"))
	c := w.waitAt(1, "D0ANA", "chat.postMessage")[0]
	if c.Get("thread_ts") != "" || !strings.Contains(c.Text(), "5. člen") {
		t.Errorf("DM reply thread_ts %q:\n%s", c.Get("thread_ts"), c.Text())
	}
	w.event("D2", message("im", "D0ANA", user, "1700000030.000200", "", "in v Sloveniji?"))
	w.waitAt(2, "D0ANA", "chat.postMessage")
	// A reply in a thread under krog's answer.
	w.event("D3", message("im", "D0ANA", user, "1700000030.000300", c.TS, "kaj pa dokazi?"))
	third := w.waitAt(3, "D0ANA", "chat.postMessage")[2]
	if third.Get("thread_ts") != c.TS {
		t.Errorf("thread reply went to %q, want %q", third.Get("thread_ts"), c.TS)
	}
	w.settle()
	rs := rows(t, w)
	if len(rs) != 3 || rs[1].Docs[0] == "funding-slovenia" || rs[2].Surface != "dm" {
		t.Errorf("DM follow-ups not read with the conversation: %+v", rs)
	}
}

func TestHTTPRefusals(t *testing.T) {
	w := start(t, options{})
	body := []byte("token=x&team_id=T&user_id=U&command=%2Fkrog&text=hello&response_url=" + w.slack.ResponseURL("refused"))
	send := func(path string, body []byte, hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, w.http.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ts, sig := sign(body, time.Now().Unix())
	oldTS, oldSig := sign(body, time.Now().Add(-6*time.Minute).Unix())
	big := bytes.Repeat([]byte("a"), bot.MaxBody+10)
	bigTS, bigSig := sign(big, time.Now().Unix())
	bad := []byte("%zz=&&")
	badTS, badSig := sign(bad, time.Now().Unix())
	notJSON := []byte("{not json")
	njTS, njSig := sign(notJSON, time.Now().Unix())
	// The same body signed a second later: a new request, not a replay of the one above.
	njTS2, njSig2 := sign(notJSON, time.Now().Unix()-1)
	cases := []struct {
		name string
		path string
		body []byte
		hdr  map[string]string
		want int
	}{
		{"no signature", "/slack/commands", body, nil, 401},
		{"wrong signature", "/slack/commands", body, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + strings.Repeat("0", 64)}, 401},
		{"wrong secret", "/slack/events", body, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig + "0"}, 401},
		{"stale timestamp", "/slack/commands", body, map[string]string{"X-Slack-Request-Timestamp": oldTS, "X-Slack-Signature": oldSig}, 401},
		{"tampered body", "/slack/commands", append([]byte("x"), body...), map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, 401},
		{"too large", "/slack/commands", big, map[string]string{"X-Slack-Request-Timestamp": bigTS, "X-Slack-Signature": bigSig}, 413},
		{"malformed command", "/slack/commands", bad, map[string]string{"X-Slack-Request-Timestamp": badTS, "X-Slack-Signature": badSig}, 400},
		{"malformed event", "/slack/events", notJSON, map[string]string{"X-Slack-Request-Timestamp": njTS, "X-Slack-Signature": njSig}, 400},
		{"malformed interaction", "/slack/interactive", notJSON, map[string]string{"X-Slack-Request-Timestamp": njTS2, "X-Slack-Signature": njSig2}, 400},
		{"unknown path", "/slack/nothing", body, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}, 404},
	}
	for _, c := range cases {
		if got := send(c.path, c.body, c.hdr); got != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.name, got, c.want)
		}
	}
	resp, err := http.Get(w.http.URL + "/slack/commands")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /slack/commands: HTTP %d, want 405", resp.StatusCode)
	}
	resp, err = http.Get(w.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: HTTP %d", resp.StatusCode)
	}
	w.settle()
	if calls := w.slack.Calls("chat.postMessage", "response_url", "chat.postEphemeral"); len(calls) != 0 {
		t.Errorf("refused requests led to %d messages", len(calls))
	}
}

func TestURLVerification(t *testing.T) {
	w := start(t, options{})
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	ts, sig := sign(body, time.Now().Unix())
	req, _ := http.NewRequest(http.MethodPost, w.http.URL+"/slack/events", bytes.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || buf.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", resp.StatusCode, buf.String())
	}
}

func TestSlack429ThenDelivered(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket})
			w.slack.Fail("chat.postMessage", 1, http.StatusTooManyRequests, "1")
			w.slack.Fail("response_url", 1, http.StatusTooManyRequests, "1")
			w.event("R1", mention(channel, user, "1700000040.000100", "", "<@"+fakeslack.BotUser+"> What is a by-product?"))
			ru := w.command(user, channel, "What is a by-product?")
			w.waitAt(1, channel, "chat.postMessage")
			w.waitAt(1, pathOf(ru), "response_url")
			w.settle()
			for _, method := range []string{"chat.postMessage", "response_url"} {
				calls := w.slack.Calls(method)
				if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
					t.Errorf("%s: %d calls, want a 429 and then a 200", method, len(calls))
					continue
				}
				if gap := calls[1].At.Sub(calls[0].At); gap < 900*time.Millisecond {
					t.Errorf("%s: retried after %v, before Retry-After: 1", method, gap)
				}
			}
		})
	}
}

// panicky panics on questions that contain "PANIC".
type panicky struct{ svc *answer.Service }

func (p panicky) Answer(ctx context.Context, req answer.Request) (answer.Reply, error) {
	if strings.Contains(req.Question, "PANIC") {
		panic("test panic")
	}
	return p.svc.Answer(ctx, req)
}

func TestPanicInHandlerNextEventStillAnswered(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var log bytes.Buffer
			w := start(t, options{socket: m.socket, log: &log, answerer: func(s *answer.Service) bot.Answerer { return panicky{s} }})
			w.event("P1", mention(channel, user, "1700000050.000100", "", "<@"+fakeslack.BotUser+"> PANIC what is waste?"))
			first := w.waitAt(1, channel, "chat.postMessage")[0]
			if !strings.Contains(first.Text(), "Something went wrong") || first.Get("thread_ts") != "1700000050.000100" {
				t.Errorf("after a panic the user got:\n%s", first.Text())
			}
			w.event("P2", mention(channel, user, "1700000051.000100", "", "<@"+fakeslack.BotUser+"> What is a by-product?"))
			second := w.waitAt(2, channel, "chat.postMessage")[1]
			if !strings.Contains(second.Text(), "by-product") {
				t.Errorf("the next event was not answered:\n%s", second.Text())
			}
			w.settle()
			if !strings.Contains(log.String(), "panic recovered") || !strings.Contains(log.String(), "test panic") {
				t.Error("the panic was not logged")
			}
			if strings.Contains(log.String(), "what is waste") {
				t.Error("question text in the log without KROG_LOG_QUESTIONS")
			}
		})
	}
}

func TestNotFoundIsNeverSilent(t *testing.T) {
	w := start(t, options{socket: true})
	ru := w.command(user, channel, "Who won the football world cup in 2018?")
	c := w.waitAt(1, pathOf(ru), "response_url")[0]
	if !strings.Contains(c.Text(), "I have no guidance on that") || !strings.Contains(c.Text(), "Closest topics") {
		t.Errorf("not found:\n%s", c.Text())
	}
	ru = w.command(user, channel, "???")
	if c := w.waitAt(1, pathOf(ru), "response_url")[0]; !strings.Contains(c.Text(), "could not find any words") {
		t.Errorf("no words:\n%s", c.Text())
	}
}

func TestHelpTopicsDefineMore(t *testing.T) {
	w := start(t, options{socket: true})
	if c := w.waitAt(1, pathOf(w.command(user, channel, "")), "response_url")[0]; !strings.Contains(c.Text(), "/krog define") || !strings.Contains(c.Text(), "Sem krog") {
		t.Errorf("help:\n%s", c.Text())
	}
	topics := w.waitAt(1, pathOf(w.command(user, channel, "teme")), "response_url")[0]
	if !strings.Contains(topics.Text(), "Kaj krog ve") || !strings.Contains(topics.Text(), "Zakonodaja") {
		t.Errorf("topics:\n%s", topics.Text())
	}
	show := buttonInSections(t, topics, "topic_show")
	w.click(user, channel, "topic_show", show, w.slack.ResponseURL("topic"))
	topic := w.waitAt(1, "topic", "response_url")[0]
	open := buttonInSections(t, topic, "open_doc")
	w.click(user, channel, "open_doc", open, w.slack.ResponseURL("doc"))
	if doc := w.waitAt(1, "doc", "response_url")[0]; !strings.Contains(doc.Text(), "<https://") {
		t.Errorf("document card:\n%s", doc.Text())
	}

	def := w.waitAt(1, pathOf(w.command(user, channel, "define stranski proizvod")), "response_url")[0]
	if !strings.Contains(def.Text(), "stranski proizvod") {
		t.Errorf("define:\n%s", def.Text())
	}
	none := w.waitAt(1, pathOf(w.command(user, channel, "define xyzzy plugh")), "response_url")[0]
	if !strings.Contains(none.Text(), "No glossary entry") {
		t.Errorf("define unknown:\n%s", none.Text())
	}

	ru := w.command(user, channel, "When is a production residue a by-product?")
	first := w.waitAt(1, pathOf(ru), "response_url")[0]
	w.click(user, channel, "more", buttonValue(t, first, "more"), w.slack.ResponseURL("more"))
	more := w.waitAt(1, "more", "response_url")[0]
	if !strings.Contains(more.Text(), "4. ") && !strings.Contains(more.Text(), "No further sources") {
		t.Errorf("more sources:\n%s", more.Text())
	}
	w.click(user, channel, "share", "no-such-answer", w.slack.ResponseURL("expired"))
	if c := w.waitAt(1, "expired", "response_url")[0]; !strings.Contains(c.Text(), "no longer have that answer") {
		t.Errorf("expired answer:\n%s", c.Text())
	}
}

func buttonInSections(t *testing.T, c fakeslack.Call, action string) string {
	t.Helper()
	var blocks []struct {
		Accessory struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"accessory"`
	}
	json.Unmarshal([]byte(c.Blocks()), &blocks)
	for _, b := range blocks {
		if b.Accessory.ActionID == action {
			return b.Accessory.Value
		}
	}
	t.Fatalf("no %s button in %s", action, c.Blocks())
	return ""
}

func TestRateLimit(t *testing.T) {
	w := start(t, options{socket: true, rateLimit: 2})
	var urls []string
	for range 3 {
		urls = append(urls, w.command(user, channel, "What is a by-product?"))
	}
	// Commands are handled as they come, in no set order: one of the three is over the limit.
	limited := 0
	for _, u := range urls {
		if strings.Contains(w.waitAt(1, pathOf(u), "response_url")[0].Text(), "faster than I can keep up") {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d of three questions in a minute were limited, want 1 (the limit is 2)", limited)
	}
	if c := w.waitAt(1, pathOf(w.command("U0OTHER", channel, "What is a by-product?")), "response_url")[0]; strings.Contains(c.Text(), "faster than") {
		t.Error("another user was limited too")
	}
}

func TestAppHome(t *testing.T) {
	w := start(t, options{socket: true})
	w.event("H1", map[string]any{"type": "app_home_opened", "user": user, "channel": "D0ANA", "tab": "home", "event_ts": "1700000060.000100"})
	c := w.slack.WaitN(t, 1, "views.publish")[0]
	if c.Get("user_id") != user || !strings.Contains(c.Get("view"), "/krog share") || !strings.Contains(c.Get("view"), "topic_show") {
		t.Errorf("views.publish: %s %s", c.Get("user_id"), c.Get("view"))
	}
}

func TestRateLimitInChannelIsEphemeral(t *testing.T) {
	w := start(t, options{socket: true, rateLimit: 1})
	w.event("M1", mention(channel, user, "1700000100.000100", "", "<@"+fakeslack.BotUser+"> What is a by-product?"))
	w.event("M2", mention(channel, user, "1700000101.000100", "", "<@"+fakeslack.BotUser+"> What is waste?"))
	// Events are handled as they come, in no set order: one of the two is over the limit.
	e := w.slack.WaitN(t, 1, "chat.postEphemeral")[0]
	limited := e.Get("thread_ts")
	if e.Get("user") != user || (limited != "1700000100.000100" && limited != "1700000101.000100") || !strings.Contains(e.Text(), "faster than") {
		t.Errorf("rate limit notice: user %s thread %s\n%s", e.Get("user"), limited, e.Text())
	}
	w.settle()
	posts := w.slack.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Get("thread_ts") == limited {
		t.Errorf("public posts: %d (want 1, in the other thread than the notice's %s)", len(posts), limited)
	}
}

// gated answers only once its gate opens (or its context ends).
type gated struct {
	svc     *answer.Service
	entered chan struct{}
	gate    chan struct{}
}

func (g gated) Answer(ctx context.Context, req answer.Request) (answer.Reply, error) {
	g.entered <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return answer.Reply{}, ctx.Err()
	}
	return g.svc.Answer(ctx, req)
}

// Shutdown lets a running answer finish and deliver before it returns; a second stop gives up when
// its deadline passes.
func TestShutdownLetsRunningAnswersFinish(t *testing.T) {
	g := gated{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	w := start(t, options{answerer: func(s *answer.Service) bot.Answerer { g.svc = s; return g }})
	ru := w.command(user, channel, "What is a by-product?")
	<-g.entered
	stopped := make(chan struct{})
	go func() { w.settle(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Shutdown returned while an answer was running")
	case g.gate <- struct{}{}:
		// Still waiting for the answer: let it finish.
	}
	<-stopped
	if calls := filter(w.slack.Calls("response_url"), to(pathOf(ru))); len(calls) != 1 || !strings.Contains(calls[0].Text(), "by-product") {
		t.Errorf("the running answer was not delivered before Shutdown returned: %d posts", len(calls))
	}

	g2 := gated{entered: make(chan struct{}, 1), gate: make(chan struct{})}
	w2 := start(t, options{answerer: func(s *answer.Service) bot.Answerer { g2.svc = s; return g2 }})
	w2.command(user, channel, "What is a by-product?")
	<-g2.entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w2.bot.Shutdown(ctx); err == nil {
		t.Error("Shutdown with an answer stuck past its deadline reported success")
	}
}

// When the shared memory cannot be reached (its database gone), krog still answers questions, and
// a button that needs an answer it cannot recall apologises: never silence, never a crash.
func TestMemoryUnreachable(t *testing.T) {
	mem, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	mem.Close() // every call now fails
	w := start(t, options{socket: true, memory: mem})
	ru := w.command(user, channel, "What is a by-product?")
	ans := w.waitAt(1, pathOf(ru), "response_url")[0]
	if !strings.Contains(ans.Text(), "by-product") {
		t.Fatalf("the question was not answered:\n%s", ans.Text())
	}
	id := buttonValue(t, ans, "vote_up")
	w.click(user, channel, "vote_up", id, w.slack.ResponseURL("up-unreachable"))
	got := w.waitAt(1, "up-unreachable", "response_url")[0]
	if !strings.Contains(got.Text(), "Something went wrong") {
		t.Errorf("the click got %q, want the apology", got.Text())
	}
}
