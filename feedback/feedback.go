// Package feedback is krog's feedback store: a SQLite file (through modernc.org/sqlite, no cgo) that
// records every answer the Slack bot gives, the 👍/👎 votes on it and the "what was missing?"
// comments, and answers the questions curators ask of it (`krog feedback`): what people ask, which
// documents help, what they found missing, and which questions krog could not answer — the
// guidance still to write.
//
// The file is created and migrated when it is opened. Users are not stored: a vote carries only a
// one-way hash of workspace and user, enough to count one vote per person per answer.
package feedback

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

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

// Store is an open feedback store. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// migrations are applied in order; PRAGMA user_version records how many have run.
var migrations = []string{
	`CREATE TABLE answers (
		id                TEXT PRIMARY KEY,
		at                TEXT NOT NULL,
		team              TEXT NOT NULL DEFAULT '',
		channel_type      TEXT NOT NULL DEFAULT '',
		surface           TEXT NOT NULL DEFAULT '',
		lang              TEXT NOT NULL DEFAULT '',
		found             INTEGER NOT NULL,
		mode              TEXT NOT NULL DEFAULT 'extractive',
		model             TEXT NOT NULL DEFAULT '',
		fallback          TEXT NOT NULL DEFAULT '',
		prompt_tokens     INTEGER NOT NULL DEFAULT 0,
		completion_tokens INTEGER NOT NULL DEFAULT 0,
		question          TEXT
	);
	CREATE INDEX answers_at ON answers(at);
	CREATE TABLE answer_docs (
		answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
		rank      INTEGER NOT NULL,
		doc       TEXT NOT NULL,
		PRIMARY KEY (answer_id, rank)
	);
	CREATE INDEX answer_docs_doc ON answer_docs(doc);
	CREATE TABLE votes (
		answer_id TEXT NOT NULL,
		voter     TEXT NOT NULL,
		vote      INTEGER NOT NULL CHECK (vote IN (-1, 1)),
		at        TEXT NOT NULL,
		PRIMARY KEY (answer_id, voter)
	);
	CREATE TABLE comments (
		id        INTEGER PRIMARY KEY,
		answer_id TEXT NOT NULL,
		voter     TEXT NOT NULL,
		text      TEXT NOT NULL,
		at        TEXT NOT NULL
	);
	CREATE INDEX comments_answer ON comments(answer_id);`,
	`CREATE TABLE checks (
		id      TEXT PRIMARY KEY,
		at      TEXT NOT NULL,
		team    TEXT NOT NULL DEFAULT '',
		guide   TEXT NOT NULL,
		outcome TEXT NOT NULL,
		lang    TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX checks_guide ON checks(guide, outcome);`,
}

// Open opens the store at path, creating the file and its tables if needed.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open feedback store: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open feedback store %q: the path may not contain ? or #", path)
	}
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open feedback store %s: %w", path, err)
	}
	// One writer at a time is what SQLite allows anyway; a single connection keeps it simple and
	// avoids SQLITE_BUSY between our own connections.
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open feedback store %s: %w", path, err)
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this krog knows (%d): upgrade krog", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

const timeFormat = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

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
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record answer %s: %w", a.ID, err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO answers
		(id, at, team, channel_type, surface, lang, found, mode, model, fallback, prompt_tokens, completion_tokens, question)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, ts(a.Time), a.Team, a.ChannelType, a.Surface, a.Lang, a.Found, mode, a.Model, a.Fallback, a.PromptTok, a.ComplTok, q)
	if err != nil {
		return fmt.Errorf("record answer %s: %w", a.ID, err)
	}
	for i, d := range a.Docs {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO answer_docs (answer_id, rank, doc) VALUES (?, ?, ?)`, a.ID, i+1, d); err != nil {
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
	res, err := s.db.ExecContext(ctx, `INSERT INTO votes (answer_id, voter, vote, at)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM answers WHERE id = ?)
		ON CONFLICT (answer_id, voter) DO UPDATE SET vote = excluded.vote, at = excluded.at`,
		v.AnswerID, v.Voter, v.Value, ts(v.Time), v.AnswerID)
	if err != nil {
		return fmt.Errorf("record vote on %s: %w", v.AnswerID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("record vote on %s: %w", v.AnswerID, ErrUnknownAnswer)
	}
	return nil
}

// RecordCheck stores a completed guide check.
func (s *Store) RecordCheck(ctx context.Context, c Check) error {
	if c.ID == "" || c.Guide == "" || c.Outcome == "" {
		return fmt.Errorf("record check: id, guide and outcome are required")
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO checks (id, at, team, guide, outcome, lang) VALUES (?, ?, ?, ?, ?, ?)`,
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
	res, err := s.db.ExecContext(ctx, `INSERT INTO comments (answer_id, voter, text, at)
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
