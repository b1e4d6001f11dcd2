package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/krog-advisor/krog/answer"
	"github.com/krog-advisor/krog/index"
	"github.com/krog-advisor/krog/knowledge"
	"github.com/krog-advisor/krog/metrics"
)

// reloadDebounce is how long the knowledge directory must be quiet before a change is loaded: an
// editor's save, or a git checkout, is many events.
const reloadDebounce = 500 * time.Millisecond

// oldIndexGrace is how long a replaced index stays open for the answers that started on it.
const oldIndexGrace = time.Minute

// reloader keeps the knowledge answering in step with a directory: on a change (debounced) or on
// SIGHUP it lints the directory; with errors it keeps the current index, logs each problem and
// tells the admin channel; otherwise it builds the new index beside the old one and swaps it in.
type reloader struct {
	dir    string
	svc    *answer.Service
	m      *metrics.Metrics
	log    *slog.Logger
	notify func(ctx context.Context, text string) // the admin channel; nil: none

	mu     sync.Mutex // one reload at a time
	loaded time.Time
}

// loadedAt is when the knowledge answering now was loaded.
func (r *reloader) loadedAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loaded
}

// reload loads the directory once; it reports whether the index was replaced. A panic while
// loading (a bug, or a file nobody foresaw) keeps the working index, like a lint error.
func (r *reloader) reload(ctx context.Context, why string) (swapped bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("knowledge not reloaded: panic", "panic", fmt.Sprint(p))
			r.m.Reload("build_failed")
			swapped = false
		}
	}()
	c, probs := knowledge.Load(os.DirFS(r.dir))
	if probs.Errors() > 0 {
		var lines []string
		for _, p := range probs {
			if !p.Warning {
				r.log.Error("knowledge not reloaded", "problem", p.String())
				lines = append(lines, p.String())
			}
		}
		r.m.Reload("lint_failed")
		if r.notify != nil {
			r.notify(ctx, fmt.Sprintf("krog kept its current knowledge: %s has %d errors\n%s", r.dir, len(lines), strings.Join(lines, "\n")))
		}
		return false
	}
	if c.Version == r.svc.Index().Corpus().Version {
		r.log.Debug("knowledge unchanged", "why", why, "version", c.Version)
		return false
	}
	began := time.Now()
	idx, err := index.Build(ctx, c, index.Options{})
	if err != nil {
		r.log.Error("knowledge not reloaded: build failed", "err", err)
		r.m.Reload("build_failed")
		return false
	}
	old := r.svc.SetIndex(idx)
	r.loaded = time.Now()
	r.m.Knowledge(c.Version, len(c.Docs), idx.Len(), time.Since(began), r.loaded)
	r.m.Reload("ok")
	r.log.Info("knowledge reloaded", "why", why, "version", c.Version, "documents", len(c.Docs), "passages", idx.Len(), "took_ms", time.Since(began).Milliseconds())
	time.AfterFunc(oldIndexGrace, func() { old.Close() })
	return true
}

// watch reloads on changes under the directory and on hup (SIGHUP) until ctx is done.
func (r *reloader) watch(ctx context.Context, hup <-chan os.Signal) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", r.dir, err)
	}
	defer w.Close()
	add := func() {
		filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				if err := w.Add(p); err != nil {
					r.log.Warn("cannot watch", "dir", p, "err", err)
				}
			}
			return nil
		})
	}
	add()
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			r.reload(ctx, "SIGHUP")
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				add() // a new folder (guides/, docs/xx/) is watched too
			}
			if timer != nil {
				timer.Stop()
			}
			timer = time.AfterFunc(reloadDebounce, func() {
				select {
				case fire <- struct{}{}:
				default:
				}
			})
		case <-fire:
			r.reload(ctx, "change")
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("watching the knowledge directory", "err", err)
		}
	}
}
