package answer

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/krog-advisor/krog/index"
)

// A model's answer may carry links: Markdown [text](url), Slack's <url|text> or <url>, or a bare
// URL. Only a link to one of the sources shown with the answer stays a link; any other becomes
// plain text, so that neither a model nor an instruction smuggled into a passage can put a
// clickable link of its choosing under krog's name. This is done here, once, so that every face
// (Slack, the terminal, JSON) gets the same text.

// linkToken matches one link: a Markdown link (1 text, 2 URL), a Slack link (3 URL, 4 text) or a
// bare URL (5).
var linkToken = regexp.MustCompile(
	`\[([^\]\n]+)\]\(([a-zA-Z][a-zA-Z0-9+.\-]*:[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\)` +
		`|<([a-zA-Z][a-zA-Z0-9+.\-]*:[^\s|<>]+)(?:\|([^<>\n]*))?>` +
		`|((?i:https?://|www\.)[^\s<>"\[\]]+)`)

// openLink matches what may be the start of a link still arriving at the end of streamed text: an
// open "[" (or a "[text]" not yet followed by whitespace), an open "<", a URL not yet followed by
// whitespace, or the first letters of "https://" or "www.".
var openLink = regexp.MustCompile(`(?i)(?:\[[^\]\n]{0,200}(?:\]\S*)?` +
	`|<(?:[a-z][a-z0-9+.\-]*(?::[^\s|<>]*(?:\|[^<>\n]{0,200})?)?)?` +
	`|<?(?:https?://|www\.)\S*` +
	`|h(?:t(?:t(?:ps?(?::/{0,2})?)?)?)?|w{1,3})$`)

// citationText is link text that is a citation: "[1](https://…)" keeps its "[1]".
var citationText = regexp.MustCompile(`^\d{1,3}$`)

// keepSourceLinks rewrites every link in text whose URL is not in allowed as plain text: a
// Markdown or Slack link becomes its text, a bare URL its host, made inert ("evil[.]example").
// Links to allowed URLs stay, a Slack one written as Markdown.
func keepSourceLinks(text string, allowed map[string]bool) string {
	return linkToken.ReplaceAllStringFunc(text, func(m string) string {
		sub := linkToken.FindStringSubmatch(m)
		switch {
		case sub[2] != "":
			return markdownLink(sub[1], sub[2], allowed)
		case sub[3] != "":
			return slackLink(sub[3], sub[4], allowed)
		default:
			u, tail := trimURL(sub[5])
			if isAllowed(u, allowed) {
				return m
			}
			return inert(u) + tail
		}
	})
}

func markdownLink(text, u string, allowed map[string]bool) string {
	text = keepSourceLinks(text, allowed)
	switch {
	case isAllowed(u, allowed):
		return "[" + text + "](" + u + ")"
	case citationText.MatchString(text):
		return "[" + text + "]"
	default:
		return text
	}
}

func slackLink(u, text string, allowed map[string]bool) string {
	text = keepSourceLinks(strings.TrimSpace(text), allowed)
	switch {
	case isAllowed(u, allowed) && text != "":
		return "[" + text + "](" + u + ")"
	case isAllowed(u, allowed):
		return u
	case text != "":
		return text
	default:
		return inert(u)
	}
}

// trimURL splits the punctuation that ends a sentence, and a ")" the URL did not open, off a bare
// URL.
func trimURL(u string) (string, string) {
	end := len(u)
	for end > 0 {
		c := u[end-1]
		if strings.IndexByte(".,;:!?'\"*_", c) >= 0 ||
			c == ')' && strings.Count(u[:end], "(") < strings.Count(u[:end], ")") {
			end--
			continue
		}
		break
	}
	return u[:end], u[end:]
}

// inert is a URL as text no chat client or terminal turns into a link: its host with the dots
// bracketed, or nothing if it has no host.
func inert(u string) string {
	if !strings.Contains(u, "://") {
		u = "http://" + u
	}
	p, err := url.Parse(u)
	if err != nil || p.Hostname() == "" {
		return ""
	}
	return strings.ReplaceAll(p.Hostname(), ".", "[.]")
}

func isAllowed(u string, allowed map[string]bool) bool {
	return allowed[normURL(u)]
}

// normURL is u as compared with the sources' URLs: a trailing slash makes no difference.
func normURL(u string) string { return strings.TrimSuffix(u, "/") }

// sourceURLs is the set of URLs of the documents of the passages shown.
func sourceURLs(shown []index.Hit) map[string]bool {
	urls := map[string]bool{}
	for _, h := range shown {
		for _, s := range h.Section.Doc.Sources {
			urls[normURL(s.URL)] = true
		}
	}
	return urls
}

// pendingLink returns where the first link in raw starts whose URL is a source of one of the
// passages (so it may yet be allowed) but not of any passage cited so far; -1 if there is none.
func pendingLink(raw string, allowed, possible map[string]bool) int {
	for _, loc := range linkToken.FindAllStringSubmatchIndex(raw, -1) {
		var u string
		for _, g := range []int{2, 3, 5} {
			if loc[2*g] >= 0 {
				u = raw[loc[2*g]:loc[2*g+1]]
				break
			}
		}
		if loc[10] >= 0 {
			u, _ = trimURL(u)
		}
		if !isAllowed(u, allowed) && isAllowed(u, possible) {
			return loc[0]
		}
	}
	return -1
}
