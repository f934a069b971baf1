package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// benchBody is a 1.5 KB resource body.
var benchBody = []byte(`{"resourceType":"Observation","id":"x","meta":{"versionId":"1"},"status":"final","text":"` +
	strings.Repeat("a", 1500-96) + `"}`)

// benchWrite is a new Observation with the index rows a typical one gets.
func benchWrite(id string) *store.Write {
	now := time.Now().UTC()
	return &store.Write{
		Resource: store.Resource{Type: "Observation", ID: id, VersionID: 1, Op: store.OpCreate, LastUpdated: now, Body: benchBody},
		Index: store.Index{
			Tokens: []store.TokenEntry{{Param: "code", System: "http://loinc.org", Code: "8867-4"},
				{Param: "status", Code: "final"}, {Param: "category", System: "http://terminology.hl7.org/CodeSystem/observation-category", Code: "vital-signs"}},
			Dates:      []store.DateEntry{{Param: "date", Low: now, High: now}},
			References: []store.ReferenceEntry{{Param: "subject", TargetType: "Patient", TargetID: "p1"}},
		},
		Links:        []store.Ref{{Type: "Patient", ID: "p1"}},
		Compartments: []store.Ref{{Type: "Patient", ID: "p1"}},
	}
}

// BenchmarkSQLiteWrite: many goroutines each Write one new resource at a time; group
// commit shares the commits.
func BenchmarkSQLiteWrite(b *testing.B) {
	s := openTemp(b, Options{})
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(32)
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("o%d", n.Add(1))
			if err := s.Write(ctx, func(tx store.Tx) error { return tx.Put(ctx, benchWrite(id)) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkSQLiteWriteBundle: four goroutines each Write 100 resources per call, as
// transaction bundles arrive.
func BenchmarkSQLiteWriteBundle(b *testing.B) {
	const per = 100
	s := openTemp(b, Options{})
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 uploaders here
	b.SetBytes(int64(len(benchBody)) * per)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			base := n.Add(per)
			err := s.Write(ctx, func(tx store.Tx) error {
				for i := range int64(per) {
					if err := tx.Put(ctx, benchWrite(fmt.Sprintf("o%d", base-i))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkRawInsertCeiling inserts the same bodies raw into one SQLite table from one
// goroutine, one transaction per 1,000 rows, with the store's durability settings: the
// ceiling the store's write path is compared against.
func BenchmarkRawInsertCeiling(b *testing.B) {
	db, err := sql.Open("sqlite", dsn(filepath.Join(b.TempDir(), "raw.db"), false))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("PRAGMA journal_mode = WAL"); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE raw (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL, body BLOB)"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	for done := 0; done < b.N; {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare("INSERT INTO raw (type, id, body) VALUES (?, ?, ?)")
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 1000 && done < b.N; i++ {
			done++
			if _, err := st.Exec("Observation", fmt.Sprintf("o%d", done), benchBody); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkRangeSearch: 5,000 Observations, one date each spread over ten years (about
// 1.4 a day), searched for a rare day, a month and a dense half. "scan" turns range
// drivers off (RangeCap < 0), so every range search scans the type in rid order, as
// before ranges were probed; "probed" is the default plan.
func BenchmarkRangeSearch(b *testing.B) {
	const n, days = 5000, 3650
	ctx := context.Background()
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func(d int) (time.Time, time.Time) {
		lo := start.AddDate(0, 0, d)
		return lo, lo.AddDate(0, 0, 1).Add(-time.Microsecond)
	}
	load := func(s *Store) {
		for first := 0; first < n; first += 500 {
			err := s.Write(ctx, func(tx store.Tx) error {
				for i := first; i < first+500; i++ {
					at := start.AddDate(0, 0, i*37%days).Add(time.Duration(i%24) * time.Hour) // 37 is prime to days: each day in turn
					w := benchWrite(fmt.Sprintf("o%d", i))
					w.Index.Dates = []store.DateEntry{{Param: "date", Low: at, High: at}}
					if err := tx.Put(ctx, w); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	date := func(prefix string, lo, hi time.Time) store.Query {
		return store.Query{Type: "Observation", Count: 50, Clauses: []store.Clause{
			{Param: "date", Kind: store.KindDate, Values: []store.Value{{Prefix: prefix, Low: lo, High: hi}}}}}
	}
	rareLo, rareHi := day(50) // Observations o100 and o3750
	monthLo := time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)
	half := start.AddDate(5, 0, 0)
	queries := []struct {
		name string
		q    store.Query
		want int // the first page's size
	}{
		{"rare day", date("eq", rareLo, rareHi), 2},
		{"month", date("eq", monthLo, monthLo.AddDate(0, 1, 0).Add(-time.Microsecond)), 42},
		{"dense half", date("lt", half, half), 50},
	}
	for _, plan := range []struct {
		name     string
		rangeCap int
	}{{"scan", -1}, {"probed", 0}} {
		s := openTemp(b, Options{RangeCap: plan.rangeCap})
		load(s)
		for _, qc := range queries {
			b.Run(plan.name+"/"+qc.name, func(b *testing.B) {
				for b.Loop() {
					p, err := s.Search(ctx, nil, qc.q)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Resources) != qc.want {
						b.Fatalf("%d matches, want %d", len(p.Resources), qc.want)
					}
				}
			})
		}
	}
}
