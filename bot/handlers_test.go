package bot

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"<@U0KROG> Kaj je EPR?":                         "Kaj je EPR?",
		"R&amp;D &lt;tax&gt; relief":                    "R&D <tax> relief",
		"see <https://example.com/a_(b)|this page> now": "see this page now",
		"<https://example.com>":                         "https://example.com",
		"<mailto:ana@example.com|ana@example.com> asks": "ana@example.com asks",
		"<!here> <#C123|general> reuse of slag":         "#general reuse of slag",
		"  many\n\nspaces\t":                            "many spaces",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestCacheIsBoundedAndForgets(t *testing.T) {
	c := &clock{time.Unix(1000, 0)}
	m := newCache[string, int](3, time.Minute, c.now)
	for i, k := range []string{"a", "b", "c", "d"} {
		m.put(k, i)
	}
	if _, ok := m.get("a"); ok || m.len() != 3 {
		t.Errorf("after 4 puts into 3 places: a kept %v, len %d", ok, m.len())
	}
	m.get("b") // b is now the most recently used
	m.put("e", 4)
	if _, ok := m.get("b"); !ok {
		t.Error("the recently used entry was evicted")
	}
	if _, ok := m.get("c"); ok {
		t.Error("the least recently used entry was kept")
	}
	if !m.add("x", 1) || m.add("x", 2) {
		t.Error("add: the second delivery was not refused")
	}
	c.t = c.t.Add(2 * time.Minute)
	if _, ok := m.get("x"); ok {
		t.Error("an expired entry was returned")
	}
	if !m.add("x", 3) {
		t.Error("add after expiry was refused")
	}
	if m.len() != 1 {
		t.Errorf("expired entries are kept: len %d", m.len())
	}
}

func TestLocalMemory(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Unix(1000, 0)}
	m := newLocalMemory(c.now)
	if first, _ := m.Claim(ctx, memEvent, "E1", time.Minute); !first {
		t.Error("first claim refused")
	}
	if again, _ := m.Claim(ctx, memEvent, "E1", time.Minute); again {
		t.Error("second claim of one event taken")
	}
	if other, _ := m.Claim(ctx, memMsg, "E1", time.Minute); !other {
		t.Error("a claim of another kind with the same key refused")
	}
	m.Put(ctx, memThread, "T/C/1", []byte("q"), time.Hour)
	if v, ok, _ := m.Get(ctx, memThread, "T/C/1"); !ok || string(v) != "q" {
		t.Errorf("get = %q %v", v, ok)
	}
	for want := int64(1); want <= 3; want++ {
		if n, _ := m.Incr(ctx, memRate, "T/U", time.Minute); n != want {
			t.Errorf("count %d, want %d", n, want)
		}
	}
	c.t = c.t.Add(61 * time.Second)
	if again, _ := m.Claim(ctx, memEvent, "E1", time.Minute); !again {
		t.Error("claim after expiry refused")
	}
	if n, _ := m.Incr(ctx, memRate, "T/U", time.Minute); n != 1 {
		t.Errorf("count after the window: %d, want 1", n)
	}
	c.t = c.t.Add(time.Hour)
	if _, ok, _ := m.Get(ctx, memThread, "T/C/1"); ok {
		t.Error("an expired thread was recalled")
	}
	for i := range localMax[memAnswer] + 10 {
		m.Put(ctx, memAnswer, fmt.Sprint(i), []byte("a"), time.Hour)
	}
	if n := m.kind(memAnswer).len(); n != localMax[memAnswer] {
		t.Errorf("answers held: %d, want the bound %d", n, localMax[memAnswer])
	}
}
