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

// A vote that reaches the queue before its answer's row (written by another replica, say) waits
// for it without holding up the writes behind it, and is then stored.
func TestVoteWaitsForItsAnswerWithoutBlocking(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "krog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var drops atomic.Int32
	q := newStoreQueue(st, slog.New(slog.DiscardHandler), func() { drops.Add(1) })
	now := time.Now()
	vote := store.Vote{AnswerID: "late", Voter: "v", Value: 1, Time: now}
	q.put("vote", "late", func(ctx context.Context) error { return st.RecordVote(ctx, vote) })
	written := make(chan time.Time, 1)
	q.put("answer", "other", func(ctx context.Context) error {
		err := st.RecordAnswer(ctx, store.Answer{ID: "other", Time: now})
		written <- time.Now()
		return err
	})
	select {
	case at := <-written:
		if d := at.Sub(now); d > 500*time.Millisecond {
			t.Errorf("the write behind the waiting vote took %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write behind the waiting vote did not happen")
	}
	// The answer the vote is about arrives (from another replica's queue).
	if err := st.RecordAnswer(context.Background(), store.Answer{ID: "late", Time: now, Found: true}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := st.Report(context.Background(), time.Time{}, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.Up == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the vote was never stored")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := q.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := drops.Load(); n != 0 {
		t.Errorf("%d writes dropped", n)
	}
}
