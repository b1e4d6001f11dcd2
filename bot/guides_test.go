package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/bot/fakeslack"
)

// modalView is what the fake Slack received as a modal.
type modalView struct {
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	Blocks          []struct {
		Type     string                 `json:"type"`
		Text     *struct{ Text string } `json:"text"`
		Elements []struct {
			ActionID string          `json:"action_id"`
			Value    string          `json:"value"`
			Text     json.RawMessage `json:"text"` // an object in buttons, a string in context blocks
		} `json:"elements"`
	} `json:"blocks"`
}

func parseView(t *testing.T, c fakeslack.Call) modalView {
	t.Helper()
	var v modalView
	if err := json.Unmarshal([]byte(c.Get("view")), &v); err != nil {
		t.Fatalf("%s view: %v", c.Method, err)
	}
	return v
}

func (v modalView) has(action, value string) bool {
	for _, b := range v.Blocks {
		for _, e := range b.Elements {
			if kind, _, _ := strings.Cut(e.ActionID, ":"); kind == action && (value == "" || e.Value == value) {
				return true
			}
		}
	}
	return false
}

func (v modalView) text() string {
	var b strings.Builder
	for _, bl := range v.Blocks {
		if bl.Text != nil {
			b.WriteString(bl.Text.Text + "\n")
		}
	}
	return b.String()
}

// actionID is the action id of the button of kind action with value in the view.
func (v modalView) actionID(action, value string) string {
	for _, b := range v.Blocks {
		for _, e := range b.Elements {
			if kind, _, _ := strings.Cut(e.ActionID, ":"); kind == action && e.Value == value {
				return e.ActionID
			}
		}
	}
	return action
}

// clickInModal presses a button inside a modal.
func (w *world) clickInModal(user string, v modalView, action, value string) {
	w.t.Helper()
	action = v.actionID(action, value)
	w.interact(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.Team},
		// Slack gives every interaction its own trigger_id and action_ts.
		"trigger_id": fmt.Sprintf("trigger-%s-%d", action, w.seq.Add(1)), "container": map[string]any{"type": "view", "view_id": "V1"},
		"view":    map[string]any{"id": "V1", "hash": "h1", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata},
		"actions": []any{map[string]any{"type": "button", "action_id": action, "block_id": "guide_options", "value": value, "action_ts": fmt.Sprint(time.Now().UnixNano())}},
	})
}

// TestGuideInAModal runs the by-product guide from /krog check to the end in a modal: one
// question per step, Back, the verdict in the modal and the result posted to the user only, Share
// in channel, the PDF record uploaded to a direct message, and the check recorded for curators.
func TestGuideInAModal(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			w := start(t, options{socket: m.socket, rateLimit: -1})
			w.command(user, channel, "check by-product")
			open := w.slack.WaitN(t, 1, "views.open")[0]
			if open.Get("trigger_id") != "trigger-cmd" {
				t.Errorf("views.open trigger_id = %q", open.Get("trigger_id"))
			}
			v := parseView(t, open)
			first := v.text()
			if v.CallbackID != "guide" || !v.has("guide_answer", "unknown") || v.has("guide_back", "") {
				t.Fatalf("first step: %+v", v)
			}
			// Answer yes, go back, and find the first question again.
			w.clickInModal(user, v, "guide_answer", "yes")
			v = parseView(t, w.slack.WaitN(t, 1, "views.update")[0])
			if !v.has("guide_back", "") || v.text() == first {
				t.Fatalf("second step has no Back or repeats the first question:\n%s", v.text())
			}
			w.clickInModal(user, v, "guide_back", "back")
			v = parseView(t, w.slack.WaitN(t, 2, "views.update")[1])
			if v.text() != first {
				t.Fatalf("Back shows\n%s\nwant the first question\n%s", v.text(), first)
			}
			// Yes to everything reaches "likely a by-product".
			for n := 3; !strings.Contains(v.text(), "Likely a by-product"); n++ {
				if n > 20 {
					t.Fatal("the guide never ended")
				}
				w.clickInModal(user, v, "guide_answer", "yes")
				v = parseView(t, w.slack.WaitN(t, n, "views.update")[n-1])
			}
			result := w.slack.WaitN(t, 1, "chat.postEphemeral")[0]
			if result.Get("user") != user || result.Get("channel") != channel || !strings.Contains(result.Text(), "Likely a by-product") ||
				!strings.Contains(result.Text(), "eur-lex.europa.eu") || !strings.Contains(result.Text(), "guide_record") {
				t.Fatalf("result: %s", result.Text())
			}
			id := buttonValue(t, result, "guide_share")
			w.click(user, channel, "guide_share", id, "")
			shared := w.slack.WaitN(t, 1, "chat.postMessage")[0]
			if shared.Get("channel") != channel || !strings.Contains(shared.Text(), "<@"+user+">") || strings.Contains(shared.Text(), "guide_share") {
				t.Errorf("shared: %s", shared.Text())
			}
			w.click(user, channel, "guide_record", id, "")
			up := w.slack.WaitN(t, 1, "upload")[0]
			done := w.slack.WaitN(t, 1, "files.completeUploadExternal")[0]
			conv := w.slack.WaitN(t, 1, "conversations.open")[0]
			if !bytes.HasPrefix(up.File, []byte("%PDF")) || len(up.File) < 5000 {
				t.Errorf("uploaded %d bytes, not a PDF record", len(up.File))
			}
			if conv.Get("users") != user || done.Get("channel_id") != "D0"+user {
				t.Errorf("record went to %q (conversation with %q)", done.Get("channel_id"), conv.Get("users"))
			}
			w.settle()
			r, err := w.store.Report(context.Background(), time.Time{}, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Checks) != 1 || r.Checks[0].Guide != "by-product" || r.Checks[0].Outcome != "outcome-by-product" {
				t.Errorf("checks recorded: %+v", r.Checks)
			}
		})
	}
}

// TestAnswerOffersTheGuide checks that an answer whose best document a guide rests on offers
// "Check it step by step", which opens that guide.
func TestAnswerOffersTheGuide(t *testing.T) {
	w := start(t, options{})
	ru := w.command(user, channel, "When is a production residue a by-product?")
	ans := w.waitAt(1, pathOf(ru), "response_url")[0]
	val := buttonValue(t, ans, "guide_start")
	if val != "by-product|en" {
		t.Fatalf("Check it step by step carries %q", val)
	}
	w.click(user, channel, "guide_start", val, w.slack.ResponseURL("g"))
	v := parseView(t, w.slack.WaitN(t, 1, "views.open")[0])
	if !v.has("guide_answer", "yes") {
		t.Errorf("the guide did not open: %+v", v)
	}
}

// TestRelatedQuestionIsAsked checks that an answer offers related questions as buttons (each with
// its own action id, or Slack would refuse the message) and that a click asks that question.
func TestRelatedQuestionIsAsked(t *testing.T) {
	w := start(t, options{rateLimit: -1})
	ru := w.command(user, channel, "What is industrial symbiosis?")
	ans := w.waitAt(1, pathOf(ru), "response_url")[0]
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(ans.Blocks()), &blocks); err != nil {
		t.Fatal(err)
	}
	var id, q string
	for _, b := range blocks {
		for _, e := range b.Elements {
			if strings.HasPrefix(e.ActionID, "related:") && id == "" {
				id, q = e.ActionID, e.Value
			}
		}
	}
	if id == "" {
		t.Fatalf("no related question under the answer: %s", ans.Blocks())
	}
	w.click(user, channel, id, q, w.slack.ResponseURL("rel"))
	got := w.waitAt(1, "rel", "response_url")[0]
	if !strings.Contains(got.Text(), q) {
		t.Errorf("the related question %q was not asked:\n%s", q, got.Text())
	}
}

// TestGuideResultFallsBackToDM runs a guide from a channel krog may not post in: the result goes
// to the user's direct messages instead of being lost.
func TestGuideResultFallsBackToDM(t *testing.T) {
	w := start(t, options{rateLimit: -1})
	w.slack.FailSlack("chat.postEphemeral", 1, "channel_not_found")
	w.command(user, channel, "check by-product")
	v := parseView(t, w.slack.WaitN(t, 1, "views.open")[0])
	for n := 1; !strings.Contains(v.text(), "Likely a by-product"); n++ {
		if n > 20 {
			t.Fatal("the guide never ended")
		}
		w.clickInModal(user, v, "guide_answer", "yes")
		v = parseView(t, w.slack.WaitN(t, n, "views.update")[n-1])
	}
	dm := w.slack.WaitN(t, 1, "chat.postMessage")[0]
	if dm.Get("channel") != user || !strings.Contains(dm.Text(), "Likely a by-product") {
		t.Errorf("result went to %q: %s", dm.Get("channel"), dm.Text())
	}
}
