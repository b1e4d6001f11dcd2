package bot

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/lang"
	"github.com/krog-advisor/krog/store"
)

// Installing krog in other workspaces (Slack's OAuth v2): GET /slack/install shows what krog does
// and an "Add to Slack" button; Slack sends the installer back to GET /slack/oauth_redirect with a
// code, which is exchanged for the workspace's bot token (oauth.v2.access); the token is sealed
// and stored. The state that goes round trip is sealed by krog (so it needs no storage, and a
// flood of page views fills nothing), expires, is bound to the browser by a cookie — a link made
// for someone else installs nothing — and is taken once. app_uninstalled and tokens_revoked delete
// a workspace's installation.

// BotScopes are the bot token scopes krog asks for (slack-manifest.yaml lists the same).
const BotScopes = "app_mentions:read,channels:history,groups:history,im:history,chat:write,commands,im:write,files:write"

const (
	memOAuthUsed = "oauth_used" // a state already brought back
	stateTTL     = 10 * time.Minute
	stateCookie  = "krog_oauth_state"
	stateOwner   = "krog-oauth-state" // what the state is sealed for
	redirectPath = "/slack/oauth_redirect"
)

// redirectURL is where Slack sends the installer back.
func (o *OAuth) redirectURL() string { return strings.TrimSuffix(o.PublicURL, "/") + redirectPath }

func (o *OAuth) authorizeURL(state string) string {
	base := o.AuthorizeURL
	if base == "" {
		base = "https://slack.com/oauth/v2/authorize"
	}
	q := url.Values{"client_id": {o.ClientID}, "scope": {BotScopes}, "redirect_uri": {o.redirectURL()}, "state": {state}}
	return base + "?" + q.Encode()
}

// installHandlers serves the install flow on mux.
func (b *Bot) installHandlers(mux *http.ServeMux) {
	mux.HandleFunc("GET /slack/install", b.installPage)
	mux.HandleFunc("GET "+redirectPath, b.oauthRedirect)
}

func (b *Bot) installPage(w http.ResponseWriter, r *http.Request) {
	expires := b.now().Add(stateTTL).Unix()
	state := base64.RawURLEncoding.EncodeToString(b.oauth.Key.Seal([]byte(newID()+":"+strconv.FormatInt(expires, 10)), stateOwner))
	http.SetCookie(w, b.stateCookie(state, int(stateTTL/time.Second)))
	b.page(w, http.StatusOK, pageInstall, map[string]any{"URL": b.oauth.authorizeURL(state)})
}

// stateCookie binds a state to the browser it was given to (maxAge < 0 deletes it).
func (b *Bot) stateCookie(state string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: stateCookie, Value: state, Path: redirectPath, MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(b.oauth.PublicURL, "https://"), SameSite: http.SameSiteLaxMode,
	}
}

func (b *Bot) oauthRedirect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// The cookie has done its work, whatever happens now.
	http.SetCookie(w, b.stateCookie("", -1))
	if e := q.Get("error"); e != "" {
		b.log.Info("install not approved", "error", e)
		b.page(w, http.StatusOK, pageError, map[string]any{"Reason": "denied"})
		return
	}
	state, code := q.Get("state"), q.Get("code")
	if !b.stateValid(r, state) {
		b.log.Warn("install refused: state missing, forged, expired or used", "remote", r.RemoteAddr)
		b.page(w, http.StatusBadRequest, pageError, map[string]any{"Reason": "state"})
		return
	}
	if code == "" {
		b.page(w, http.StatusBadRequest, pageError, map[string]any{"Reason": "state"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	var opts []slack.OAuthOption
	if api := b.oauth.APIURL; api != "" {
		if !strings.HasSuffix(api, "/") {
			api += "/"
		}
		opts = append(opts, slack.OAuthOptionAPIURL(api))
	}
	resp, err := slack.GetOAuthV2ResponseContext(ctx, &http.Client{Timeout: 20 * time.Second}, b.oauth.ClientID, b.oauth.ClientSecret, code, b.oauth.redirectURL(), opts...)
	if err != nil || resp.AccessToken == "" || !strings.HasPrefix(resp.AccessToken, "xoxb-") {
		if err == nil {
			err = errors.New("no bot token in the answer")
		}
		b.log.Error("install: oauth.v2.access failed", "err", err)
		b.page(w, http.StatusBadGateway, pageError, map[string]any{"Reason": "slack"})
		return
	}
	in := store.Installation{
		ID: resp.Team.ID, TeamID: resp.Team.ID, TeamName: resp.Team.Name, EnterpriseID: resp.Enterprise.ID, EnterpriseName: resp.Enterprise.Name,
		OrgWide: resp.IsEnterpriseInstall, BotUserID: resp.BotUserID, AppID: resp.AppID, Scopes: resp.Scope,
		Installer: resp.AuthedUser.ID, InstalledAt: b.now().UTC(),
	}
	name := in.TeamName
	if in.OrgWide {
		in.ID, name = in.EnterpriseID, in.EnterpriseName
	}
	if in.ID == "" {
		b.log.Error("install: oauth.v2.access named no workspace")
		b.page(w, http.StatusBadGateway, pageError, map[string]any{"Reason": "slack"})
		return
	}
	in.SealedToken = b.oauth.Key.Seal([]byte(resp.AccessToken), in.ID)
	if err := b.oauth.Installs.SaveInstallation(ctx, in); err != nil {
		b.log.Error("install: not stored", "workspace", in.ID, "err", err)
		b.page(w, http.StatusServiceUnavailable, pageError, map[string]any{"Reason": "unavailable"})
		return
	}
	b.forget(in.ID) // a reinstall brings a new token
	b.log.Info("installed", "workspace", in.ID, "name", name, "org_wide", in.OrgWide, "scopes", in.Scopes)
	b.obs.Event("installed")
	b.page(w, http.StatusOK, pageDone, map[string]any{"Team": name})
}

// stateValid reports whether state is one krog sealed, given to this browser (its cookie), not
// yet expired, and brought back for the first time.
func (b *Bot) stateValid(r *http.Request, state string) bool {
	c, err := r.Cookie(stateCookie)
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil {
		return false
	}
	plain, err := b.oauth.Key.Open(sealed, stateOwner)
	if err != nil {
		return false
	}
	_, exp, _ := strings.Cut(string(plain), ":")
	expires, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !b.now().Before(time.Unix(expires, 0)) {
		return false
	}
	ctx, cancel := context.WithTimeout(r.Context(), memTimeout)
	defer cancel()
	first, err := b.mem.Claim(ctx, memOAuthUsed, state, stateTTL)
	if err != nil {
		b.log.Error("install: cannot check the state is used once", "err", err)
	}
	return err == nil && first
}

// uninstalled deletes the installation of a workspace that removed krog or revoked its token.
func (b *Bot) uninstalled(ctx context.Context, team, enterprise string, why string) {
	if b.oauth == nil {
		b.log.Error("krog was removed from its workspace: SLACK_BOT_TOKEN no longer works", "team", team, "event", why)
		return
	}
	if b.single != nil && team == b.single.me.team {
		b.log.Error("krog was removed from its own workspace: SLACK_BOT_TOKEN no longer works", "team", team, "event", why)
	}
	// The team's own installation; the organisation's only for an event delivered for the
	// org-wide installation (no team), so that one workspace's event cannot remove krog from the
	// whole organisation.
	id := team
	if id == "" {
		id = enterprise
	}
	if id == "" {
		b.log.Warn("uninstall event names no workspace", "event", why)
		return
	}
	gone, err := b.oauth.Installs.DeleteInstallation(ctx, id)
	if err != nil {
		b.log.Error("uninstall: installation not deleted", "workspace", id, "event", why, "err", err)
		return
	}
	b.forget(id)
	if !gone {
		b.log.Info("uninstall of a workspace krog had no installation for", "workspace", id, "event", why)
		return
	}
	b.log.Info("uninstalled: token deleted", "workspace", id, "event", why)
	b.obs.Event("uninstalled")
}

// notInstalled handles a request krog cannot answer in its workspace: not installed there (any
// more), or its installation unreadable. Where Slack gave a response_url — which needs no token —
// the user is told.
func (b *Bot) notInstalled(ctx context.Context, err error, kind, team, responseURL string) error {
	text := say(lang.EN, "error")
	if errors.Is(err, errNotInstalled) {
		b.log.Warn("request from a workspace krog is not installed in: not answered", "kind", kind, "team", team)
		b.obs.Event("not_installed")
		text = say(lang.EN, "not_installed")
		if b.oauth != nil {
			text += " " + strings.TrimSuffix(b.oauth.PublicURL, "/") + "/slack/install"
		}
	} else {
		b.log.Error("workspace unavailable", "kind", kind, "team", team, "err", err)
	}
	if responseURL == "" {
		return nil
	}
	msg := renderText(text)
	_, _, _, perr := b.api.SendMessageContext(ctx, "", slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...),
		slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral))
	if perr != nil {
		b.log.Warn("could not tell the user", "kind", kind, "err", perr)
	}
	return nil
}

// The install flow's pages, in Slovene and English.
const (
	pageInstall = "install"
	pageDone    = "done"
	pageError   = "error"
)

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html><html lang="sl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>krog</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1d2a21}h1{color:#2e5e3e}.en{color:#4a5a4f}a.btn{display:inline-block;background:#2e5e3e;color:#fff;padding:.6rem 1.2rem;border-radius:.4rem;text-decoration:none;font-weight:600}</style></head><body>{{end}}
{{define "install"}}{{template "head"}}
<h1>krog — svetovalec za krožno gospodarstvo</h1>
<p>krog odgovarja na vprašanja o krožnem gospodarstvu, industrijski simbiozi, predpisih o odpadkih in izdelkih, ovirah, primerih in financiranju — iz urejene zbirke znanja, v slovenščini ali angleščini, vedno z viri. Sprašujete z <code>/krog</code>, z @krog v kanalu ali v neposrednem sporočilu; <code>/krog check</code> vas po korakih vodi skozi samopreverjanja (je ostanek stranski proizvod? potrebujem okoljevarstveno dovoljenje?). Smernice, ne pravni nasvet.</p>
<p class="en">krog answers questions about the circular economy, industrial symbiosis, waste and product law, barriers, cases and funding — from a curated knowledge base, in Slovene or English, always with its sources. Ask with <code>/krog</code>, @krog in a channel or a direct message; <code>/krog check</code> walks you through self-checks step by step. Guidance, not legal advice.</p>
<p><a class="btn" href="{{.URL}}">Dodaj v Slack · Add to Slack</a></p>
<p class="en">Slack will ask a workspace admin to approve what krog may do: read messages that mention it and the threads it answers in, write replies, the /krog command, and send a check's PDF record in a direct message.</p>
</body></html>{{end}}
{{define "done"}}{{template "head"}}
<h1>krog je nameščen · krog is installed</h1>
<p>krog zdaj odgovarja v delovnem prostoru <strong>{{.Team}}</strong>. Začnite z <code>/krog help</code> v katerem koli kanalu ali pa krogu pišite neposredno.</p>
<p class="en">krog now answers in <strong>{{.Team}}</strong>. Start with <code>/krog help</code> in any channel, or write to krog directly.</p>
</body></html>{{end}}
{{define "error"}}{{template "head"}}
<h1>Namestitev ni uspela · Installation did not complete</h1>
{{if eq .Reason "denied"}}<p>Namestitev je bila preklicana; v delovnem prostoru se ni nič spremenilo.</p><p class="en">The installation was cancelled; nothing changed in the workspace.</p>
{{else if eq .Reason "state"}}<p>Ta povezava za namestitev je potekla, je bila že uporabljena ali ni bila odprta v tem brskalniku.</p><p class="en">This installation link has expired, was already used, or was not opened in this browser.</p>
{{else if eq .Reason "slack"}}<p>Slack namestitve ni potrdil. Poskusite znova čez nekaj minut.</p><p class="en">Slack did not confirm the installation. Please try again in a few minutes.</p>
{{else}}<p>krog trenutno ne more shraniti namestitve. Poskusite znova čez nekaj minut.</p><p class="en">krog cannot store the installation right now. Please try again in a few minutes.</p>{{end}}
<p><a href="/slack/install">Začni znova · Start again</a></p>
</body></html>{{end}}
`))

// page writes one of the install flow's pages.
func (b *Bot) page(w http.ResponseWriter, status int, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		b.log.Error("install page", "page", name, "err", err)
	}
}
