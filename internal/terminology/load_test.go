package terminology

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Every embedded CodeSystem and ValueSet parses strictly with the generated model.
func TestEmbeddedContentParses(t *testing.T) {
	s := New()
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("indexed in %v", d)
	css, vss, err := s.Resources()
	if err != nil {
		t.Fatal(err)
	}
	if len(css) < 1100 || len(vss) < 1400 {
		t.Errorf("%d code systems and %d value sets, want the R4 and UK Core sets (1140 and 1460)", len(css), len(vss))
	}
	start := time.Now()
	for _, u := range css {
		if _, err := s.CodeSystem(u, ""); err != nil {
			t.Error(err)
		}
	}
	for _, u := range vss {
		if _, err := s.ValueSet(u); err != nil {
			t.Error(err)
		}
	}
	t.Logf("parsed all in %v", time.Since(start))
}

// Concurrent first uses of a fresh server parse each resource once, without races (run
// with -race).
func TestConcurrentFirstUse(t *testing.T) {
	s := New()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vs, c := genderVS, coding(genderCS, "male", "")
			if i%2 == 1 {
				vs, c = actEncVS, coding(actCode, "ACUTE", "")
			}
			r, err := s.ValidateCode(ctx, ValidateRequest{ValueSet: vs, Codings: []Coding{c}})
			if err != nil || r.Verdict != Valid {
				t.Errorf("%s %v: %v %v", vs, c, r, err)
			}
		}()
	}
	wg.Wait()
}
