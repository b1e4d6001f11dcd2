package main

import (
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/krog-advisor/krog/store"
)

func TestFeedbackCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "krog.db")
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	for _, a := range []store.Answer{
		{ID: "a1", Time: day, Team: "T1", Surface: "command", Lang: "sl", Found: true, Docs: []string{"by-product"}, Question: "Kaj je stranski proizvod?"},
		{ID: "a2", Time: day.AddDate(0, 0, 1), Team: "T1", Surface: "dm", Lang: "en", Found: false, Question: "How do I bake bread, \"quickly\"?"},
	} {
		if err := s.RecordAnswer(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	s.RecordVote(ctx, store.Vote{AnswerID: "a1", Voter: "v", Value: -1, Time: day})
	s.RecordComment(ctx, store.Comment{AnswerID: "a1", Voter: "v", Text: "Manjka rok za prijavo.", Time: day})
	s.Close()

	out, _, code := krog(t, nil, "feedback", "--db", db, "--env-file", "")
	for _, want := range []string{"Answers: 2 (found 1, not found 1; LLM 0) · 👍 0 · 👎 1", "Kaj je stranski proizvod?", "by-product", "Manjka rok za prijavo.", "Unanswered", "How do I bake bread"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("krog feedback (exit %d) lacks %q:\n%s", code, want, out)
		}
	}
	out, _, _ = krog(t, map[string]string{"KROG_DB": db}, "feedback", "--since", "2025-03-04", "--env-file", "")
	if !strings.Contains(out, "Answers: 1 ") || strings.Contains(out, "Manjka") {
		t.Errorf("--since 2025-03-04:\n%s", out)
	}
	out, _, code = krog(t, nil, "feedback", "--db", db, "--csv", "--env-file", "")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != 0 {
		t.Fatalf("--csv: exit %d, %v\n%s", code, err, out)
	}
	if len(recs) != 3 || recs[0][0] != "time" || recs[1][11] != "Kaj je stranski proizvod?" || recs[1][13] != "1" || recs[1][14] != "Manjka rok za prijavo." || recs[2][11] != "How do I bake bread, \"quickly\"?" {
		t.Errorf("--csv rows: %q", recs)
	}

	if _, stderr, code := krog(t, nil, "feedback", "--db", filepath.Join(t.TempDir(), "none.db"), "--env-file", ""); code != 1 || !strings.Contains(stderr, "no store at") {
		t.Errorf("missing store: exit %d %q", code, stderr)
	}
	if _, stderr, code := krog(t, nil, "feedback", "--db", db, "--since", "last tuesday", "--env-file", ""); code != 2 || !strings.Contains(stderr, "--since") {
		t.Errorf("bad --since: exit %d %q", code, stderr)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"2025-03-01":           time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		"7d":                   now.AddDate(0, 0, -7),
		"48h":                  now.Add(-48 * time.Hour),
		"2025-03-01T08:00:00Z": time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-3d", "2025-13-01"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("parseSince(%q) accepted", bad)
		}
	}
}
