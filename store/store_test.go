package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/krog-advisor/krog/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// backends runs test against a new store of each backend: a SQLite file and a PostgreSQL database
// on a real server. It hands over the store and what opens it again.
func backends(t *testing.T, test func(t *testing.T, s *Store, dsn string)) {
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "krog.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			s, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if s.Backend() != b.name {
				t.Fatalf("Open(%s) gave a %s store", b.name, s.Backend())
			}
			test(t, s, dsn)
		})
	}
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	backends(t, testReopen)
}

func testReopen(t *testing.T, s *Store, path string) {
	ctx := context.Background()
	if err := s.RecordAnswer(ctx, Answer{ID: "a1", Time: t0, Found: true, Docs: []string{"by-product"}, Question: "Kaj je stranski proizvod?"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	v, err := s2.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != len(migrations) {
		t.Errorf("user_version = %d, want %d", v, len(migrations))
	}
	r, err := s2.Report(ctx, time.Time{}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers != 1 || r.Found != 1 {
		t.Errorf("after reopen: answers %d found %d, want 1 1", r.Answers, r.Found)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "krog.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(context.Background(), path); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than it knows")
	}
}

func TestReport(t *testing.T) { backends(t, testReport) }

func testReport(t *testing.T, s *Store, _ string) {
	ctx := context.Background()
	answers := []Answer{
		{ID: "a1", Time: t0, Team: "T1", Surface: "command", Lang: "sl", Found: true, Docs: []string{"by-product", "end-of-waste"}, Question: "Kaj je stranski proizvod?"},
		{ID: "a2", Time: t0.Add(time.Hour), Team: "T1", Surface: "mention", Lang: "sl", Found: true, Docs: []string{"by-product"}, Question: "kaj je stranski proizvod? "},
		{ID: "a3", Time: t0.Add(2 * time.Hour), Team: "T1", Surface: "dm", Lang: "en", Found: false, Question: "How do I bake bread?"},
		{ID: "a4", Time: t0.Add(3 * time.Hour), Team: "T1", Surface: "dm", Lang: "en", Found: false, Question: "how do I bake bread?"},
		{ID: "a5", Time: t0.Add(4 * time.Hour), Team: "T1", Surface: "command", Lang: "en", Found: true, Mode: "llm", Model: "m", Docs: []string{"end-of-waste"}},
	}
	for _, a := range answers {
		if err := s.RecordAnswer(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	u1, u2 := VoterID("T1", "U1"), VoterID("T1", "U2")
	votes := []Vote{
		{AnswerID: "a1", Voter: u1, Value: 1, Time: t0},
		{AnswerID: "a1", Voter: u1, Value: -1, Time: t0.Add(time.Minute)}, // changes their mind
		{AnswerID: "a1", Voter: u1, Value: 1, Time: t0.Add(time.Second)},  // an older vote arriving late: ignored
		{AnswerID: "a1", Voter: u2, Value: -1, Time: t0},
		{AnswerID: "a2", Voter: u1, Value: 1, Time: t0},
		{AnswerID: "a5", Voter: u2, Value: 1, Time: t0},
	}
	for _, v := range votes {
		if err := s.RecordVote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordVote(ctx, Vote{AnswerID: "a1", Voter: u1, Value: 2}); err == nil {
		t.Error("a vote of 2 was accepted")
	}
	if err := s.RecordComment(ctx, Comment{AnswerID: "a1", Voter: u2, Text: "  Manjka postopek prijave na ARSO. ", Time: t0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordComment(ctx, Comment{AnswerID: "a1", Voter: u2, Text: "   ", Time: t0}); err != nil {
		t.Fatal(err)
	}

	r, err := s.Report(ctx, time.Time{}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers != 5 || r.Found != 3 || r.LLM != 1 || r.Up != 2 || r.Down != 2 || r.Hidden != 1 {
		t.Errorf("totals = answers %d found %d llm %d up %d down %d hidden %d, want 5 3 1 2 2 1", r.Answers, r.Found, r.LLM, r.Up, r.Down, r.Hidden)
	}
	wantQ := []Question{
		{Text: "How do I bake bread?", Lang: "en", Count: 2, Found: 0, Last: t0.Add(3 * time.Hour)},
		{Text: "Kaj je stranski proizvod?", Lang: "sl", Count: 2, Found: 2, Up: 1, Down: 2, Last: t0.Add(time.Hour)},
	}
	if diff := cmp.Diff(wantQ, r.Questions); diff != "" {
		t.Errorf("questions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantQ[:1], r.Unanswered); diff != "" {
		t.Errorf("unanswered (-want +got):\n%s", diff)
	}
	wantD := []DocStats{
		{Doc: "by-product", Main: 2, Shown: 2, Up: 1, Down: 2},
		{Doc: "end-of-waste", Main: 1, Shown: 2, Up: 1, Down: 0},
	}
	if diff := cmp.Diff(wantD, r.Docs); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	wantC := []CommentRow{{Time: t0.Add(5 * time.Minute), Text: "Manjka postopek prijave na ARSO.", Question: "Kaj je stranski proizvod?", Lang: "sl", Docs: []string{"by-product", "end-of-waste"}}}
	if diff := cmp.Diff(wantC, r.Comments); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}

	if err := s.RecordAnswer(ctx, Answer{ID: "b1", Time: t0, Team: "T2", Lang: "en", Found: true, Docs: []string{"by-product"}, Question: "Other workspace?"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCheck(ctx, Check{ID: "c2", Time: t0, Team: "T2", Guide: "by-product", Outcome: "yes", Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	t1, err := s.Report(ctx, time.Time{}, "T1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if t1.Answers != 5 || len(t1.Questions) != 2 || len(t1.Checks) != 0 || len(t1.Comments) != 1 {
		t.Errorf("workspace T1: %d answers, %d questions, %d checks, %d comments; want 5, 2, 0, 1", t1.Answers, len(t1.Questions), len(t1.Checks), len(t1.Comments))
	}
	t2, err := s.Report(ctx, time.Time{}, "T2", 0)
	if err != nil {
		t.Fatal(err)
	}
	if t2.Answers != 1 || len(t2.Questions) != 1 || t2.Questions[0].Text != "Other workspace?" || len(t2.Checks) != 1 || len(t2.Comments) != 0 || len(t2.Docs) != 1 {
		t.Errorf("workspace T2: %+v", t2)
	}
	var t2rows int
	if err := s.Rows(ctx, time.Time{}, "T2", func(Row) error { t2rows++; return nil }); err != nil || t2rows != 1 {
		t.Errorf("rows of T2: %d (%v), want 1", t2rows, err)
	}

	since, err := s.Report(ctx, t0.Add(150*time.Minute), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if since.Answers != 2 || len(since.Unanswered) != 1 || since.Unanswered[0].Count != 1 || len(since.Comments) != 0 {
		t.Errorf("since 11:30: answers %d unanswered %+v comments %d, want 2, one question once, 0", since.Answers, since.Unanswered, len(since.Comments))
	}

	var rows []Row
	if err := s.Rows(ctx, time.Time{}, "T1", func(r Row) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0].ID != "a1" || rows[0].Up != 0 || rows[0].Down != 2 || len(rows[0].Comments) != 1 || rows[4].Question != "" || rows[4].Mode != "llm" {
		t.Errorf("rows = %+v", rows)
	}
}

func TestConcurrentWrites(t *testing.T) { backends(t, testConcurrentWrites) }

func testConcurrentWrites(t *testing.T, s *Store, _ string) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 100 {
		wg.Go(func() {
			id := string(rune('a'+i%26)) + time.Duration(i).String()
			if err := s.RecordAnswer(ctx, Answer{ID: id, Time: t0, Found: true, Docs: []string{"d"}}); err != nil {
				errs <- err
			}
			if err := s.RecordVote(ctx, Vote{AnswerID: id, Voter: "v", Value: 1, Time: t0}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r, err := s.Report(ctx, time.Time{}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Answers != 100 || r.Up != 100 {
		t.Errorf("answers %d up %d, want 100 100", r.Answers, r.Up)
	}
}

func TestPostgresReplicasMigrateTogether(t *testing.T) {
	dsn := pgtest.DSN(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error("a replica starting beside two others:", err)
	}
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(context.Background()); err != nil || v != len(migrations) {
		t.Errorf("schema version %d (%v), want %d", v, err, len(migrations))
	}
}

func TestPostgresErrorsHideThePassword(t *testing.T) {
	// Nothing listens on port 1: the connection fails, and the message must not carry a password.
	for _, dsn := range []string{
		"postgres://krog:s3cret-pw@127.0.0.1:1/krog?sslmode=disable&connect_timeout=2",
		"postgres://krog@127.0.0.1:1/krog?password=s3cret-pw&sslmode=disable&connect_timeout=2",
		"postgresql://krog@127.0.0.1:1/krog?sslpassword=s3cret-pw&sslmode=disable&connect_timeout=2",
		"postgres://krog:s3cret-pw@127.0.0.1:1/krog?sslmode=bogus",
		"postgres://krog:s3cret-pw@[::1/krog",
	} {
		_, err := Open(context.Background(), dsn)
		if err == nil {
			t.Fatalf("Open(%s) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("error shows the password: %v", err)
		}
		if strings.Contains(dsn, "127.0.0.1") && !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("error does not say which server: %v", err)
		}
	}
	if r := redact("postgres://u:pw1@h/db?password=pw2&sslpassword=pw3&sslmode=require"); strings.Contains(r, "pw1") || strings.Contains(r, "pw2") || strings.Contains(r, "pw3") || !strings.Contains(r, "sslmode=require") {
		t.Errorf("redact = %s", r)
	}
}

func TestOpenExistingNeitherCreatesNorMigrates(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range map[string]string{"sqlite": filepath.Join(t.TempDir(), "new.db"), "postgres": pgtest.DSN(t)} {
		t.Run(name, func(t *testing.T) {
			want := "start krog serve" // an empty PostgreSQL database
			if name == "sqlite" {
				want = "no store at"
			}
			if s, err := OpenExisting(ctx, dsn); err == nil || !strings.Contains(err.Error(), want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("an empty store opened for reading: %v", err)
			}
			if _, err := os.Stat(dsn); name == "sqlite" && err == nil {
				t.Error("reading created the file")
			}
			s, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			r, err := OpenExisting(ctx, dsn)
			if err != nil {
				t.Fatalf("a migrated store: %v", err)
			}
			r.Close()
		})
	}
}
