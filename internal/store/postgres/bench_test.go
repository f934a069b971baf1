package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/joinedup/joinedup/internal/store"
)

var benchBody = []byte(`{"resourceType":"Observation","id":"x","meta":{"versionId":"1"},"status":"final","text":"` +
	strings.Repeat("a", 1500-96) + `"}`)

// benchWrite matches the SQLite benchmark's resource and index rows.
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

func BenchmarkPostgresWrite(b *testing.B) {
	dsn := testDSN(b)
	s := openSchema(b, dsn, freshSchema(b, dsn))
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

// BenchmarkPostgresWriteBundle: four goroutines each Write 100 resources per call.
func BenchmarkPostgresWriteBundle(b *testing.B) {
	const per = 100
	dsn := testDSN(b)
	s := openSchema(b, dsn, freshSchema(b, dsn))
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(2)
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

// BenchmarkPostgresRawInsertCeiling copies the same bodies raw into one table from one
// connection, one transaction per 1,000 rows.
func BenchmarkPostgresRawInsertCeiling(b *testing.B) {
	dsn := testDSN(b)
	schema := freshSchema(b, dsn)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	table := pgx.Identifier{schema, "raw"}
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()+"; CREATE TABLE "+table.Sanitize()+
		" (seq bigserial PRIMARY KEY, type text NOT NULL, id text NOT NULL, body bytea)"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	for done := 0; done < b.N; {
		rows := make([][]any, 0, 1000)
		for i := 0; i < 1000 && done < b.N; i++ {
			done++
			rows = append(rows, []any{"Observation", fmt.Sprintf("o%d", done), benchBody})
		}
		err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			_, err := tx.CopyFrom(ctx, table, []string{"type", "id", "body"}, pgx.CopyFromRows(rows))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}
