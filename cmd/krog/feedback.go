package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/krog-advisor/krog/store"
)

const feedbackAbout = `Print what the Slack bot's users asked and thought, for curators: the questions most asked,
👍/👎 per document, what people said was missing (👎 comments), and the questions krog could not
answer: the guidance still to write. Reads the feedback store that krog serve writes (KROG_DB).`

func cmdFeedback(e *env, args []string) error {
	flags := newFlags(e, "feedback", "[--since DATE] [--team ID] [--csv] [--db FILE]", feedbackAbout)
	since := flags.String("since", "", "only answers given since `DATE` (YYYY-MM-DD, or a duration back from now such as 7d or 48h)")
	asCSV := flags.Bool("csv", false, "print every answer as a CSV row, with its votes and comments")
	db := flags.String("db", "", "the store: a SQLite `FILE` or a postgres:// URL (env KROG_DB, default ./krog.db)")
	team := flags.String("team", "", "only answers given in the Slack workspace with `ID` (T…; see krog installs)")
	n := flags.Int("n", 20, "show at most `N` entries in each list (0: all)")
	envFile := flags.String("env-file", ".env", "read variables from `FILE` if it exists (variables already set win)")
	rest, err := parse(flags, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{msg: fmt.Sprintf("feedback takes no arguments, got %q", strings.Join(rest, " ")), hint: "Run `krog feedback -h` for its flags."}
	}
	if *n < 0 {
		return &usageError{msg: fmt.Sprintf("-n %d: use 0 or more", *n)}
	}
	from, err := parseSince(*since, time.Now())
	if err != nil {
		return err
	}
	e, err = e.withDotenv(*envFile)
	if err != nil {
		return err
	}
	st, err := openStore(e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if *asCSV {
		return writeFeedbackCSV(e, st, from, *team)
	}
	r, err := st.Report(e.ctx, from, *team, *n)
	if err != nil {
		return err
	}
	printReport(e.stdout, r, st.Name())
	return nil
}

// parseSince reads --since: a date (from its midnight, UTC), an RFC 3339 time, or a duration back
// from now ("7d", "48h").
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(d); err == nil && days >= 0 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, &usageError{msg: fmt.Sprintf("--since %q: use a date such as 2025-03-01, or a duration such as 7d or 48h", s)}
}

// openStore opens the store krog serve writes — flag, else KROG_DB, else ./krog.db — to read it:
// it is neither created nor migrated.
func openStore(e *env, flagValue string) (*store.Store, error) {
	path := flagValue
	if path == "" {
		path = strings.TrimSpace(e.getenv("KROG_DB"))
	}
	if path == "" {
		path = "./krog.db"
	}
	st, err := store.OpenExisting(e.ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%w (KROG_DB or --db names the store)", err)
	}
	return st, nil
}

func writeFeedbackCSV(e *env, st *store.Store, from time.Time, team string) error {
	w := csv.NewWriter(e.stdout)
	w.Write([]string{"time", "answer_id", "workspace", "channel_type", "surface", "lang", "found", "mode", "model", "fallback", "documents", "question", "up", "down", "comments"})
	err := st.Rows(e.ctx, from, team, func(r store.Row) error {
		return w.Write([]string{
			r.Time.UTC().Format(time.RFC3339), r.ID, r.Team, r.ChannelType, r.Surface, r.Lang, strconv.FormatBool(r.Found),
			r.Mode, r.Model, r.Fallback, strings.Join(r.Docs, " "), r.Question, strconv.Itoa(r.Up), strconv.Itoa(r.Down),
			strings.Join(r.Comments, " | "),
		})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

func printReport(w io.Writer, r store.Report, path string) {
	period := "all time"
	if !r.Since.IsZero() {
		period = "since " + r.Since.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	fmt.Fprintf(w, "krog feedback, %s (%s)\n\n", period, path)
	fmt.Fprintf(w, "Answers: %d (found %d, not found %d; LLM %d) · 👍 %d · 👎 %d\n", r.Answers, r.Found, r.Answers-r.Found, r.LLM, r.Up, r.Down)
	if len(r.Checks) > 0 {
		fmt.Fprintln(w, "\nStep-by-step checks (guide, outcome)")
		for _, c := range r.Checks {
			fmt.Fprintf(w, "  %3d×  %s → %s\n", c.Count, c.Guide, c.Outcome)
		}
	}
	if r.Answers == 0 {
		fmt.Fprintln(w, "\nNo answers yet.")
		return
	}

	fmt.Fprintln(w, "\nMost asked")
	if len(r.Questions) == 0 {
		fmt.Fprintln(w, "  (no question text stored)")
	}
	for _, q := range r.Questions {
		fmt.Fprintf(w, "  %3d×  found %d/%d  👍 %d 👎 %d  %s\n", q.Count, q.Found, q.Count, q.Up, q.Down, oneLine(q.Text, 100))
	}

	fmt.Fprintln(w, "\nDocuments (most 👎 first; votes count for the document an answer was built on)")
	for _, d := range r.Docs {
		fmt.Fprintf(w, "  %-40s main %3d  shown %3d  👍 %2d  👎 %2d\n", d.Doc, d.Main, d.Shown, d.Up, d.Down)
	}

	fmt.Fprintln(w, "\nWhat was missing (👎 comments, newest first)")
	if len(r.Comments) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, c := range r.Comments {
		fmt.Fprintf(w, "  %s  %s\n", c.Time.UTC().Format(time.DateOnly), oneLine(c.Text, 200))
		if c.Question != "" || len(c.Docs) > 0 {
			fmt.Fprintf(w, "              on: %s [%s]\n", oneLine(c.Question, 100), strings.Join(c.Docs, ", "))
		}
	}

	fmt.Fprintln(w, "\nUnanswered (found nothing: the guidance still to write)")
	if len(r.Unanswered) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, q := range r.Unanswered {
		fmt.Fprintf(w, "  %3d×  %s  (%s, last %s)\n", q.Count, oneLine(q.Text, 100), q.Lang, q.Last.UTC().Format(time.DateOnly))
	}
	if r.Hidden > 0 {
		fmt.Fprintf(w, "\n%d answers have no question text (KROG_STORE_QUESTIONS=false).\n", r.Hidden)
	}
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
