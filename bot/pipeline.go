package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/lang"
	"github.com/krog-advisor/krog/store"
)

// The answer pipeline every surface shares: rate limit, admission, answering, delivery, thread
// memory, the curators' store and the metrics.

// ask is one question to answer and how to show the answer.
type ask struct {
	surface  string // "command", "share", "mention", "thread", "dm", "more"
	team     string
	user     string
	channel  string
	question string
	context  string    // the thread's first question
	lang     lang.Lang // force the answer's language ("more sources")
	offset   int
	noLLM    bool
	view     answerView

	thread    convKey // the thread to remember the question under
	dm        string  // DM channel whose last question this becomes
	assistant bool    // an assistant thread: status instead of a placeholder
	threadTS  string  // for assistant.threads.setStatus
	public    *target // post the answer here (a /krog share), not where errors go
}

// question checks a question against the rate limit and answers it in the background. Replies that
// only the asker should see (the limit, a question without words) go to t.
func (b *Bot) question(a ask, t target) {
	l := a.lang
	if l == "" {
		l = lang.Resolve(lang.Unknown, a.question, a.context, lang.EN)
	}
	rp := b.replier(t, l)
	if _, _, err := answer.Prepare(a.question); err != nil {
		var ie *answer.InputError
		if errors.As(err, &ie) {
			b.reply("bad_question", rp, renderText(ie.Message(l)))
			return
		}
	}
	if b.pending.Add(1) > b.maxPending {
		b.pending.Add(-1)
		b.log.Warn("busy: question turned away", "surface", a.surface, "pending", b.maxPending)
		b.obs.Event("busy")
		b.reply("busy", rp, renderText(say(l, "busy")))
		return
	}
	if !b.spawn(a.surface, rp, func(ctx context.Context) error {
		defer b.pending.Add(-1)
		if !b.allow(ctx, a) {
			b.log.Info("rate limited", "surface", a.surface, "user", a.user)
			b.obs.Event("rate_limited")
			if t.ResponseURL == "" && channelType(t.Channel) != "im" {
				// In a channel, only the asker needs to read this.
				rp = b.replier(target{ws: t.ws, Channel: t.Channel, ThreadTS: t.ThreadTS, EphemeralTo: a.user}, l)
			}
			return rp.send(ctx, renderText(say(l, "rate_limited")))
		}
		return b.answer(ctx, a, rp)
	}) {
		b.pending.Add(-1)
	}
}

// allow counts a question against its asker's limit (per workspace and user, per minute) and
// reports whether it is within it; if the memory cannot be reached, it is.
func (b *Bot) allow(ctx context.Context, a ask) bool {
	if b.rate <= 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, memTimeout)
	defer cancel()
	n, err := b.mem.Incr(ctx, memRate, a.team+"/"+a.user, time.Minute)
	if err != nil {
		b.log.Error("memory unavailable: question not counted against the rate limit", "err", err)
		return true
	}
	return n <= int64(b.rate)
}

// answer answers a question and delivers the answer through rp (or to a.public).
func (b *Bot) answer(ctx context.Context, a ask, rp *replier) error {
	req := answer.Request{Question: a.question, Context: a.context, Lang: a.lang, Offset: a.offset, NoLLM: a.noLLM}
	var st *streamer
	if b.svc.LLM() && !a.noLLM && a.public == nil {
		if a.assistant {
			b.setStatus(ctx, rp.t.ws, a.channel, a.threadTS, say(rp.lang(), "thinking"))
		} else if err := rp.placeholder(ctx); err != nil {
			b.log.Warn("could not post a placeholder", "err", err)
		} else {
			st = rp.stream(ctx)
			req.OnDelta = st.delta
		}
	}
	if st != nil {
		defer st.close() // a panic while answering must not leave the streamer running
	}
	rep, err := b.ans.Answer(ctx, req)
	if st != nil {
		st.close()
	}
	rp.setLang(rep.Lang)
	if err != nil {
		var ie *answer.InputError
		if errors.As(err, &ie) {
			return rp.send(ctx, renderText(ie.Message(rp.lang())))
		}
		if errors.Is(err, answer.ErrBusy) {
			b.log.Warn("busy: no answer slot", "surface", a.surface)
			b.obs.Event("busy")
			return rp.send(ctx, renderText(say(rp.lang(), "busy")))
		}
		if !b.logQ {
			// The answer core names the question in its errors; keep it out of the log.
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
		}
		return fmt.Errorf("answer: %w", err)
	}
	req.OnDelta = nil
	id := newID()
	b.keepAnswer(ctx, rp.t.ws, id, rep, req, a)
	// Stored before it is delivered, so that a vote on it, however quick, finds it.
	b.storeAnswer(id, a, rep)
	v := a.view
	v.ID, v.Offset = id, a.offset
	if g := b.guideFor(rep.DocID); g != nil && rep.Found {
		v.Guide = g.ID + "|" + string(rep.Lang)
	}
	msg := renderAnswer(rep, v)
	if a.public != nil {
		_, err = b.post(ctx, *a.public, msg)
	} else {
		err = rp.send(ctx, msg)
	}
	if err != nil && rep.Mode == "llm" {
		// Slack refused the model's answer (its formatting, say): give the extractive one.
		b.log.Warn("llm answer not delivered, sending the extractive answer", "err", err)
		req.NoLLM = true
		if rep2, err2 := b.ans.Answer(ctx, req); err2 == nil {
			rep = rep2
			rep.Fallback = "not delivered"
			b.keepAnswer(ctx, rp.t.ws, id, rep, req, a)
			b.storeAnswer(id, a, rep)
			msg = renderAnswer(rep, v)
			if a.public != nil {
				_, err = b.post(ctx, *a.public, msg)
			} else {
				err = rp.send(ctx, msg)
			}
		}
	}
	if err != nil {
		return err
	}
	b.remember(ctx, rp.t.ws, a, rep, rp.messageTS())
	b.report(id, a, rep)
	return nil
}

// remember notes the threads a question belongs to, so that follow-ups need no mention.
func (b *Bot) remember(ctx context.Context, ws *workspace, a ask, rep answer.Reply, replyTS string) {
	th := thread{Question: rep.Question, Lang: rep.Lang}
	if a.thread != (convKey{}) {
		if old, ok := b.thread(ctx, ws, a.thread); ok {
			th = old
		}
		b.keepThread(ctx, ws, a.thread, th)
	}
	if a.dm != "" && replyTS != "" {
		b.keepThread(ctx, ws, convKey{a.dm, replyTS}, th) // a thread the user may start under the answer
	}
}

// keepAnswer remembers an answer for the buttons under it (without what only the eval reads).
func (b *Bot) keepAnswer(ctx context.Context, ws *workspace, id string, rep answer.Reply, req answer.Request, a ask) {
	rep.Ranked = nil
	b.keep(ctx, memAnswer, ws.id+"/"+id, stored{Reply: rep, Req: req, Team: a.team, Surface: a.surface}, answerTTL)
}

// report logs a delivered answer and counts it.
func (b *Bot) report(id string, a ask, rep answer.Reply) {
	attrs := []any{"answer_id", id, "surface", a.surface, "lang", rep.Lang, "found", rep.Found, "confidence", rep.Confidence,
		"mode", rep.Mode, "took_ms", rep.TookMS, "docs", docIDs(rep)}
	if rep.Fallback != "" {
		attrs = append(attrs, "fallback", rep.Fallback)
	}
	if b.logQ {
		attrs = append(attrs, "question", rep.Question)
	}
	b.log.Info("answered", attrs...)
	var pt, ct int
	if rep.Usage != nil {
		pt, ct = rep.Usage.Prompt, rep.Usage.Completion
	}
	b.obs.Answer(a.surface, string(rep.Lang), rep.Confidence, rep.Mode, rep.Fallback, rep.Took, pt, ct, rep.Mode == "llm" || rep.Fallback != "")
}

// storeAnswer queues the answer for the curators' store.
func (b *Bot) storeAnswer(id string, a ask, rep answer.Reply) {
	if b.queue == nil {
		return
	}
	fa := store.Answer{
		ID: id, Time: b.now(), Team: a.team, ChannelType: channelType(a.channel), Surface: a.surface,
		Lang: string(rep.Lang), Found: rep.Found, Mode: rep.Mode, Model: rep.Model, Fallback: rep.Fallback, Docs: docIDs(rep),
	}
	if rep.Usage != nil {
		fa.PromptTok, fa.ComplTok = rep.Usage.Prompt, rep.Usage.Completion
	}
	if b.storeQ {
		fa.Question = rep.Question
	}
	b.queue.put("answer", id, func(ctx context.Context) error { return b.rec.RecordAnswer(ctx, fa) })
}

func docIDs(rep answer.Reply) []string {
	docs := make([]string, len(rep.Sources))
	for i, s := range rep.Sources {
		docs[i] = s.ID
	}
	return docs
}

func (b *Bot) setStatus(ctx context.Context, ws *workspace, channel, threadTS, status string) {
	err := ws.api.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{ChannelID: channel, ThreadTS: threadTS, Status: status})
	if err != nil {
		b.log.Warn("assistant.threads.setStatus", "err", err)
	}
}
