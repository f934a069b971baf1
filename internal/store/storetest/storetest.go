package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/joinedup/joinedup/internal/store"
)

// Opener returns a new, empty store; it registers the store's Close with t.Cleanup.
type Opener func(t *testing.T) store.Store

// Run runs every test of the suite, each on a store of its own.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"CreateReadUpdateDelete", testCRUD},
		{"VersionConflict", testVersionConflict},
		{"FailedWriteRollsBack", testFailedWriteRollsBack},
		{"PanicInWrite", testPanicInWrite},
		{"CancelledWrite", testCancelledWrite},
		{"History", testHistory},
		{"HistoryPaging", testHistoryPaging},
		{"ConcurrentCounter", testConcurrentCounter},
		{"ConcurrentMixedOutcomes", testConcurrentMixedOutcomes},
		{"ConditionalCreateRace", testConditionalCreateRace},
		{"Search", testSearch},
		{"SearchPaging", testSearchPaging},
		{"SearchInvalid", testSearchInvalid},
		{"IndexReplacement", testIndexReplacement},
		{"AccessFilter", testAccessFilter},
		{"Expunge", testExpunge},
		{"ReferencedBy", testReferencedBy},
		{"SearchGraph", testSearchGraph},
		{"SearchHierarchy", testSearchHierarchy},
		{"SearchNear", testSearchNear},
		{"SearchSort", testSearchSort},
		{"SearchPagingConcurrent", testSearchPagingConcurrent},
		{"Reindex", testReindex},
		{"ParamStates", testParamStates},
		{"Acks", testAcks},
		{"SearchOracle", testSearchOracle},
		{"SearchEstimate", testSearchEstimate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// base is the first LastUpdated the suite writes: whole milliseconds, as the server
// assigns them.
var base = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// body renders a small resource as the store would receive it.
func body(typ, id string, version int64, extra string) []byte {
	return fmt.Appendf(nil, `{"resourceType":%q,"id":%q,"meta":{"versionId":"%d"}%s}`, typ, id, version, extra)
}

// put stores the next version of typ/id (create, update or, with op OpDelete, delete).
func put(t *testing.T, s store.Store, w store.Write) *store.Resource {
	t.Helper()
	err := s.Write(context.Background(), func(tx store.Tx) error {
		cur, err := tx.Current(context.Background(), w.Type, w.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			w.VersionID = 1
		case err != nil:
			return err
		default:
			w.VersionID = cur.VersionID + 1
		}
		if w.Op == 0 {
			w.Op = store.OpCreate
			if w.VersionID > 1 {
				w.Op = store.OpUpdate
			}
		}
		if w.Op != store.OpDelete && w.Body == nil {
			w.Body = body(w.Type, w.ID, w.VersionID, "")
		}
		if w.LastUpdated.IsZero() {
			w.LastUpdated = time.Now().UTC().Truncate(time.Millisecond)
		}
		return tx.Put(context.Background(), &w)
	})
	if err != nil {
		t.Fatalf("write %s/%s: %v", w.Type, w.ID, err)
	}
	if w.Seq <= 0 {
		t.Fatalf("write %s/%s: store assigned seq %d", w.Type, w.ID, w.Seq)
	}
	r := w.Resource
	return &r
}

func del(t *testing.T, s store.Store, typ, id string, at time.Time) *store.Resource {
	t.Helper()
	return put(t, s, store.Write{Resource: store.Resource{Type: typ, ID: id, Op: store.OpDelete, LastUpdated: at}})
}

func read(t *testing.T, s store.Store, f *store.AccessFilter, typ, id string) *store.Resource {
	t.Helper()
	r, err := s.Read(context.Background(), f, typ, id)
	if err != nil {
		t.Fatalf("read %s/%s: %v", typ, id, err)
	}
	return r
}

func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: got error %v, want ErrNotFound", what, err)
	}
}

// sameVersion compares what a read returned with what was written.
func sameVersion(t *testing.T, got, want *store.Resource) {
	t.Helper()
	if got.Type != want.Type || got.ID != want.ID || got.VersionID != want.VersionID || got.Op != want.Op ||
		got.Seq != want.Seq || !got.LastUpdated.Equal(want.LastUpdated) || string(got.Body) != string(want.Body) {
		t.Fatalf("read %s/%s: got {v%d op%d seq%d %s %q}, want {v%d op%d seq%d %s %q}", want.Type, want.ID,
			got.VersionID, got.Op, got.Seq, got.LastUpdated, got.Body,
			want.VersionID, want.Op, want.Seq, want.LastUpdated, want.Body)
	}
}

func ids(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Type + "/" + r.ID
	}
	sort.Strings(out)
	return out
}

func versions(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s/%s/%d", r.Type, r.ID, r.VersionID)
	}
	return out
}

func equal(a, b []string) bool { return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0) }
