package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// analyzer is a store whose planner statistics can be brought up to date after a bulk
// load (PostgreSQL): its estimates rest on them.
type analyzer interface {
	Analyze(ctx context.Context) error
}

// testSearchEstimate: on a skewed data set of a few thousand resources, a total a search
// can count cheaply is exact with EstimateTotal, and one it cannot is within a factor
// of two of the truth.
func testSearchEstimate(t *testing.T, s store.Store) {
	ctx := context.Background()
	const loinc = "http://loinc.org"
	// 3,000 Observations interleaved with 300 Patients: codes 80/15/5 %, status final
	// for 70 %, the first patient the subject of 40 % of them; values 0..99.
	type obs struct {
		code, status string
		patient      int
		value        float64
	}
	var data []obs
	rng := uint64(7)
	next := func(k int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(k))
	}
	for range 3000 {
		o := obs{code: "common", status: "final", patient: next(300), value: float64(next(100))}
		switch r := next(100); {
		case r < 5:
			o.code = "rare"
		case r < 20:
			o.code = "mid"
		}
		if next(10) >= 7 {
			o.status = "amended"
		}
		if next(10) < 4 {
			o.patient = 0
		}
		data = append(data, o)
	}
	const perWrite = 300
	for start := 0; start < len(data); start += perWrite {
		err := s.Write(ctx, func(tx store.Tx) error {
			for i := start; i < start+perWrite; i++ {
				if i%10 == 0 {
					if err := putNew(ctx, tx, store.Write{Resource: store.Resource{Type: "Patient", ID: fmt.Sprintf("p%d", i/10)}}); err != nil {
						return err
					}
				}
				o := data[i]
				w := store.Write{Resource: store.Resource{Type: "Observation", ID: fmt.Sprintf("o%d", i)}, Index: store.Index{
					Tokens:     []store.TokenEntry{{Param: "code", System: loinc, Code: o.code}, {Param: "status", System: "http://hl7.org/fhir/observation-status", Code: o.status}},
					References: []store.ReferenceEntry{{Param: "subject", TargetType: "Patient", TargetID: fmt.Sprintf("p%d", o.patient)}},
					Numbers:    []store.NumberEntry{{Param: "value", Low: o.value, High: o.value, Literal: fmt.Sprint(o.value)}},
				}}
				if err := putNew(ctx, tx, w); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("load: %v", err)
		}
	}
	if a, ok := s.(analyzer); ok {
		if err := a.Analyze(ctx); err != nil {
			t.Fatalf("analyze: %v", err)
		}
	}
	count := func(pred func(obs) bool) int {
		n := 0
		for _, o := range data {
			if pred(o) {
				n++
			}
		}
		return n
	}
	status := func(c string) store.Value { return tok("http://hl7.org/fhir/observation-status", c) }
	subject0 := store.Value{TargetType: "Patient", TargetID: "p0"}
	tests := []struct {
		name    string
		clauses []store.Clause
		want    int
		exact   bool
	}{
		{"one token: cheap, exact", []store.Clause{clause("code", store.KindToken, "", tok(loinc, "rare"))},
			count(func(o obs) bool { return o.code == "rare" }), true},
		{"the type alone: over the cheap count's bound (sqlgen.CheapRows), so estimated", nil, len(data), false},
		{"token and token", []store.Clause{clause("code", store.KindToken, "", tok(loinc, "common")), clause("status", store.KindToken, "", status("final"))},
			count(func(o obs) bool { return o.code == "common" && o.status == "final" }), false},
		{"rare token and token", []store.Clause{clause("code", store.KindToken, "", tok(loinc, "rare")), clause("status", store.KindToken, "", status("amended"))},
			count(func(o obs) bool { return o.code == "rare" && o.status == "amended" }), false},
		{"a code without its system and a number", []store.Clause{clause("code", store.KindToken, "", code("mid")), clause("value", store.KindNumber, "", num("lt", 30, 30))},
			count(func(o obs) bool { return o.code == "mid" && o.value < 30 }), false},
		{"a common code without its system and a number", []store.Clause{clause("code", store.KindToken, "", code("common")), clause("value", store.KindNumber, "", num("lt", 30, 30))},
			count(func(o obs) bool { return o.code == "common" && o.value < 30 }), false},
		{"a skewed reference and a token", []store.Clause{clause("subject", store.KindReference, "", subject0), clause("code", store.KindToken, "", tok(loinc, "common"))},
			count(func(o obs) bool { return o.patient == 0 && o.code == "common" }), false},
		{"no driving clause", []store.Clause{clause("status", store.KindToken, "not", status("final")), clause("value", store.KindNumber, "", num("ge", 50, 50))},
			count(func(o obs) bool { return o.status != "final" && o.value >= 50 }), false},
	}
	for _, tc := range tests {
		q := store.Query{Type: "Observation", Clauses: tc.clauses, Count: 10, EstimateTotal: true}
		var (
			p    *store.SearchPage
			took time.Duration
		)
		// A store may leave out an estimate that overran its time budget (wall-clock
		// time, which a loaded machine eats): it must give one on one of a few tries.
		for try := 0; try < 3 && (p == nil || p.Total == -1); try++ {
			start := time.Now()
			var err error
			if p, err = s.Search(ctx, nil, q); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			took = time.Since(start)
		}
		switch {
		case tc.exact && p.Total != tc.want:
			t.Errorf("%s: total %d, want exactly %d", tc.name, p.Total, tc.want)
		case p.Total < tc.want/2 || p.Total > tc.want*2:
			t.Errorf("%s: estimate %d, want %d within a factor of 2 (%s)", tc.name, p.Total, tc.want, took)
		default:
			t.Logf("%s: estimate %d of %d (%s)", tc.name, p.Total, tc.want, took)
		}
	}
}

// putNew stores version 1 of a resource that does not exist yet.
func putNew(ctx context.Context, tx store.Tx, w store.Write) error {
	w.VersionID, w.Op, w.LastUpdated = 1, store.OpCreate, base
	w.Body = body(w.Type, w.ID, 1, "")
	return tx.Put(ctx, &w)
}
