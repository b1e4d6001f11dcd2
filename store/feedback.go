package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// What the bot records for the curators: answers, votes, comments and guide checks.

// Answer is one answer krog gave.
type Answer struct {
	ID          string // the answer id the Slack buttons carry
	Time        time.Time
	Team        string // Slack workspace id
	ChannelType string // "im", "channel", "group", "mpim"
	Surface     string // "command", "share", "mention", "dm", "more"
	Lang        string
	Found       bool
	Mode        string // "extractive" or "llm"
	Model       string
	Fallback    string // why an LLM answer was not shown, if it was not
	PromptTok   int
	ComplTok    int
	Docs        []string // document ids, best first
	Question    string   // "" when questions are not stored
}

// Vote is a 👍 (+1) or 👎 (-1) on an answer; a later vote by the same voter replaces the earlier.
type Vote struct {
	AnswerID string
	Voter    string // see VoterID
	Value    int
	Time     time.Time
}

// Comment is what a user said was missing from an answer.
type Comment struct {
	AnswerID string
	Voter    string
	Text     string
	Time     time.Time
}

// VoterID is the one-way identifier of a user that votes and comments carry.
func VoterID(team, user string) string {
	sum := sha256.Sum256([]byte("krog-voter\x00" + team + "\x00" + user))
	return hex.EncodeToString(sum[:8])
}

// Check is one completed decision-guide check: which guide, which outcome, in which language — no
// answers, no free text.
type Check struct {
	ID      string
	Time    time.Time
	Team    string
	Guide   string
	Outcome string
	Lang    string
}

// MaxComment is the longest comment stored, in characters.
const MaxComment = 3000

// RecordAnswer stores an answer and its documents.
func (s *Store) RecordAnswer(ctx context.Context, a Answer) error {
	if a.ID == "" {
		return errors.New("record answer: empty id")
	}
	var q any
	if a.Question != "" {
		q = a.Question
	}
	mode := a.Mode
	if mode == "" {
		mode = "extractive"
	}
	found := 0
	if a.Found {
		found = 1
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record answer %s: %w", a.ID, err)
	}
	defer tx.Rollback()
	// Recorded again when a model's answer is replaced by the extractive one: the later wins.
	_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO answers
		(id, at, team, channel_type, surface, lang, found, mode, model, fallback, prompt_tokens, completion_tokens, question)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at, team = excluded.team, channel_type = excluded.channel_type,
			surface = excluded.surface, lang = excluded.lang, found = excluded.found, mode = excluded.mode,
			model = excluded.model, fallback = excluded.fallback, prompt_tokens = excluded.prompt_tokens,
			completion_tokens = excluded.completion_tokens, question = excluded.question`),
		a.ID, ts(a.Time), a.Team, a.ChannelType, a.Surface, a.Lang, found, mode, a.Model, a.Fallback, a.PromptTok, a.ComplTok, q)
	if err != nil {
		return fmt.Errorf("record answer %s: %w", a.ID, err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM answer_docs WHERE answer_id = ?`), a.ID); err != nil {
		return fmt.Errorf("record answer %s: %w", a.ID, err)
	}
	for i, d := range a.Docs {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO answer_docs (answer_id, rank, doc) VALUES (?, ?, ?)`), a.ID, i+1, d); err != nil {
			return fmt.Errorf("record answer %s: document %s: %w", a.ID, d, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record answer %s: %w", a.ID, err)
	}
	return nil
}

// ErrUnknownAnswer is a vote or comment on an answer id the store has no record of: not one krog
// issued.
var ErrUnknownAnswer = errors.New("no such answer")

// RecordVote stores a vote on an answer krog recorded (else ErrUnknownAnswer); the voter's earlier
// vote on the same answer is replaced.
func (s *Store) RecordVote(ctx context.Context, v Vote) error {
	if v.Value != 1 && v.Value != -1 {
		return fmt.Errorf("record vote on %s: value %d is not +1 or -1", v.AnswerID, v.Value)
	}
	// The later vote wins by its time, not by when it reaches the store: two replicas may write
	// one person's 👍 and 👎 in either order.
	res, err := s.exec(ctx, `INSERT INTO votes (answer_id, voter, vote, at)
		SELECT ?, ?, CAST(? AS INTEGER), ? WHERE EXISTS (SELECT 1 FROM answers WHERE id = ?)
		ON CONFLICT (answer_id, voter) DO UPDATE SET vote = excluded.vote, at = excluded.at
		WHERE votes.at <= excluded.at`,
		v.AnswerID, v.Voter, v.Value, ts(v.Time), v.AnswerID)
	if err != nil {
		return fmt.Errorf("record vote on %s: %w", v.AnswerID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// Nothing written: no such answer, or a later vote by this voter is there already.
		var known int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM answers WHERE id = ?`, v.AnswerID).Scan(&known); err != nil {
			return fmt.Errorf("record vote on %s: %w", v.AnswerID, err)
		}
		if known == 0 {
			return fmt.Errorf("record vote on %s: %w", v.AnswerID, ErrUnknownAnswer)
		}
	}
	return nil
}

// RecordCheck stores a completed guide check.
func (s *Store) RecordCheck(ctx context.Context, c Check) error {
	if c.ID == "" || c.Guide == "" || c.Outcome == "" {
		return fmt.Errorf("record check: id, guide and outcome are required")
	}
	_, err := s.exec(ctx, `INSERT INTO checks (id, at, team, guide, outcome, lang) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		c.ID, ts(c.Time), c.Team, c.Guide, c.Outcome, c.Lang)
	if err != nil {
		return fmt.Errorf("record check %s: %w", c.ID, err)
	}
	return nil
}

// RecordComment stores a comment (cut to MaxComment characters); empty comments are ignored.
func (s *Store) RecordComment(ctx context.Context, c Comment) error {
	text := strings.TrimSpace(strings.ToValidUTF8(c.Text, ""))
	if text == "" {
		return nil
	}
	if r := []rune(text); len(r) > MaxComment {
		text = string(r[:MaxComment])
	}
	res, err := s.exec(ctx, `INSERT INTO comments (answer_id, voter, text, at)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM answers WHERE id = ?)`,
		c.AnswerID, c.Voter, text, ts(c.Time), c.AnswerID)
	if err != nil {
		return fmt.Errorf("record comment on %s: %w", c.AnswerID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("record comment on %s: %w", c.AnswerID, ErrUnknownAnswer)
	}
	return nil
}
