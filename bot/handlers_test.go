package bot

import (
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

func TestLimiter(t *testing.T) {
	c := &clock{time.Unix(1000, 0)}
	l := newLimiter(3, time.Minute, c.now)
	for i := range 3 {
		if !l.allow("u") {
			t.Fatalf("question %d refused", i+1)
		}
		c.t = c.t.Add(10 * time.Second)
	}
	if l.allow("u") {
		t.Error("the fourth question within a minute was allowed")
	}
	if !l.allow("v") {
		t.Error("another user was limited")
	}
	c.t = c.t.Add(31 * time.Second) // the first question is now more than a minute old
	if !l.allow("u") {
		t.Error("the limit did not slide")
	}
	if unlimited := newLimiter(-1, time.Minute, c.now); !unlimited.allow("u") {
		t.Error("a negative limit limited")
	}
}
