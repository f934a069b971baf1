package interaction

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// ReindexJob is a $reindex running in the background: it re-extracts the index of every
// resource in scope with the current SearchParameters, without new versions. Custom
// parameters become searchable when a job that covers their base types completes, and
// the store records that they are indexed (Tx.SetParamState), so they stay searchable
// after a restart. Jobs themselves live only in the process that started them.
//
// One pass suffices although writes go on: every version committed after the job
// starts was extracted with the parameters it covers (see learnSearchParameters), and
// the pass reads, after the start, every version committed before. The pass replaces
// the rows of the version it read only if that version is still current (Tx.Reindex
// checks its Seq), so it never puts a stale body's rows over a newer version's. Other
// processes on the store write with their own registries: a job that covers pending
// parameters first waits until they have registered them (see SyncSearchParameters).
type ReindexJob struct {
	ID, Type, ResourceID string

	processed, total atomic.Int64
	done             chan struct{}
	err              error // set before done is closed
}

// Status reports the job's progress; done is true once it has finished, err its failure.
func (j *ReindexJob) Status() (processed, total int64, done bool, err error) {
	select {
	case <-j.done:
		return j.processed.Load(), j.total.Load(), true, j.err
	default:
		return j.processed.Load(), j.total.Load(), false, nil
	}
}

// Wait blocks until the job has finished and returns its error.
func (j *ReindexJob) Wait(ctx context.Context) error {
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reindexJobs are the jobs started by this process, by id.
type reindexJobs struct {
	mu   sync.Mutex
	jobs map[string]*ReindexJob
}

// reindexBatch is how many resources one write transaction reindexes.
const reindexBatch = 500

// Reindex starts $reindex for the system (typ ""), a type, or one resource (id set)
// and returns at once; Job reports progress. Administrators only.
func (s *Service) Reindex(ctx context.Context, req *Request, typ, id string) (*ReindexJob, error) {
	if !req.Admin {
		return nil, newError(http.StatusForbidden, "forbidden", "", "$reindex is for administrators")
	}
	if typ != "" && !fhir.IsResourceType(typ) {
		return nil, invalid("", "%q is not a resource type", typ)
	}
	covered := map[string]string{}
	var seq int64 // the SearchParameter version other processes must have registered
	if id == "" {
		covered = s.coveredPending(typ)
	}
	if len(covered) > 0 {
		fp, err := s.spFingerprint(ctx)
		if err != nil {
			return nil, err
		}
		seq = fp.newest
	}
	j := &ReindexJob{ID: NewID(), Type: typ, ResourceID: id, done: make(chan struct{})}
	s.jobs.mu.Lock()
	if s.jobs.jobs == nil {
		s.jobs.jobs = map[string]*ReindexJob{}
	}
	s.jobs.jobs[j.ID] = j
	s.jobs.mu.Unlock()
	base := s.base(req)
	go func() {
		// The job outlives the request that started it.
		ctx := context.WithoutCancel(ctx)
		if seq > 0 {
			j.err = s.awaitAcks(ctx, seq)
		}
		if j.err == nil {
			j.err = s.reindex(ctx, j, base)
		}
		if j.err == nil {
			j.err = s.markIndexed(ctx, covered)
		}
		if j.err != nil {
			slog.Warn("reindex failed", "job", j.ID, "type", typ, "err", j.err)
		}
		close(j.done)
	}()
	return j, nil
}

// coveredPending returns the pending custom parameters that reindexing typ ("" for all)
// indexes, by URL, with the state they are registered in now.
func (s *Service) coveredPending(typ string) map[string]string {
	out := map[string]string{}
	for _, url := range s.opt.Search.Pending() {
		d := s.opt.Search.Definition(url)
		if d != nil && (typ == "" || slices.Equal(d.Base, []string{typ})) {
			out[url] = d.State
		}
	}
	return out
}

// markIndexed records, after a job has reindexed everything, that the parameters it
// covered are indexed, and lets searches use them. A parameter changed while the job
// ran is left pending: resources the job passed before the change carry the old rows.
func (s *Service) markIndexed(ctx context.Context, covered map[string]string) error {
	for url, state := range covered {
		if d := s.opt.Search.Definition(url); d == nil || d.State != state {
			delete(covered, url)
		}
	}
	if len(covered) == 0 {
		return nil
	}
	err := s.opt.Store.Write(ctx, func(tx store.Tx) error {
		for url, state := range covered {
			if err := tx.SetParamState(ctx, url, state); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording the indexed search parameters: %w", err)
	}
	for url, state := range covered {
		s.opt.Search.MarkIndexed(url, state)
	}
	return nil
}

// Job returns the reindex job id started by this process.
func (s *Service) Job(id string) (*ReindexJob, bool) {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	j, ok := s.jobs.jobs[id]
	return j, ok
}

func (s *Service) reindex(ctx context.Context, j *ReindexJob, base string) error {
	if j.ResourceID != "" {
		j.total.Store(1)
		r, err := s.opt.Store.Read(ctx, nil, j.Type, j.ResourceID)
		if err != nil {
			return fmt.Errorf("reindex %s/%s: %w", j.Type, j.ResourceID, err)
		}
		return s.reindexPage(ctx, j, []*store.Resource{r}, base)
	}
	count, err := s.opt.Store.Search(ctx, nil, store.Query{Type: j.Type, Count: -1, CountTotal: true})
	if err != nil {
		return err
	}
	j.total.Store(int64(count.Total))
	after := ""
	for {
		page, err := s.opt.Store.Search(ctx, nil, store.Query{Type: j.Type, Count: reindexBatch, AfterKey: after})
		if err != nil {
			return err
		}
		if err := s.reindexPage(ctx, j, page.Resources, base); err != nil {
			return err
		}
		if page.NextKey == "" {
			return nil
		}
		after = page.NextKey
	}
}

func (s *Service) reindexPage(ctx context.Context, j *ReindexJob, rs []*store.Resource, base string) error {
	writes := make([]*store.Write, 0, len(rs))
	for _, v := range rs {
		if v.Deleted() {
			j.processed.Add(1)
			continue
		}
		r, err := fhir.ParseResource(v.Body)
		if err != nil {
			return fmt.Errorf("reindex %s/%s: %w", v.Type, v.ID, err)
		}
		e, err := s.opt.Extractor.Extract(r, base)
		if err != nil {
			return fmt.Errorf("reindex %s/%s: %w", v.Type, v.ID, err)
		}
		writes = append(writes, &store.Write{Resource: store.Resource{Type: v.Type, ID: v.ID, Seq: v.Seq},
			Index: e.Index, Links: e.Refs(), Compartments: e.Compartments})
	}
	err := s.opt.Store.Write(ctx, func(tx store.Tx) error {
		for _, w := range writes {
			// A resource expunged since the page was read has nothing to reindex; one
			// changed or deleted since has the rows its writer extracted, with the
			// parameters this job covers.
			if err := tx.Reindex(ctx, w); err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	j.processed.Add(int64(len(writes)))
	return nil
}

// LoadSearchParameters registers the active SearchParameter resources already in the
// store, as at start-up after a restart: they are extracted on every write again. Those
// that a completed $reindex indexed in the version now stored are searchable at once;
// the others (never indexed, changed since, or left by a job the restart interrupted)
// wait for a $reindex of their base types: Pending lists them. Call it before the
// service takes writes: these registrations are not serialised with them.
func (s *Service) LoadSearchParameters(ctx context.Context) error {
	states, err := s.opt.Store.ParamStates(ctx)
	if err != nil {
		return fmt.Errorf("loading the states of stored SearchParameters: %w", err)
	}
	err = store.Each(ctx, s.opt.Store, nil, "SearchParameter", func(r *store.Resource) error {
		s.register(activeSearchParameters([]*store.Resource{r}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("loading stored SearchParameters: %w", err)
	}
	for _, url := range s.opt.Search.Pending() {
		if state, ok := states[url]; ok {
			s.opt.Search.MarkIndexed(url, state)
		}
	}
	return nil
}

// PendingSearchParameters lists the canonical URLs of custom SearchParameters that
// searches do not use yet because no completed $reindex has covered their current
// version.
func (s *Service) PendingSearchParameters() []string { return s.opt.Search.Pending() }

// learnSearchParameters registers the active SearchParameter resources a write stored,
// so that they are extracted from now on (and searchable after $reindex). It registers
// them inside a Write of their own: the store runs transaction functions one at a time,
// so a write whose function extracted its rows before the registration commits no later
// than it, and one whose function runs after it extracts with the new parameters
// (putPrepared re-extracts rows prepared earlier). Every version committed after
// Reindex is called therefore carries the rows of every parameter the job covers, and
// the job's one pass over what was committed before reindexes the rest.
//
// The written versions are committed, whatever happens here: when the store cannot run
// the registration (it has closed), it is left to the next start-up
// (LoadSearchParameters) rather than risk a $reindex vouching for rows written without
// it.
func (s *Service) learnSearchParameters(ctx context.Context, written []*store.Resource) {
	params := activeSearchParameters(written)
	if len(params) == 0 {
		return
	}
	registered := false
	err := s.opt.Store.Write(context.WithoutCancel(ctx), func(store.Tx) error {
		s.register(params)
		registered = true
		return nil
	})
	if !registered {
		slog.Warn("custom search parameters not registered until restart", "count", len(params), "err", err)
	}
}

// activeSearchParameters returns the active SearchParameters among written.
func activeSearchParameters(written []*store.Resource) []*fhir.SearchParameter {
	var out []*fhir.SearchParameter
	for _, v := range written {
		if v.Type != "SearchParameter" || v.Deleted() {
			continue
		}
		r, err := fhir.ParseResource(v.Body)
		if err != nil {
			continue
		}
		sp := r.(*fhir.SearchParameter)
		if sp.Status == nil || sp.Status.Value == nil || *sp.Status.Value != "active" {
			continue
		}
		out = append(out, sp)
	}
	return out
}

// register adds params to the registry.
func (s *Service) register(params []*fhir.SearchParameter) {
	for _, sp := range params {
		if _, err := s.opt.Search.Add(sp); err != nil {
			slog.Warn("custom search parameter not registered", "id", lit(sp.ID), "err", err)
		}
	}
}
