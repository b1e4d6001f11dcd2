package bot

import (
	"regexp"
	"strings"
)

// Slack message markup turned into the plain text a question is.

var (
	reSlackLink  = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)
	reWhitespace = regexp.MustCompile(`\s+`)
)

// plainText turns Slack's message markup into the plain text a question is: other mentions and
// special mentions dropped, channels and links by their names, entities unescaped.
func plainText(s string) string {
	s = reSlackLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := reSlackLink.FindStringSubmatch(m)
		ref, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(ref, "@"), strings.HasPrefix(ref, "!"):
			return " "
		case strings.HasPrefix(ref, "#"):
			if label != "" {
				return "#" + label
			}
			return " "
		case label != "":
			return label
		default:
			return strings.TrimPrefix(ref, "mailto:")
		}
	})
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return strings.TrimSpace(reWhitespace.ReplaceAllString(s, " "))
}
