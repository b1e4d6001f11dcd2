package store

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/krog-advisor/krog/internal/pgtest"
)

// clock is a settable clock for the memory's expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemory(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, dsn string) {
		ctx := context.Background()
		c := &clock{t: t0}
		s.now = c.now

		t.Run("claim once until it expires", func(t *testing.T) {
			first, err := s.Claim(ctx, "event", "Ev1", time.Minute)
			if err != nil || !first {
				t.Fatalf("first claim = %v, %v; want true", first, err)
			}
			if again, err := s.Claim(ctx, "event", "Ev1", time.Minute); err != nil || again {
				t.Errorf("second claim = %v, %v; want false", again, err)
			}
			if other, err := s.Claim(ctx, "msg", "Ev1", time.Minute); err != nil || !other {
				t.Errorf("same key, other kind = %v, %v; want true", other, err)
			}
			c.add(2 * time.Minute)
			if later, err := s.Claim(ctx, "event", "Ev1", time.Minute); err != nil || !later {
				t.Errorf("claim after expiry = %v, %v; want true", later, err)
			}
		})

		t.Run("put get replace expire", func(t *testing.T) {
			if _, ok, err := s.Get(ctx, "thread", "C1/1.0"); err != nil || ok {
				t.Fatalf("get before put = %v, %v", ok, err)
			}
			if err := s.Put(ctx, "thread", "C1/1.0", []byte("first"), time.Hour); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(ctx, "thread", "C1/1.0", []byte("ščž second"), time.Hour); err != nil {
				t.Fatal(err)
			}
			v, ok, err := s.Get(ctx, "thread", "C1/1.0")
			if err != nil || !ok || string(v) != "ščž second" {
				t.Errorf("get = %q %v %v, want the second value", v, ok, err)
			}
			bin := []byte{0, 1, 2, 255, 0}
			if err := s.Put(ctx, "answer", "A1", bin, time.Hour); err != nil {
				t.Fatal(err)
			}
			if v, _, _ := s.Get(ctx, "answer", "A1"); !bytes.Equal(v, bin) {
				t.Errorf("binary value came back as %v", v)
			}
			c.add(61 * time.Minute)
			if _, ok, err := s.Get(ctx, "thread", "C1/1.0"); err != nil || ok {
				t.Errorf("get after expiry = %v, %v; want nothing", ok, err)
			}
		})

		t.Run("counter counts within its window", func(t *testing.T) {
			for i := int64(1); i <= 3; i++ {
				n, err := s.Incr(ctx, "rate", "T1/U1", time.Minute)
				if err != nil || n != i {
					t.Fatalf("count %d = %d, %v", i, n, err)
				}
			}
			c.add(30 * time.Second)
			if n, _ := s.Incr(ctx, "rate", "T1/U1", time.Minute); n != 4 {
				t.Errorf("within the window: %d, want 4", n)
			}
			c.add(31 * time.Second)
			if n, _ := s.Incr(ctx, "rate", "T1/U1", time.Minute); n != 1 {
				t.Errorf("after the window: %d, want 1 (the window does not move with each count)", n)
			}
		})

		t.Run("expired entries are swept", func(t *testing.T) {
			for i := range sweepEvery {
				if err := s.Put(ctx, "home", fmt.Sprint(i), nil, time.Second); err != nil {
					t.Fatal(err)
				}
			}
			c.add(time.Hour)
			for i := range sweepEvery {
				if _, err := s.Claim(ctx, "event", fmt.Sprint("sweep", i), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			if err := s.queryRow(ctx, `SELECT COUNT(*) FROM memory WHERE kind = 'home'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d expired entries left after %d writes", n, 2*sweepEvery)
			}
		})

		t.Run("many claimants, one winner", func(t *testing.T) {
			// Replicas are separate stores on one database (for SQLite, one file).
			stores := []*Store{s}
			for range 2 {
				o, err := Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer o.Close()
				o.now = c.now
				stores = append(stores, o)
			}
			for ev := range 20 {
				var wins atomic.Int32
				var wg sync.WaitGroup
				for i := range 9 {
					wg.Go(func() {
						ok, err := stores[i%3].Claim(ctx, "event", fmt.Sprint("race", ev), time.Minute)
						if err != nil {
							t.Error(err)
						}
						if ok {
							wins.Add(1)
						}
					})
				}
				wg.Wait()
				if wins.Load() != 1 {
					t.Fatalf("event %d claimed %d times by 9 deliveries to 3 stores, want once", ev, wins.Load())
				}
			}
		})
	})
}

func TestClosedStoreFailsCleanly(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, _ string) {
		s.Close()
		ctx := context.Background()
		if _, err := s.Claim(ctx, "event", "x", time.Minute); err == nil {
			t.Error("claim on a closed store succeeded")
		}
		if _, _, err := s.Get(ctx, "answer", "x"); err == nil {
			t.Error("get on a closed store succeeded")
		}
		if err := s.RecordAnswer(ctx, Answer{ID: "a", Time: t0}); err == nil {
			t.Error("record on a closed store succeeded")
		}
	})
}

func TestInstallations(t *testing.T) {
	backends(t, func(t *testing.T, s *Store, _ string) {
		ctx := context.Background()
		if _, ok, err := s.Installation(ctx, "T1"); err != nil || ok {
			t.Fatalf("before install: %v %v", ok, err)
		}
		in := Installation{ID: "T1", TeamID: "T1", TeamName: "Acme d.o.o.", SealedToken: []byte{1, 2, 3}, BotUserID: "U1",
			Scopes: "commands,chat:write", Installer: "U9", InstalledAt: t0}
		if err := s.SaveInstallation(ctx, in); err != nil {
			t.Fatal(err)
		}
		org := Installation{ID: "E1", EnterpriseID: "E1", EnterpriseName: "Grid", OrgWide: true, SealedToken: []byte{4}, InstalledAt: t0.Add(time.Hour)}
		if err := s.SaveInstallation(ctx, org); err != nil {
			t.Fatal(err)
		}
		in.SealedToken, in.Scopes = []byte{9, 9}, "commands,chat:write,im:history" // reinstalled with a new scope
		if err := s.SaveInstallation(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Installation(ctx, "T1")
		if err != nil || !ok || !bytes.Equal(got.SealedToken, []byte{9, 9}) || got.Scopes != in.Scopes || got.TeamName != "Acme d.o.o." || !got.InstalledAt.Equal(t0) {
			t.Errorf("after reinstall: %+v %v %v", got, ok, err)
		}
		all, err := s.Installations(ctx)
		if err != nil || len(all) != 2 || all[0].ID != "T1" || !all[1].OrgWide {
			t.Errorf("list = %+v, %v", all, err)
		}
		if gone, err := s.DeleteInstallation(ctx, "T1"); err != nil || !gone {
			t.Errorf("delete = %v %v", gone, err)
		}
		if gone, err := s.DeleteInstallation(ctx, "T1"); err != nil || gone {
			t.Errorf("second delete = %v %v, want nothing to delete", gone, err)
		}
		if _, ok, _ := s.Installation(ctx, "T1"); ok {
			t.Error("the installation is still there after delete")
		}
		if err := s.SaveInstallation(ctx, Installation{ID: "T2"}); err == nil {
			t.Error("an installation without a token was saved")
		}
	})
}

// When PostgreSQL drops krog's connections (a restart, a network cut), the next calls reconnect —
// connections are checked before use — and nothing needs restarting.
func TestPostgresConnectionLoss(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for round := range 3 {
		// Open a few connections, as a busy replica has.
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if err := s.Put(ctx, "thread", fmt.Sprint(round, i), []byte("q"), time.Hour); err != nil {
					t.Errorf("round %d: put: %v", round, err)
				}
			})
		}
		wg.Wait()
		pgtest.DropConnections(t, dsn)
		failed := 0
		for i := range 20 {
			if _, err := s.Claim(ctx, "event", fmt.Sprint("after-drop", round, i), time.Minute); err != nil {
				failed++
			}
		}
		if failed > 0 {
			t.Errorf("round %d: %d of 20 calls failed after the connections were dropped", round, failed)
		}
		if _, ok, err := s.Get(ctx, "thread", fmt.Sprint(round, 0)); err != nil || !ok {
			t.Errorf("round %d: what was remembered before the drop: %v %v", round, ok, err)
		}
	}
}
