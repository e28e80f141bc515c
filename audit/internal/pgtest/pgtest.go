// Package pgtest gives tests the county stores to run against: always a
// SQLite file, and a fresh PostgreSQL database when PENSIONAUDIT_TEST_PG
// names a server (the throwaway cluster .ci/with-postgres starts). When
// PENSIONAUDIT_REQUIRE_PG is set (CI), a missing server fails the test
// rather than skipping PostgreSQL.
package pgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env names the admin URL of the test server.
const Env = "PENSIONAUDIT_TEST_PG"

// Store is one database a test runs against.
type Store struct {
	Name string // "sqlite" or "postgres"
	DSN  string
}

// Stores returns a SQLite path in the test's folder and, with a server,
// a new PostgreSQL database dropped at the test's end.
func Stores(t testing.TB) []Store {
	t.Helper()
	out := []Store{{"sqlite", filepath.Join(t.TempDir(), "county.db")}}
	admin := os.Getenv(Env)
	if admin == "" {
		if os.Getenv("PENSIONAUDIT_REQUIRE_PG") != "" {
			t.Fatalf("%s is not set but PENSIONAUDIT_REQUIRE_PG is: the PostgreSQL tests would not run", Env)
		}
		t.Logf("PostgreSQL: %s not set, only SQLite (make test starts a throwaway server)", Env)
		return out
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL test server %s: %v", admin, err)
	}
	defer c.Close(ctx)
	name := fmt.Sprintf("pa_test_%d", rand.Uint64()%1e12)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	cfg, _ := pgx.ParseConfig(admin)
	dsn := strings.Replace(admin, "/"+cfg.Database, "/"+name, 1)
	if cfg.Database == "" || !strings.Contains(admin, "/"+cfg.Database) {
		t.Fatalf("%s should name a database (…/postgres)", Env)
	}
	return append(out, Store{"postgres", dsn})
}

// Named is the store of one kind, new for each call ("" when that kind is
// not available: PostgreSQL without a server).
func Named(t testing.TB, name string) string {
	t.Helper()
	for _, s := range Stores(t) {
		if s.Name == name {
			return s.DSN
		}
	}
	return ""
}

// Names are the kinds of store.
var Names = []string{"sqlite", "postgres"}
