package bot

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"sync"
	"time"
)

// Memory is what the bot remembers between requests, each entry for a while: which events and
// messages it has taken (Slack delivers some twice, and retries), the threads it is part of, the
// answers and guide results behind its buttons, and how many questions each user asked this
// minute. *store.Store is the shared one: on PostgreSQL several replicas remember as one. Without
// one, the bot remembers in its own process (localMemory).
type Memory interface {
	// Claim records kind/key for ttl unless it is there, and reports whether this call did.
	Claim(ctx context.Context, kind, key string, ttl time.Duration) (bool, error)
	Put(ctx context.Context, kind, key string, val []byte, ttl time.Duration) error
	Get(ctx context.Context, kind, key string) ([]byte, bool, error)
	// Incr counts kind/key and returns the count within ttl of the first.
	Incr(ctx context.Context, kind, key string, ttl time.Duration) (int64, error)
}

// Kinds of memory, with how long each is kept.
const (
	memEvent  = "event"  // event_id: Slack retries after 1 and 5 minutes
	memMsg    = "msg"    // a message that came as app_mention and as message
	memThread = "thread" // a thread krog is part of, or a DM's last question
	memAnswer = "answer" // an answer the buttons under it refer to
	memCheck  = "check"  // a completed guide check its buttons refer to
	memAssist = "assist" // an assistant thread
	memRate   = "rate"   // questions a user asked in the current minute

	dedupTTL  = 15 * time.Minute
	threadTTL = 24 * time.Hour
	answerTTL = 24 * time.Hour
)

// memTimeout bounds one memory call: a store that hangs must not hold an answer for long.
const memTimeout = 5 * time.Second

// claim reports whether this delivery is the first of kind/key. If the memory cannot be reached
// the bot answers anyway: a rare second answer is better than none.
func (b *Bot) claim(ctx context.Context, kind, key string, ttl time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, memTimeout)
	defer cancel()
	first, err := b.mem.Claim(ctx, kind, key, ttl)
	if err != nil {
		b.log.Error("memory unavailable: taking the request without deduplication", "kind", kind, "err", err)
		return true
	}
	return first
}

// keep remembers v (gob-encoded) under kind/key; a failure is logged: what depends on it (a
// button, a follow-up) will say it has expired.
func (b *Bot) keep(ctx context.Context, kind, key string, v any, ttl time.Duration) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		b.log.Error("memory: cannot encode", "kind", kind, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, memTimeout)
	defer cancel()
	if err := b.mem.Put(ctx, kind, key, buf.Bytes(), ttl); err != nil {
		b.log.Error("memory unavailable: not remembered", "kind", kind, "err", err)
	}
}

// recall reads kind/key into v and reports whether it was there. An error means the memory could
// not be reached: the caller apologises rather than pretend the entry expired.
func (b *Bot) recall(ctx context.Context, kind, key string, v any) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, memTimeout)
	defer cancel()
	data, ok, err := b.mem.Get(ctx, kind, key)
	if err != nil {
		return false, fmt.Errorf("recall %s: %w", kind, err)
	}
	if !ok {
		return false, nil
	}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		// Written by another version of krog, say: as good as gone.
		b.log.Warn("memory: cannot decode, ignored", "kind", kind, "err", err)
		return false, nil
	}
	return true, nil
}

// recallOr is recall for what only improves an answer (a thread's earlier question): an error is
// logged and read as "nothing remembered".
func (b *Bot) recallOr(ctx context.Context, kind, key string, v any) bool {
	ok, err := b.recall(ctx, kind, key, v)
	if err != nil {
		b.log.Error("memory unavailable: answering without it", "kind", kind, "err", err)
	}
	return ok
}

// localMemory is Memory in this process: bounded caches, one per kind, whose entries expire.
type localMemory struct {
	now   func() time.Time
	mu    sync.Mutex
	kinds map[string]*cache[string, *localEntry]
}

type localEntry struct {
	val     []byte
	n       int64
	expires time.Time
}

// localMax bounds each kind's entries (the least recently used go first).
var localMax = map[string]int{memAnswer: 2000, memCheck: 2000, memEvent: 20000, memMsg: 20000}

const localMaxDefault = 10000

func newLocalMemory(now func() time.Time) *localMemory {
	return &localMemory{now: now, kinds: map[string]*cache[string, *localEntry]{}}
}

func (m *localMemory) kind(k string) *cache[string, *localEntry] {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.kinds[k]
	if !ok {
		n := localMax[k]
		if n == 0 {
			n = localMaxDefault
		}
		// The cache's own age limit is only a backstop: each entry carries its expiry.
		c = newCache[string, *localEntry](n, 48*time.Hour, m.now)
		m.kinds[k] = c
	}
	return c
}

func (m *localMemory) fresh(c *cache[string, *localEntry], key string) (*localEntry, bool) {
	e, ok := c.get(key)
	if !ok || !m.now().Before(e.expires) {
		return nil, false
	}
	return e, true
}

func (m *localMemory) Claim(_ context.Context, kind, key string, ttl time.Duration) (bool, error) {
	c := m.kind(kind)
	c.mu.Lock() // claim is a read and a write that must not interleave with another claim
	defer c.mu.Unlock()
	now := m.now()
	if el, ok := c.items[key]; ok && now.Before(el.Value.(*entry[string, *localEntry]).val.expires) {
		return false, nil
	}
	c.putLocked(key, &localEntry{expires: now.Add(ttl)})
	return true, nil
}

func (m *localMemory) Put(_ context.Context, kind, key string, val []byte, ttl time.Duration) error {
	m.kind(kind).put(key, &localEntry{val: bytes.Clone(val), expires: m.now().Add(ttl)})
	return nil
}

func (m *localMemory) Get(_ context.Context, kind, key string) ([]byte, bool, error) {
	e, ok := m.fresh(m.kind(kind), key)
	if !ok {
		return nil, false, nil
	}
	return e.val, true, nil
}

func (m *localMemory) Incr(_ context.Context, kind, key string, ttl time.Duration) (int64, error) {
	c := m.kind(kind)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := m.now()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry[string, *localEntry]).val
		if now.Before(e.expires) {
			e.n++
			return e.n, nil
		}
	}
	c.putLocked(key, &localEntry{n: 1, expires: now.Add(ttl)})
	return 1, nil
}
