package main

import (
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/krog-advisor/krog/bot"
	"github.com/krog-advisor/krog/bot/fakeslack"
	"github.com/krog-advisor/krog/internal/pgtest"
)

// browser is an installer's browser: it keeps cookies.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar}}
}

func (b *browser) get(u string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var reAddToSlack = regexp.MustCompile(`<a class="btn" href="([^"]+)"`)

// installPage opens krog's install page and returns the state of its "Add to Slack" link.
func (b *browser) installPage(base string) string {
	b.t.Helper()
	code, page := b.get(base + "/slack/install")
	m := reAddToSlack.FindStringSubmatch(page)
	if code != 200 || m == nil {
		b.t.Fatalf("install page: %d\n%s", code, page)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != "cid-1" || q.Get("scope") != bot.BotScopes || q.Get("redirect_uri") != "https://krog.example.org/slack/oauth_redirect" {
		b.t.Errorf("Add to Slack goes to %s", u)
	}
	return q.Get("state")
}

// Two workspaces install krog through the OAuth flow and are each answered with their own token; a
// forged, replayed or foreign state installs nothing; an uninstall deletes the token; tokens appear
// neither in the log nor in krog installs.
// It runs on both stores: a SQLite file and a PostgreSQL database.
func TestInstallFlowServesTwoWorkspaces(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testInstallFlow(t, filepath.Join(t.TempDir(), "krog.db")) })
	t.Run("postgres", func(t *testing.T) { testInstallFlow(t, pgtest.DSN(t)) })
}

func testInstallFlow(t *testing.T, db string) {
	fake := fakeslack.New(t)
	const signing = "s3cret"
	vars := map[string]string{
		"SLACK_SIGNING_SECRET": signing, "SLACK_API_URL": fake.APIURL(), "KROG_HTTP_ADDR": "127.0.0.1:0", "KROG_DB": db, "KROG_LLM": "off",
		"SLACK_CLIENT_ID": "cid-1", "SLACK_CLIENT_SECRET": "csecret-1", "KROG_PUBLIC_URL": "https://krog.example.org",
		"KROG_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
	}
	addr, logs, stop := startServe(t, vars)
	base := "http://" + addr
	const tokA, tokB = "xoxb-alfa-TOKEN-aaa111", "xoxb-bravo-TOKEN-bbb222"
	fake.GrantCode("code-a", fakeslack.Grant{ClientSecret: "csecret-1", Team: "TALFA", TeamName: "Alfa d.o.o.", Token: tokA, BotUser: "UBOTA", Scopes: bot.BotScopes, Installer: "UADMA"})
	fake.GrantCode("code-b", fakeslack.Grant{ClientSecret: "csecret-1", Team: "TBRAVO", TeamName: "Bravo s.p.", Token: tokB, BotUser: "UBOTB", Scopes: bot.BotScopes, Installer: "UADMB"})

	// A state nobody handed out, with a matching cookie forged too: refused, the code unspent.
	forger := newBrowser(t)
	u, _ := url.Parse(base)
	forger.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/slack/oauth_redirect"}, []*http.Cookie{{Name: "krog_oauth_state", Value: "feedface"}})
	if code, page := forger.get(base + "/slack/oauth_redirect?code=code-a&state=feedface"); code != 400 || !strings.Contains(page, "expired") {
		t.Errorf("forged state: %d\n%s", code, page)
	}
	// A real state, brought back by another browser (a link sent to someone): refused.
	alice := newBrowser(t)
	state := alice.installPage(base)
	if code, _ := newBrowser(t).get(base + "/slack/oauth_redirect?code=code-a&state=" + state); code != 400 {
		t.Errorf("a state from another browser: %d, want 400", code)
	}
	// The installer cancels on Slack's page.
	if code, page := alice.get(base + "/slack/oauth_redirect?error=access_denied&state=" + alice.installPage(base)); code != 200 || !strings.Contains(page, "cancelled") {
		t.Errorf("denied: %d\n%s", code, page)
	}
	// Workspace A installs; the same redirect again (a reload, a replay) installs nothing.
	state = alice.installPage(base)
	code, page := alice.get(base + "/slack/oauth_redirect?code=code-a&state=" + state)
	if code != 200 || !strings.Contains(page, "Alfa d.o.o.") || !strings.Contains(page, "/krog help") {
		t.Fatalf("install A: %d\n%s", code, page)
	}
	if code, _ := alice.get(base + "/slack/oauth_redirect?code=code-a&state=" + state); code != 400 {
		t.Errorf("replayed state: %d, want 400", code)
	}
	// A code Slack does not know: a clear page, not a stack trace.
	bob := newBrowser(t)
	if code, page := bob.get(base + "/slack/oauth_redirect?code=code-unknown&state=" + bob.installPage(base)); code != 502 || !strings.Contains(page, "Slack did not confirm") {
		t.Errorf("unknown code: %d\n%s", code, page)
	}
	// Workspace B installs.
	if code, page := bob.get(base + "/slack/oauth_redirect?code=code-b&state=" + bob.installPage(base)); code != 200 || !strings.Contains(page, "Bravo s.p.") {
		t.Fatalf("install B: %d\n%s", code, page)
	}

	// Each workspace's mention is answered with its own token.
	mention := func(id, team, bot, ts string) string {
		return `{"token":"x","team_id":"` + team + `","api_app_id":"A0KROG","type":"event_callback","event_id":"` + id + `","event_time":1700000000,` +
			`"event":{"type":"app_mention","user":"U1","text":"<@` + bot + `> What is industrial symbiosis?","ts":"` + ts + `","channel":"C1","event_ts":"` + ts + `"}}`
	}
	signedPost(t, addr, signing, "/slack/events", "application/json", mention("EvA1", "TALFA", "UBOTA", "1700000001.000100"))
	signedPost(t, addr, signing, "/slack/events", "application/json", mention("EvB1", "TBRAVO", "UBOTB", "1700000002.000100"))
	posts := fake.WaitN(t, 2, "chat.postMessage")
	byThread := map[string]string{}
	for _, c := range posts {
		byThread[c.Get("thread_ts")] = c.Token
	}
	if byThread["1700000001.000100"] != tokA || byThread["1700000002.000100"] != tokB {
		t.Errorf("tokens used: %v; want workspace A's in A's thread and B's in B's", byThread)
	}
	// A slash command from A is answered too.
	form := url.Values{"command": {"/krog"}, "text": {"Kaj je stranski proizvod?"}, "user_id": {"U2"}, "team_id": {"TALFA"}, "channel_id": {"C1"}, "response_url": {fake.ResponseURL("a-cmd")}}
	signedPost(t, addr, signing, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	if got := fake.WaitN(t, 1, "response_url")[0]; !strings.Contains(got.Text(), "stranski proizvod") {
		t.Errorf("command in A answered with %q", got.Text())
	}
	// A workspace without an installation is acknowledged, logged, not answered.
	if code := signedPost(t, addr, signing, "/slack/events", "application/json", mention("EvX1", "TXRAY", "UBOTX", "1700000003.000100")); code != 200 {
		t.Errorf("event from an unknown workspace: HTTP %d, want 200", code)
	}
	logs.waitForWith(t, "request from a workspace krog is not installed in: not answered", "team", "TXRAY")

	stdout, _, exit := krog(t, map[string]string{"KROG_DB": db}, "installs", "--env-file", "")
	if exit != 0 || !strings.Contains(stdout, "Alfa d.o.o.") || !strings.Contains(stdout, "Bravo s.p.") || !strings.Contains(stdout, "UADMA") {
		t.Errorf("krog installs (exit %d):\n%s", exit, stdout)
	}

	// Workspace A removes krog: its token goes; its next mention is not answered.
	signedPost(t, addr, signing, "/slack/events", "application/json", `{"token":"x","team_id":"TALFA","api_app_id":"A0KROG","type":"event_callback","event_id":"EvA2","event_time":1700000010,"event":{"type":"app_uninstalled"}}`)
	logs.waitForWith(t, "uninstalled: token deleted", "workspace", "TALFA")
	signedPost(t, addr, signing, "/slack/events", "application/json", mention("EvA3", "TALFA", "UBOTA", "1700000004.000100"))
	logs.waitForWith(t, "request from a workspace krog is not installed in: not answered", "team", "TALFA")
	// B revokes its tokens.
	signedPost(t, addr, signing, "/slack/events", "application/json", `{"token":"x","team_id":"TBRAVO","api_app_id":"A0KROG","type":"event_callback","event_id":"EvB2","event_time":1700000011,"event":{"type":"tokens_revoked","tokens":{"oauth":[],"bot":["UBOTB"]}}}`)
	logs.waitForWith(t, "uninstalled: token deleted", "workspace", "TBRAVO")
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if n := len(fake.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d posts, want the 2 answers only (none for the unknown or uninstalled workspace)", n)
	}
	stdout, _, _ = krog(t, map[string]string{"KROG_DB": db}, "installs", "--env-file", "")
	if strings.Contains(stdout, "Alfa") || strings.Contains(stdout, "Bravo") {
		t.Errorf("krog installs after both left:\n%s", stdout)
	}
	for _, secret := range []string{"TOKEN-aaa111", "TOKEN-bbb222", "csecret-1"} {
		if strings.Contains(logs.String(), secret) || strings.Contains(stdout, secret) {
			t.Errorf("%s appears in the log or in krog installs", secret)
		}
	}
}
