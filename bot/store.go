package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/krog-advisor/krog/store"
)

// Bounds of the feedback queue.
const (
	storeQueueMax = 10_000          // writes waiting; beyond this they are dropped (and counted)
	storeRetryMax = 2 * time.Minute // how long one write is retried
	storeBackoff0 = 50 * time.Millisecond
	storeBackoffN = 5 * time.Second
	// storeUnknownWait bounds how long a vote or comment waits for the answer it is about to be
	// recorded (by another replica); the writes behind it wait as long.
	storeUnknownWait = 3 * time.Second
)

// storeQueue writes feedback in the background, one write at a time and in order, retrying a
// failed write with backoff: an answer never waits for the store, and a database locked for a
// while loses nothing. What is finally given up is counted and logged with its answer id.
type storeQueue struct {
	rec     Recorder
	log     *slog.Logger
	jobs    chan storeJob
	done    chan struct{}
	stop    context.Context // cancelled when the queue must give up (shutdown budget spent)
	cancel  context.CancelFunc
	dropped atomic.Int64
	onDrop  func()
	mu      sync.Mutex // guards closed against a put racing close
	closed  bool
}

type storeJob struct {
	what, id string
	write    func(ctx context.Context) error
}

func newStoreQueue(rec Recorder, log *slog.Logger, onDrop func()) *storeQueue {
	q := &storeQueue{rec: rec, log: log, onDrop: onDrop, jobs: make(chan storeJob, storeQueueMax), done: make(chan struct{})}
	q.stop, q.cancel = context.WithCancel(context.Background())
	go q.run()
	return q
}

// put queues a write; it never blocks.
func (q *storeQueue) put(what, id string, write func(ctx context.Context) error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		q.drop(what, id, errors.New("shutting down"))
		return
	}
	select {
	case q.jobs <- storeJob{what, id, write}:
	default:
		q.drop(what, id, errors.New("queue full"))
	}
}

func (q *storeQueue) drop(what, id string, err error) {
	q.dropped.Add(1)
	q.onDrop()
	q.log.Error("feedback not stored", "what", what, "answer_id", id, "err", err, "dropped_total", q.dropped.Load())
}

func (q *storeQueue) run() {
	defer close(q.done)
	for j := range q.jobs {
		q.do(j)
	}
}

// do writes one job, retrying with doubling backoff for storeRetryMax.
func (q *storeQueue) do(j storeJob) {
	start := time.Now()
	deadline := start.Add(storeRetryMax)
	wait := storeBackoff0
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(q.stop, 10*time.Second)
		err := j.write(ctx)
		cancel()
		if err == nil {
			if attempt > 1 {
				q.log.Info("feedback stored after retries", "what", j.what, "answer_id", j.id, "attempts", attempt)
			}
			return
		}
		// A vote is taken only on an answer the bot's memory holds, but the answer's own row may
		// still be in another replica's queue (written within milliseconds as a rule): it is
		// waited for, in place so that writes stay in order, for storeUnknownWait at most.
		unknown := errors.Is(err, store.ErrUnknownAnswer)
		if (unknown && time.Since(start)+wait > storeUnknownWait) || time.Now().Add(wait).After(deadline) || q.stop.Err() != nil {
			q.drop(j.what, j.id, err)
			return
		}
		if attempt == 1 && !unknown {
			q.log.Warn("feedback store busy, retrying", "what", j.what, "answer_id", j.id, "err", err)
		}
		select {
		case <-time.After(wait):
		case <-q.stop.Done():
		}
		wait = min(2*wait, storeBackoffN)
	}
}

// close stops taking writes and waits until the queued ones are written or ctx is done; then the
// rest are dropped (and counted).
func (q *storeQueue) close(ctx context.Context) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.jobs)
	q.mu.Unlock()
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		q.cancel()
		<-q.done
		return ctx.Err()
	}
}
