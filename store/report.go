package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Report is what curators read: counts, the questions people ask, how each document fares, the 👎
// comments, and the questions krog could not answer.
type Report struct {
	Since      time.Time // zero: everything
	Answers    int
	Found      int
	LLM        int
	Up, Down   int
	Questions  []Question   // most asked first
	Docs       []DocStats   // most 👎 first
	Comments   []CommentRow // newest first
	Unanswered []Question   // most asked first: the guidance still to write
	// Hidden counts answers whose question text was not stored (KROG_STORE_QUESTIONS=false).
	Hidden int
	Checks []CheckStats // completed guide checks per guide and outcome, most first
}

// CheckStats counts the completed checks of one guide that ended in one outcome.
type CheckStats struct {
	Guide, Outcome string
	Count          int
}

// Question is one question (compared without case and outer spaces) and how it went.
type Question struct {
	Text     string
	Lang     string
	Count    int
	Found    int
	Up, Down int
	Last     time.Time
}

// DocStats is how one document fares: how often it was the main source of an answer, how often it
// was shown at all, and the votes on the answers it was the main source of.
type DocStats struct {
	Doc      string
	Main     int
	Shown    int
	Up, Down int
}

// CommentRow is a comment with the answer it is about.
type CommentRow struct {
	Time     time.Time
	Text     string
	Question string
	Lang     string
	Docs     []string
}

// Row is one answer with its votes and comments, for export.
type Row struct {
	Answer
	Up, Down int
	Comments []string
}

// votesAgg sums the votes of each answer.
const votesAgg = `(SELECT answer_id, CAST(SUM(CASE WHEN vote = 1 THEN 1 ELSE 0 END) AS BIGINT) AS up,
	CAST(SUM(CASE WHEN vote = -1 THEN 1 ELSE 0 END) AS BIGINT) AS down FROM votes GROUP BY answer_id)`

// sum is SUM(x) as an integer, 0 over no rows, in both SQL dialects (PostgreSQL sums integers to
// numeric).
func sum(x string) string { return "CAST(COALESCE(SUM(" + x + "), 0) AS BIGINT)" }

// Report summarises the answers given since since (zero: all) in workspace team ("": all); lists
// are cut to limit entries (0: no limit).
func (s *Store) Report(ctx context.Context, since time.Time, team string, limit int) (Report, error) {
	r := Report{Since: since}
	from := ts(since)
	if since.IsZero() {
		from = ""
	}
	lim := int64(limit)
	if lim <= 0 {
		lim = 1 << 62 // no limit
	}
	err := s.queryRow(ctx, `SELECT COUNT(*), `+sum(`found`)+`, `+sum(`CASE WHEN mode = 'llm' THEN 1 ELSE 0 END`)+`,
		`+sum(`CASE WHEN question IS NULL THEN 1 ELSE 0 END`)+`, `+sum(`v.up`)+`, `+sum(`v.down`)+`
		FROM answers a LEFT JOIN `+votesAgg+` v ON v.answer_id = a.id WHERE a.at >= ? AND (? = '' OR a.team = ?)`, from, team, team).
		Scan(&r.Answers, &r.Found, &r.LLM, &r.Hidden, &r.Up, &r.Down)
	if err != nil {
		return r, fmt.Errorf("feedback report: totals: %w", err)
	}
	if r.Questions, err = s.questions(ctx, from, team, false, lim); err != nil {
		return r, err
	}
	if r.Unanswered, err = s.questions(ctx, from, team, true, lim); err != nil {
		return r, err
	}
	if r.Docs, err = s.docStats(ctx, from, team, lim); err != nil {
		return r, err
	}
	if r.Comments, err = s.comments(ctx, from, team, lim); err != nil {
		return r, err
	}
	rows, err := s.query(ctx, `SELECT guide, outcome, COUNT(*) AS n FROM checks WHERE at >= ? AND (? = '' OR team = ?)
		GROUP BY guide, outcome ORDER BY n DESC, guide, outcome`, from, team, team)
	if err != nil {
		return r, fmt.Errorf("report checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c CheckStats
		if err := rows.Scan(&c.Guide, &c.Outcome, &c.Count); err != nil {
			return r, fmt.Errorf("report checks: %w", err)
		}
		r.Checks = append(r.Checks, c)
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("report checks: %w", err)
	}
	return r, nil
}

func (s *Store) questions(ctx context.Context, from, team string, unanswered bool, lim int64) ([]Question, error) {
	cond := ""
	if unanswered {
		cond = "AND a.found = 0"
	}
	rows, err := s.query(ctx, `SELECT MIN(TRIM(a.question)), MIN(a.lang), COUNT(*), `+sum(`a.found`)+`,
		`+sum(`v.up`)+`, `+sum(`v.down`)+`, MAX(a.at)
		FROM answers a LEFT JOIN `+votesAgg+` v ON v.answer_id = a.id
		WHERE a.at >= ? AND (? = '' OR a.team = ?) AND a.question IS NOT NULL `+cond+`
		GROUP BY LOWER(TRIM(a.question))
		ORDER BY COUNT(*) DESC, MAX(a.at) DESC LIMIT ?`, from, team, team, lim)
	if err != nil {
		return nil, fmt.Errorf("feedback report: questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		var q Question
		var last string
		if err := rows.Scan(&q.Text, &q.Lang, &q.Count, &q.Found, &q.Up, &q.Down, &last); err != nil {
			return nil, fmt.Errorf("feedback report: questions: %w", err)
		}
		q.Last = parseTS(last)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback report: questions: %w", err)
	}
	return out, nil
}

func (s *Store) docStats(ctx context.Context, from, team string, lim int64) ([]DocStats, error) {
	rows, err := s.query(ctx, `SELECT d.doc, `+sum(`CASE WHEN d.rank = 1 THEN 1 ELSE 0 END`)+`, COUNT(*),
		`+sum(`CASE WHEN d.rank = 1 THEN v.up END`)+`, `+sum(`CASE WHEN d.rank = 1 THEN v.down END`)+`
		FROM answer_docs d JOIN answers a ON a.id = d.answer_id
		LEFT JOIN `+votesAgg+` v ON v.answer_id = d.answer_id
		WHERE a.at >= ? AND (? = '' OR a.team = ?)
		GROUP BY d.doc
		ORDER BY 5 DESC, 2 DESC, 3 DESC, d.doc LIMIT ?`, from, team, team, lim)
	if err != nil {
		return nil, fmt.Errorf("feedback report: documents: %w", err)
	}
	defer rows.Close()
	var out []DocStats
	for rows.Next() {
		var d DocStats
		if err := rows.Scan(&d.Doc, &d.Main, &d.Shown, &d.Up, &d.Down); err != nil {
			return nil, fmt.Errorf("feedback report: documents: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback report: documents: %w", err)
	}
	return out, nil
}

func (s *Store) comments(ctx context.Context, from, team string, lim int64) ([]CommentRow, error) {
	rows, err := s.query(ctx, `SELECT c.at, c.text, COALESCE(a.question, ''), COALESCE(a.lang, ''),
		COALESCE((SELECT string_agg(doc, ' ' ORDER BY rank) FROM answer_docs WHERE answer_id = c.answer_id), '')
		FROM comments c LEFT JOIN answers a ON a.id = c.answer_id
		WHERE c.at >= ? AND (? = '' OR a.team = ?)
		ORDER BY c.at DESC, c.id DESC LIMIT ?`, from, team, team, lim)
	if err != nil {
		return nil, fmt.Errorf("feedback report: comments: %w", err)
	}
	defer rows.Close()
	var out []CommentRow
	for rows.Next() {
		var c CommentRow
		var at, docs string
		if err := rows.Scan(&at, &c.Text, &c.Question, &c.Lang, &docs); err != nil {
			return nil, fmt.Errorf("feedback report: comments: %w", err)
		}
		c.Time = parseTS(at)
		c.Docs = strings.Fields(docs)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback report: comments: %w", err)
	}
	return out, nil
}

// Rows calls fn with every answer given since since (zero: all) in workspace team ("": all),
// oldest first, with its votes and comments.
func (s *Store) Rows(ctx context.Context, since time.Time, team string, fn func(Row) error) error {
	from := ts(since)
	if since.IsZero() {
		from = ""
	}
	rows, err := s.query(ctx, `SELECT a.id, a.at, a.team, a.channel_type, a.surface, a.lang, a.found, a.mode,
		a.model, a.fallback, a.prompt_tokens, a.completion_tokens, a.question,
		COALESCE(v.up, 0), COALESCE(v.down, 0),
		COALESCE((SELECT string_agg(doc, ' ' ORDER BY rank) FROM answer_docs WHERE answer_id = a.id), ''),
		COALESCE((SELECT string_agg(text, ? ORDER BY id) FROM comments WHERE answer_id = a.id), '')
		FROM answers a LEFT JOIN `+votesAgg+` v ON v.answer_id = a.id
		WHERE a.at >= ? AND (? = '' OR a.team = ?) ORDER BY a.at, a.id`, "\x1f", from, team, team)
	if err != nil {
		return fmt.Errorf("feedback rows: %w", err)
	}
	// Collect first: fn may be slow (writing to a pipe), and the single connection must not be
	// held meanwhile.
	var all []Row
	for rows.Next() {
		var r Row
		var at, docs, comments string
		var q sql.NullString
		if err := rows.Scan(&r.ID, &at, &r.Team, &r.ChannelType, &r.Surface, &r.Lang, &r.Found, &r.Mode,
			&r.Model, &r.Fallback, &r.PromptTok, &r.ComplTok, &q, &r.Up, &r.Down, &docs, &comments); err != nil {
			rows.Close()
			return fmt.Errorf("feedback rows: %w", err)
		}
		r.Time = parseTS(at)
		r.Question = q.String
		r.Docs = strings.Fields(docs)
		if comments != "" {
			r.Comments = strings.Split(comments, "\x1f")
		}
		all = append(all, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("feedback rows: %w", err)
	}
	for _, r := range all {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
