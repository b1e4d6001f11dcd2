package bot

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Slack's mrkdwn is not Markdown: *bold*, _italic_, <url|text> links, and &, <, > must be escaped
// in text. These helpers turn krog's plain text into safe mrkdwn.

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeMrkdwn escapes the three characters Slack reserves for its own markup.
func escapeMrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

// linkURL makes u safe inside <…|…>: & escaped, and the characters that would end the link
// (| and >) or open another (<), spaces and control characters percent-encoded. Parentheses are
// left alone; they are only a problem in Markdown.
func linkURL(u string) string {
	var b strings.Builder
	for _, r := range u {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '|' || r == '<' || r == '>' || r == ' ' || r == '"' || r < 0x20 || r == 0x7f:
			b.WriteString(url.PathEscape(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// link is a mrkdwn link to u with the text title; just the escaped title if u is not an absolute
// http(s) URL.
func link(u, title string) string {
	title = strings.ReplaceAll(escapeMrkdwn(title), "|", "¦")
	p, err := url.Parse(u)
	if u == "" || err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return title
	}
	return "<" + linkURL(u) + "|" + title + ">"
}

var (
	mdBold    = regexp.MustCompile(`\*\*([^*\n]+?)\*\*|__([^_\n]+?)__`)
	mdLink    = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\)`)
	mdItem    = regexp.MustCompile(`\n([ \t]*)[*+-][ \t]+`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*#*$`)
	mdBullet  = regexp.MustCompile(`(?m)^(\s*)[-*+]\s+`)
)

// markdownToMrkdwn turns the light Markdown a model writes (bold, links, headings, bullets) into
// escaped Slack mrkdwn.
func markdownToMrkdwn(s string) string {
	// Links first, on the raw text, so their URLs are not escaped twice.
	var links []string
	s = mdLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		links = append(links, link(sub[2], sub[1]))
		return "\x00" + string(rune('A'+len(links)-1)) + "\x00"
	})
	s = escapeMrkdwn(s)
	s = mdHeading.ReplaceAllString(s, "*$1*")
	s = mdBullet.ReplaceAllString(s, "$1• ")
	s = mdBold.ReplaceAllString(s, "*$1$2*")
	for i, l := range links {
		s = strings.Replace(s, "\x00"+string(rune('A'+i))+"\x00", l, 1)
	}
	return s
}

// escapeText escapes corpus text (summaries, passages) for mrkdwn, dropping the Markdown emphasis
// it may carry (Slack would show the asterisks) and turning list markers that start a line into bullets.
func escapeText(s string) string {
	s = strings.NewReplacer("**", "", "__", "").Replace(s)
	s = mdItem.ReplaceAllString(s, "\n$1• ")
	s = strings.ReplaceAll(s, "*", "")
	return escapeMrkdwn(s)
}

// clip cuts mrkdwn s to at most n characters, at a line or word boundary where one is close, never
// inside a <…> link, and marks the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	// Do not end inside a link or an escape.
	if i := strings.LastIndex(cut, "<"); i >= 0 && !strings.Contains(cut[i:], ">") {
		cut = cut[:i]
	}
	if i := strings.LastIndex(cut, "&"); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	if i := strings.LastIndex(cut, "\n"); i > len(cut)*3/4 {
		cut = cut[:i]
	} else if i := strings.LastIndex(cut, " "); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n") + "…"
}

// plainClip cuts plain text to n characters with "…".
func plainClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// quote turns text into a mrkdwn block quote.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = ">" + l
	}
	return strings.Join(lines, "\n")
}
