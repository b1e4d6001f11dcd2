package bot

import (
	"container/list"
	"sync"
	"time"
)

// cache is a bounded map whose entries expire: at most max entries (the least recently used go
// first) and none older than ttl. The bot keeps everything it remembers in one of these, so its
// memory does not grow with traffic.
type cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // front: most recently used
	items map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key K
	val V
	at  time.Time
}

func newCache[K comparable, V any](max int, ttl time.Duration, now func() time.Time) *cache[K, V] {
	return &cache[K, V]{max: max, ttl: ttl, now: now, order: list.New(), items: map[K]*list.Element{}}
}

// get returns the value of key if it is there and fresh.
func (c *cache[K, V]) get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*entry[K, V])
	if c.now().Sub(e.at) > c.ttl {
		c.order.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.val, true
}

// put stores val under key, refreshing its age.
func (c *cache[K, V]) put(key K, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, val)
}

func (c *cache[K, V]) putLocked(key K, val V) {
	now := c.now()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry[K, V])
		e.val, e.at = val, now
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key: key, val: val, at: now})
	for c.order.Len() > c.max {
		c.evict(c.order.Back())
	}
	// Drop expired entries from the old end, so that memory follows the TTL too.
	for el := c.order.Back(); el != nil; el = c.order.Back() {
		if now.Sub(el.Value.(*entry[K, V]).at) <= c.ttl {
			break
		}
		c.evict(el)
	}
}

func (c *cache[K, V]) evict(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*entry[K, V]).key)
}

// add stores key if it is not there (or has expired) and reports whether it did: the first of
// several deliveries of one event wins.
func (c *cache[K, V]) add(key K, val V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok && c.now().Sub(el.Value.(*entry[K, V]).at) <= c.ttl {
		return false
	}
	c.putLocked(key, val)
	return true
}

// len is the number of entries held (expired ones included until they are dropped).
func (c *cache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
