package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/lang"
)

// The /krog slash command: help, topics, define, check, share, and questions.

// guessLang is the language to speak before the answer says which: lang.Resolve with the text,
// then the fallback language, then English.
func guessLang(text string, fallback lang.Lang) lang.Lang {
	def := lang.EN
	if fallback == lang.SL {
		def = lang.SL
	}
	return lang.Resolve(lang.Unknown, text, "", def)
}

// onCommand takes /krog; it is answered in the background, with its workspace's token.
func (b *Bot) onCommand(cmd slack.SlashCommand) {
	b.spawn("command", nil, func(ctx context.Context) error {
		ws, err := b.workspaceFor(ctx, cmd.TeamID, cmd.EnterpriseID)
		if err != nil {
			return b.notInstalled(ctx, err, "command", cmd.TeamID, cmd.ResponseURL)
		}
		b.command(ws, cmd)
		return nil
	})
}

// command handles /krog in workspace ws.
func (b *Bot) command(ws *workspace, cmd slack.SlashCommand) {
	t := target{ws: ws, ResponseURL: cmd.ResponseURL, ResponseType: slack.ResponseTypeEphemeral}
	if cmd.ResponseURL == "" {
		t = target{ws: ws, Channel: cmd.ChannelID, EphemeralTo: cmd.UserID}
	}
	text := plainText(cmd.Text)
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "", "help", "pomoč", "pomoc", "?", "-h", "--help":
		b.reply("help", b.replier(t, lang.EN), renderHelp())
	case "topics", "topic", "teme", "tema", "vsebine":
		l := lang.EN
		if w := strings.ToLower(word); strings.HasPrefix(w, "tem") || w == "vsebine" || rest == string(lang.SL) {
			l = lang.SL
		}
		b.reply("topics", b.replier(t, l), renderTopics(answer.Topics(b.svc.Corpus(), l), l))
	case "define", "definiraj", "pojem", "slovar", "glossary":
		l := guessLang(rest, "")
		if w := strings.ToLower(word); w != "define" && w != "glossary" && rest == "" {
			l = lang.SL
		}
		rp := b.replier(t, l)
		if rest == "" {
			b.reply("define", rp, renderText(say(l, "define_empty")))
			return
		}
		b.spawn("define", rp, func(ctx context.Context) error {
			term, close := b.svc.Define(rest)
			if term == nil {
				return rp.send(ctx, renderNoTerm(rest, l, close))
			}
			return rp.send(ctx, renderTerm(term, l))
		})
	case "check", "preveri", "vodic", "vodič", "vodiči":
		b.onCheckCommand(cmd, word, rest, t)
	case "share", "deli":
		public := t
		public.ResponseType = slack.ResponseTypeInChannel
		if t.ResponseURL == "" {
			public = target{ws: ws, Channel: cmd.ChannelID}
		}
		b.question(ask{
			surface: "share", team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, question: rest,
			view: answerView{AskedBy: cmd.UserID, More: true}, public: &public,
		}, t)
	default:
		b.question(ask{
			surface: "command", team: cmd.TeamID, user: cmd.UserID, channel: cmd.ChannelID, question: text,
			view: answerView{Share: true, More: true, Question: true},
		}, t)
	}
}

// reply sends a ready message in the background.
func (b *Bot) reply(name string, rp *replier, msg message) {
	b.spawn(name, rp, func(ctx context.Context) error { return rp.send(ctx, msg) })
}
