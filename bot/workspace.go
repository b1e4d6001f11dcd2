package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/secret"
	"github.com/krog-advisor/krog/store"
)

// Workspaces: krog answers each request with the bot token of the workspace it came from — the one
// of SLACK_BOT_TOKEN (a single workspace, as krog began), or one stored when a workspace installed
// krog through the OAuth flow (install.go).

// Installations keeps the workspaces krog is installed in; *store.Store is the real one.
type Installations interface {
	SaveInstallation(ctx context.Context, in store.Installation) error
	Installation(ctx context.Context, id string) (store.Installation, bool, error)
	DeleteInstallation(ctx context.Context, id string) (bool, error)
}

// OAuth is what offering krog to other workspaces needs (Config.OAuth).
type OAuth struct {
	ClientID, ClientSecret string
	// PublicURL is where Slack and browsers reach krog's HTTP address, e.g. https://krog.example.org;
	// the redirect URL is PublicURL + /slack/oauth_redirect.
	PublicURL string
	Key       *secret.Key // seals the bot tokens at rest (KROG_SECRET_KEY)
	Installs  Installations
	// Transport carries the workspaces' Web API calls (metrics count them there); nil: the default.
	Transport http.RoundTripper
	// Only: krog has no workspace of its own (no SLACK_BOT_TOKEN), only installations.
	Only bool
	// AuthorizeURL is Slack's consent page (default https://slack.com/oauth/v2/authorize) and APIURL
	// the Web API base, oauth.v2.access included (default Slack's); tests point both at a fake.
	AuthorizeURL, APIURL string
}

// workspace is one Slack workspace krog answers in: a client with its bot token, and who krog is
// there.
type workspace struct {
	id     string // the team id, or the enterprise id of an org-wide install
	api    *slack.Client
	me     identity
	meLink *regexp.Regexp // krog's own mention with a label, <@U…|krog>
}

func newWorkspace(id string, api *slack.Client, me identity) *workspace {
	return &workspace{id: id, api: api, me: me, meLink: regexp.MustCompile(`<@` + regexp.QuoteMeta(me.user) + `\|[^>]*>`)}
}

// stripMe removes krog's own mention from a message.
func (ws *workspace) stripMe(text string) string {
	if ws.me.user == "" {
		return text
	}
	text = strings.ReplaceAll(text, "<@"+ws.me.user+">", " ")
	return ws.meLink.ReplaceAllString(text, " ")
}

// errNotInstalled is a request from a workspace krog is not installed in (any more).
var errNotInstalled = errors.New("krog is not installed in this workspace")

// clientTTL is how long a workspace's client is cached: an uninstall seen by another replica
// reaches this one within it (until then Slack refuses the revoked token anyway).
const clientTTL = 5 * time.Minute

// workspaceFor returns the workspace a request from team (in enterprise, for Enterprise Grid) is
// answered in: its installation — the team's own, or the organisation's if krog was installed
// org-wide — else krog's own workspace; errNotInstalled if none.
func (b *Bot) workspaceFor(ctx context.Context, team, enterprise string) (*workspace, error) {
	if b.oauth == nil {
		return b.single, nil // one workspace: every request is its
	}
	for _, id := range []string{team, enterprise} {
		if id == "" {
			continue
		}
		if ws, ok := b.clients.get(id); ok {
			return ws, nil
		}
		ctx, cancel := context.WithTimeout(ctx, memTimeout)
		in, ok, err := b.oauth.Installs.Installation(ctx, id)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("workspace %s: %w", id, err)
		}
		if !ok || (id == enterprise && id != team && !in.OrgWide) {
			continue
		}
		token, err := b.oauth.Key.Open(in.SealedToken, in.ID)
		if err != nil {
			return nil, fmt.Errorf("workspace %s: bot token: %w", id, err)
		}
		ws := newWorkspace(in.ID, NewClient(string(token), "", b.oauth.APIURL, b.oauth.Transport), identity{user: in.BotUserID, bot: in.BotID, team: in.TeamID})
		b.clients.put(id, ws)
		return ws, nil
	}
	if b.single != nil && (team == b.single.me.team || (team == "" && enterprise == "")) {
		if team != "" {
			b.clients.put(team, b.single) // no lookup per request from krog's own workspace
		}
		return b.single, nil
	}
	return nil, errNotInstalled
}

// forget drops the cached clients of an installation (uninstalled, tokens revoked).
func (b *Bot) forget(id string) {
	b.clients.mu.Lock()
	defer b.clients.mu.Unlock()
	for key, el := range b.clients.items {
		if key == id || el.Value.(*entry[string, *workspace]).val.id == id {
			b.clients.evict(el)
		}
	}
}
