package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocket serves Socket Mode until ctx is done (needs the client made with an app-level token).
// Each request is handled and acknowledged at once; its reply follows in the background.
func (b *Bot) RunSocket(ctx context.Context) error {
	sm := socketmode.New(b.api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-sm.Events:
			if err := b.onSocket(ctx, sm, evt); err != nil {
				cancel()
				<-errc
				return err
			}
		}
	}
}

// onSocket handles one Socket Mode event.
func (b *Bot) onSocket(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) error {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.log.Debug("socket mode: connecting")
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode: connected")
	case socketmode.EventTypeConnectionError:
		b.log.Warn("socket mode: connection failed, retrying", "err", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		return fmt.Errorf("socket mode: %w", slack.SlackErrorResponse{Err: "invalid_auth"})
	case socketmode.EventTypeDisconnect:
		b.log.Info("socket mode: Slack asked to reconnect")
	case socketmode.EventTypeEventsAPI:
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			b.dispatch("event", func() { b.onEvent(ev) })
		}
		b.ack(ctx, sm, evt.Request)
	case socketmode.EventTypeSlashCommand:
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			b.dispatch("command", func() { b.onCommand(cmd) })
		}
		b.ack(ctx, sm, evt.Request)
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			b.dispatch("interaction", func() { b.onInteraction(cb) })
		}
		b.ack(ctx, sm, evt.Request)
	case socketmode.EventTypeErrorBadMessage:
		// Acknowledge what we cannot read, or Slack sends it again and again.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			b.log.Warn("socket mode: message not understood", "err", bad.Cause)
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
				b.ack(ctx, sm, &socketmode.Request{EnvelopeID: env.EnvelopeID})
			}
		}
	}
	return nil
}

// dispatch runs an intake handler, recovering a panic so that the next request is still served.
func (b *Bot) dispatch(name string, fn func()) {
	b.protect(name, func() error { fn(); return nil })
}

func (b *Bot) ack(ctx context.Context, sm *socketmode.Client, req *socketmode.Request) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	if err := sm.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
		b.log.Warn("socket mode: ack failed", "err", err)
	}
}
