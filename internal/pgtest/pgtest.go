// Package pgtest gives tests a real PostgreSQL server: the one KROG_TEST_POSTGRES names (CI starts
// a throwaway cluster and sets it), or else one it starts itself from Debian's postgresql binaries
// — initdb and pg_ctl in a temporary directory, on a free loopback port, as the postgres user when
// the tests run as root (initdb refuses root) — and stops when the tests end. Every caller gets a
// database of its own.
//
// A test that needs PostgreSQL fails, loudly, when no server can be had: it is never skipped.
package pgtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
)

// Env names the server URL tests use instead of starting their own, e.g.
// postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable.
const Env = "KROG_TEST_POSTGRES"

var (
	once    sync.Once
	server  string // URL of the server's postgres database
	cluster *Cluster
	failed  error
)

// Main runs a package's tests and stops the cluster they started, if any: a TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the cluster the tests started, if any; for a TestMain that does more than Main.
func Stop() {
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
}

// DSN returns the URL of a new, empty database on the test server.
func DSN(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if server = os.Getenv(Env); server != "" {
			return
		}
		cluster, failed = Start(os.TempDir())
		if failed == nil {
			server = cluster.URL("postgres")
		}
	})
	if failed != nil {
		tb.Fatalf("PostgreSQL is needed for this test and could not be started: %v\n"+
			"Install Debian's postgresql package (apt-get install postgresql) or set %s to a server's URL.", failed, Env)
	}
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	name := "krog_test_" + randHex(6)
	if err := psql(server, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// DropConnections ends every connection to dsn's database but psql's own: what a database restart
// or a network cut does to a client.
func DropConnections(tb testing.TB, dsn string) {
	tb.Helper()
	if err := psql(dsn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"); err != nil {
		tb.Fatal(err)
	}
}

// Cluster is a PostgreSQL server started from a temporary directory.
type Cluster struct {
	dir, bin string
	port     int
	asUser   []string // runuser -u postgres --, when run as root
}

// Start initialises and starts a throwaway cluster in a new directory under parent.
func Start(parent string) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "krog-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and initdb refuses root: no postgres user to run it as: %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.port = port
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if out, err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return c, nil
}

// URL is the URL of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Stop stops the cluster at once and removes its directory.
func (c *Cluster) Stop() error {
	out, err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}

func (c *Cluster) run(tool string, args ...string) ([]byte, error) {
	argv := append(append([]string{}, c.asUser...), filepath.Join(c.bin, tool))
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// binDir finds the PostgreSQL server binaries: pg_config's, or Debian's newest
// /usr/lib/postgresql/N/bin.
func binDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := string(bytes.TrimSpace(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb found (pg_config --bindir, /usr/lib/postgresql/*/bin)")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// psql runs one statement against the server at dsn with the psql client.
func psql(dsn, stmt string) error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	out, err := exec.Command(filepath.Join(bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", stmt).CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql: %v: %s", err, out)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
