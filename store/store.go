// Package store is where krog keeps what outlives a request: every answer the Slack bot gives, the
// 👍/👎 votes and "what was missing?" comments on it and the completed guide checks, which curators
// read with `krog feedback` (feedback.go, report.go); what the bot remembers between requests —
// event dedupe, thread memory, the answers behind buttons, rate-limit counts (memory.go); and the
// workspaces krog is installed in, with their sealed bot tokens (installs.go).
//
// Two backends behind one type and one SQL: a SQLite file (modernc.org/sqlite, no cgo), the
// default for one process, and PostgreSQL (github.com/jackc/pgx/v5) for several replicas that must
// act as one. Queries are written once with ? placeholders (rebound to $n for PostgreSQL) and
// upserts by ON CONFLICT, which both speak. The schema is created and migrated when the store is
// opened; migrations are numbered, and on PostgreSQL replicas starting together take turns.
//
// Users are not stored: a vote carries only a one-way hash of workspace and user, enough to count
// one vote per person per answer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is an open store. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	pg     bool   // PostgreSQL; else SQLite
	name   string // for messages: the file, or the database URL without its password
	writes atomic.Int64
	now    func() time.Time // the memory's clock
}

// IsPostgres reports whether dsn names a PostgreSQL database (postgres:// or postgresql://).
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store dsn names — a PostgreSQL URL (postgres://user:pass@host/db) or a SQLite
// file path — creating and migrating its tables if needed.
func Open(ctx context.Context, dsn string) (*Store, error) { return open(ctx, dsn, true) }

// OpenExisting opens a store without changing its schema, for commands that only read (krog
// feedback, krog installs): a newer binary must not migrate a store older replicas still use, and
// on PostgreSQL a read-only role can read (a SQLite file in WAL mode needs a writable directory
// still). A store not yet at this krog's schema is an error that says so.
func OpenExisting(ctx context.Context, dsn string) (*Store, error) { return open(ctx, dsn, false) }

func open(ctx context.Context, dsn string, migrate bool) (*Store, error) {
	if dsn == "" {
		return nil, errors.New("open store: empty path")
	}
	if !migrate && !IsPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no store at %s yet: krog serve creates it", dsn)
		}
	}
	var s *Store
	var err error
	if IsPostgres(dsn) {
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if migrate {
		err = s.migrate(ctx)
	} else {
		err = s.checkVersion(ctx)
	}
	if err != nil {
		s.db.Close()
		if s.pg {
			err = scrub(err, dsn)
		}
		return nil, fmt.Errorf("open store %s: %w", s.name, err)
	}
	return s, nil
}

// checkVersion refuses a store whose schema is not the one this krog writes.
func (s *Store) checkVersion(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case v < len(migrations):
		return fmt.Errorf("schema version %d, this krog expects %d: start krog serve of this version once to migrate it", v, len(migrations))
	case v > len(migrations):
		return fmt.Errorf("schema version %d is newer than this krog knows (%d): upgrade krog", v, len(migrations))
	}
	return nil
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open store %q: the path may not contain ? or #", path)
	}
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// One writer at a time is what SQLite allows anyway; a single connection keeps it simple and
	// avoids SQLITE_BUSY between our own connections.
	db.SetMaxOpenConns(1)
	return &Store{db: db, name: path, now: time.Now}, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	name := redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", name, scrub(err, dsn))
	}
	// A connection is checked before each use, not only after a second idle: after a database
	// restart or a network cut the pool then drops dead connections instead of failing calls on
	// them.
	db := stdlib.OpenDB(*cfg, stdlib.OptionShouldPing(func(context.Context, stdlib.ShouldPingParams) bool { return true }))
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, pg: true, name: name, now: time.Now}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: connect: %w", name, scrub(err, dsn))
	}
	return s, nil
}

// secretParams are the URL parameters of a PostgreSQL URL that carry secrets.
var secretParams = []string{"password", "sslpassword"}

// redact is a database URL without its passwords (in the user part or as parameters), for
// messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	q := u.Query()
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// scrub keeps a database URL's passwords out of an error's text.
func scrub(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil {
		return errors.New("the database URL is malformed") // it may hold a password: not quoted
	}
	var secrets []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	for _, p := range secretParams {
		secrets = append(secrets, u.Query().Get(p))
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// Name is the store's file, or its database URL without the password.
func (s *Store) Name() string { return s.name }

// Backend is "postgres" or "sqlite".
func (s *Store) Backend() string {
	if s.pg {
		return "postgres"
	}
	return "sqlite"
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// rebind turns ? placeholders into PostgreSQL's $1, $2, … (no query of ours has a ? in a literal).
func (s *Store) rebind(q string) string {
	if !s.pg || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.rebind(q), args...)
}

// migrations are applied in order, each in a transaction; the number applied is the schema
// version (SQLite: PRAGMA user_version; PostgreSQL: table krog_schema). {{id}} and {{blob}} are
// the column types the two backends spell differently.
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
		id        {{id}},
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
	`CREATE TABLE memory (
		kind    TEXT NOT NULL,
		key     TEXT NOT NULL,
		val     {{blob}} NOT NULL,
		n       BIGINT NOT NULL DEFAULT 0,
		expires BIGINT NOT NULL,
		PRIMARY KEY (kind, key)
	);
	CREATE INDEX memory_expires ON memory(expires);`,
	`CREATE TABLE installations (
		id              TEXT PRIMARY KEY,
		team_id         TEXT NOT NULL DEFAULT '',
		team_name       TEXT NOT NULL DEFAULT '',
		enterprise_id   TEXT NOT NULL DEFAULT '',
		enterprise_name TEXT NOT NULL DEFAULT '',
		org_wide        INTEGER NOT NULL DEFAULT 0,
		bot_token       {{blob}} NOT NULL,
		bot_user_id     TEXT NOT NULL DEFAULT '',
		bot_id          TEXT NOT NULL DEFAULT '',
		app_id          TEXT NOT NULL DEFAULT '',
		scopes          TEXT NOT NULL DEFAULT '',
		installer       TEXT NOT NULL DEFAULT '',
		installed_at    TEXT NOT NULL
	);
	CREATE INDEX answers_team ON answers(team, at);`,
}

// migration is migration i in the store's dialect.
func (s *Store) migration(i int) string {
	id, blob := "INTEGER PRIMARY KEY", "BLOB"
	if s.pg {
		id, blob = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	return strings.NewReplacer("{{id}}", id, "{{blob}}", blob).Replace(migrations[i])
}

func (s *Store) migrate(ctx context.Context) error {
	for {
		done, err := s.migrateOne(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next migration, if any, and reports whether there was none. On
// PostgreSQL an advisory lock held by the transaction makes replicas starting together take
// turns: the second reads the version the first wrote.
func (s *Store) migrateOne(ctx context.Context) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var v int
	if s.pg {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262021)`); err != nil {
			return false, fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS krog_schema (version INTEGER NOT NULL)`); err != nil {
			return false, fmt.Errorf("create schema table: %w", err)
		}
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM krog_schema`).Scan(&v)
	} else {
		err = tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	}
	if err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return false, fmt.Errorf("schema version %d is newer than this krog knows (%d): upgrade krog", v, len(migrations))
	}
	if v == len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, s.migration(v)); err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v+1, err)
	}
	if s.pg {
		_, err = tx.ExecContext(ctx, `DELETE FROM krog_schema; INSERT INTO krog_schema (version) VALUES (`+strconv.Itoa(v+1)+`)`)
	} else {
		_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1))
	}
	if err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate to version %d: %w", v+1, err)
	}
	return false, nil
}

// SchemaVersion is the number of migrations applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	var err error
	if s.pg {
		err = s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM krog_schema`).Scan(&v)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table: never migrated
			return 0, nil
		}
	} else {
		err = s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

const timeFormat = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}
