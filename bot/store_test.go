package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/krog-advisor/krog/store"
)

// queueOnStore is a feedback queue writing to a new SQLite store, and its count of drops.
func queueOnStore(t *testing.T) (*store.Store, *storeQueue, *atomic.Int32) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "krog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	drops := new(atomic.Int32)
	return st, newStoreQueue(st, slog.New(slog.DiscardHandler), func() { drops.Add(1) }), drops
}

// A vote that reaches the queue before its answer's row (written by another replica, say) waits
// for it, in place, and is then stored; the writes behind it follow in order.
func TestVoteWaitsBrieflyForItsAnswer(t *testing.T) {
	st, q, drops := queueOnStore(t)
	now := time.Now()
	q.put("vote", "late", func(ctx context.Context) error {
		return st.RecordVote(ctx, store.Vote{AnswerID: "late", Voter: "v", Value: 1, Time: now})
	})
	// A later vote by the same person, behind it in the queue: it must not be overtaken.
	q.put("vote", "late", func(ctx context.Context) error {
		return st.RecordVote(ctx, store.Vote{AnswerID: "late", Voter: "v", Value: -1, Time: now.Add(time.Second)})
	})
	// The answer arrives from another replica's queue a little later.
	time.Sleep(300 * time.Millisecond)
	if err := st.RecordAnswer(context.Background(), store.Answer{ID: "late", Time: now, Found: true}); err != nil {
		t.Fatal(err)
	}
	if err := q.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := st.Report(context.Background(), time.Time{}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Up != 0 || r.Down != 1 || drops.Load() != 0 {
		t.Errorf("after the answer arrived: 👍 %d 👎 %d, %d dropped; want the later 👎 only, none dropped", r.Up, r.Down, drops.Load())
	}
}

// A vote on an answer that never arrives is given up after storeUnknownWait, and counted.
func TestVoteOnAnswerThatNeverComesIsDropped(t *testing.T) {
	st, q, drops := queueOnStore(t)
	start := time.Now()
	q.put("vote", "never", func(ctx context.Context) error {
		return st.RecordVote(ctx, store.Vote{AnswerID: "never", Voter: "v", Value: 1, Time: start})
	})
	written := make(chan time.Duration, 1)
	q.put("answer", "other", func(ctx context.Context) error {
		written <- time.Since(start)
		return st.RecordAnswer(ctx, store.Answer{ID: "other", Time: start})
	})
	select {
	case d := <-written:
		if d > storeUnknownWait+2*time.Second {
			t.Errorf("the write behind the vote waited %v", d)
		}
	case <-time.After(storeUnknownWait + 10*time.Second):
		t.Fatal("the write behind the vote never happened")
	}
	if err := q.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if drops.Load() != 1 {
		t.Errorf("%d drops, want the one vote", drops.Load())
	}
}
