package interaction

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHistoryAt: _at keeps, for each resource, the version current at that instant.
func TestHistoryAt(t *testing.T) {
	svc := newTestService(t)
	clock := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
	svc.opt.Now = func() time.Time { return clock }
	v := mustCreate(t, svc, "Patient", `{"resourceType":"Patient"}`)
	clock = clock.Add(time.Hour)
	if _, err := svc.Update(bg, anyone, "Patient", v.ID, []byte(`{"resourceType":"Patient","id":"`+v.ID+`","active":true}`), UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		at       string
		versions []string
	}{
		{"2024-05-06T10:30:00Z", []string{`"versionId":"1"`}},
		{"2024-05-06T11:30:00Z", []string{`"versionId":"2"`}},
		{"2024-05-06T09:00:00Z", nil},
	}
	for _, c := range cases {
		b, err := svc.History(bg, anyone, "Patient", v.ID, url.Values{"_at": {c.at}})
		if err != nil {
			t.Fatalf("_at=%s: %v", c.at, err)
		}
		if n := strings.Count(string(b), `"fullUrl"`); n != len(c.versions) {
			t.Errorf("_at=%s: %d entries, want %d: %s", c.at, n, len(c.versions), b)
		}
		for _, want := range c.versions {
			if !strings.Contains(string(b), want) {
				t.Errorf("_at=%s: no %s in %s", c.at, want, b)
			}
		}
	}
}
