package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The bot's memory: short-lived entries that expire, named by a kind ("event", "thread",
// "answer", …) and a key. On PostgreSQL every replica sees the same memory, which is what lets
// them act as one: the first replica to claim an event answers it, a button made by one works on
// another, a follow-up is read with the question another replica answered. Expired entries are
// ignored when read and swept from time to time.

// sweepEvery is how many memory writes pass between two sweeps of expired entries.
const sweepEvery = 1000

func (s *Store) millis(t time.Time) int64 { return t.UnixMilli() }

// Claim records kind/key for ttl unless it is there and unexpired, and reports whether this call
// recorded it: of several deliveries of one event, to one replica or to several, exactly one
// claims it.
func (s *Store) Claim(ctx context.Context, kind, key string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.exec(ctx, `INSERT INTO memory (kind, key, val, n, expires) VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (kind, key) DO UPDATE SET val = excluded.val, n = 0, expires = excluded.expires
		WHERE memory.expires <= ?`,
		kind, key, []byte{}, s.millis(now.Add(ttl)), s.millis(now))
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", kind, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", kind, err)
	}
	s.swept(ctx)
	return n == 1, nil
}

// Put stores val under kind/key for ttl, replacing what was there.
func (s *Store) Put(ctx context.Context, kind, key string, val []byte, ttl time.Duration) error {
	if val == nil {
		val = []byte{}
	}
	_, err := s.exec(ctx, `INSERT INTO memory (kind, key, val, n, expires) VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (kind, key) DO UPDATE SET val = excluded.val, n = 0, expires = excluded.expires`,
		kind, key, val, s.millis(s.now().Add(ttl)))
	if err != nil {
		return fmt.Errorf("remember %s: %w", kind, err)
	}
	s.swept(ctx)
	return nil
}

// Get returns what is stored under kind/key, and false if nothing is or it has expired.
func (s *Store) Get(ctx context.Context, kind, key string) ([]byte, bool, error) {
	var val []byte
	err := s.queryRow(ctx, `SELECT val FROM memory WHERE kind = ? AND key = ? AND expires > ?`, kind, key, s.millis(s.now())).Scan(&val)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("recall %s: %w", kind, err)
	}
	return val, true, nil
}

// Incr adds one to the counter kind/key and returns its new value; a counter lives ttl from its
// first count, then starts again at one.
func (s *Store) Incr(ctx context.Context, kind, key string, ttl time.Duration) (int64, error) {
	now := s.millis(s.now())
	var n int64
	err := s.queryRow(ctx, `INSERT INTO memory (kind, key, val, n, expires) VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (kind, key) DO UPDATE SET
			n = CASE WHEN memory.expires <= ? THEN 1 ELSE memory.n + 1 END,
			expires = CASE WHEN memory.expires <= ? THEN excluded.expires ELSE memory.expires END
		RETURNING n`,
		kind, key, []byte{}, now+ttl.Milliseconds(), now, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", kind, err)
	}
	s.swept(ctx)
	return n, nil
}

// swept deletes expired entries every sweepEvery writes; a failure only leaves them for the next.
func (s *Store) swept(ctx context.Context) {
	if s.writes.Add(1)%sweepEvery != 0 {
		return
	}
	s.exec(ctx, `DELETE FROM memory WHERE expires <= ?`, s.millis(s.now()))
}
