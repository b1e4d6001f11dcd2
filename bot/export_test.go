package bot

import (
	"context"
	"sync"
	"testing"

	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
)

var (
	idxOnce sync.Once
	idx     *index.Index
	idxErr  error
)

// TestingIndex is the index of the embedded corpus, built once per test binary (the tests of
// package bot and of package bot_test share it).
func TestingIndex(t testing.TB) *index.Index {
	t.Helper()
	idxOnce.Do(func() {
		c, probs := knowledge.Load(knowledge.Embedded())
		if err := probs.Err(); err != nil {
			idxErr = err
			return
		}
		idx, idxErr = index.Build(context.Background(), c, index.Options{})
	})
	if idxErr != nil {
		t.Fatal(idxErr)
	}
	return idx
}
