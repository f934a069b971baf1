package interaction

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// paramSync is what SyncSearchParameters last saw of the stored SearchParameters.
type paramSync struct {
	mu     sync.Mutex // one sync at a time
	synced bool       // seen holds a reconciled store
	seen   spFingerprint
}

// spFingerprint changes whenever the set of current SearchParameter versions does:
// every create, update or delete stores a version with a Seq above all before it (the
// store serialises writers, of every process), which raises newest; an expunge of a
// current one without any such version lowers count.
type spFingerprint struct {
	newest int64 // Seq of the newest SearchParameter version, deletes included
	count  int   // current, non-deleted SearchParameters
}

// SyncSearchParameters makes the registry follow the store as other processes on it
// change it: it registers the active SearchParameters stored since the last sync,
// unregisters those deleted or no longer active, and makes searchable the pending
// ones whose definition a completed $reindex (of any process) recorded as indexed.
// SyncSearchParametersEvery calls it periodically; tests call it directly.
//
// A change is reconciled inside a Write of its own, reading the SearchParameters
// through the transaction, for the reason learnSearchParameters registers there: the
// registration is serialised with this process's writes (putPrepared re-extracts rows
// prepared before it), and the view read is exactly what was committed before it. A
// new version is registered pending, as learnSearchParameters does; one already
// registered in the same version is left as it is (search.Registry.Add).
//
// What this does not close: another process's $reindex may record a parameter indexed
// before this process has synced, while this process still commits versions without
// the parameter's rows; the rows of those versions are missing until a later $reindex.
// A job would have to wait for every live process to acknowledge the registration.
func (s *Service) SyncSearchParameters(ctx context.Context) error {
	s.spSync.mu.Lock()
	defer s.spSync.mu.Unlock()
	fp, err := s.spFingerprint(ctx)
	if err != nil {
		return err
	}
	if !s.spSync.synced || fp != s.spSync.seen {
		if err := s.reconcileSearchParameters(ctx); err != nil {
			return err
		}
		// fp was read before the reconcile: a change committed in between makes the
		// next sync reconcile again.
		s.spSync.seen, s.spSync.synced = fp, true
	}
	states, err := s.opt.Store.ParamStates(ctx)
	if err != nil {
		return fmt.Errorf("reading the states of stored SearchParameters: %w", err)
	}
	for _, url := range s.opt.Search.Pending() {
		if state, ok := states[url]; ok && s.opt.Search.MarkIndexed(url, state) {
			s.opt.Logger.Info("custom search parameter indexed: searchable now", "url", url)
		}
	}
	return nil
}

// SyncSearchParametersEvery calls SyncSearchParameters every interval until ctx is
// done, logging failures: a failed sync is retried at the next tick.
func (s *Service) SyncSearchParametersEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.SyncSearchParameters(ctx); err != nil && ctx.Err() == nil {
				s.opt.Logger.Warn("syncing custom search parameters with the store", "err", err)
			}
		}
	}
}

// spFingerprint reads the fingerprint of the stored SearchParameters.
func (s *Service) spFingerprint(ctx context.Context) (spFingerprint, error) {
	var fp spFingerprint
	h, err := s.opt.Store.History(ctx, nil, store.HistoryQuery{Type: "SearchParameter", Count: 1})
	if err != nil {
		return fp, fmt.Errorf("reading SearchParameter history: %w", err)
	}
	if len(h.Versions) > 0 {
		fp.newest = h.Versions[0].Seq
	}
	c, err := s.opt.Store.Search(ctx, nil, store.Query{Type: "SearchParameter", Count: -1, CountTotal: true})
	if err != nil {
		return fp, fmt.Errorf("counting SearchParameters: %w", err)
	}
	fp.count = c.Total
	return fp, nil
}

// reconcileSearchParameters registers every active stored SearchParameter (by URL, the
// newest when several share one) and unregisters the custom parameters none defines.
func (s *Service) reconcileSearchParameters(ctx context.Context) error {
	err := s.opt.Store.Write(ctx, func(tx store.Tx) error {
		var stored []*store.Resource
		after := ""
		for {
			page, err := tx.Search(ctx, store.Query{Type: "SearchParameter", Count: reindexBatch, AfterKey: after})
			if err != nil {
				return err
			}
			stored = append(stored, page.Resources...)
			if page.NextKey == "" {
				break
			}
			after = page.NextKey
		}
		type newest struct {
			seq int64
			sp  *fhir.SearchParameter
		}
		active := map[string]newest{}
		for _, v := range stored {
			for _, sp := range activeSearchParameters([]*store.Resource{v}) {
				if url := lit(sp.URL); active[url].sp == nil || active[url].seq < v.Seq {
					active[url] = newest{v.Seq, sp}
				}
			}
		}
		for url, a := range active {
			before := s.opt.Search.Definition(url)
			s.register([]*fhir.SearchParameter{a.sp})
			if d := s.opt.Search.Definition(url); d != before && d != nil && d.Custom {
				s.opt.Logger.Info("custom search parameter registered: extracted on write, searchable once indexed", "url", url, "state", d.State)
			}
		}
		for _, url := range s.opt.Search.Custom() {
			if active[url].sp == nil && s.opt.Search.Remove(url) {
				s.opt.Logger.Info("custom search parameter unregistered: its SearchParameter is deleted or not active", "url", url)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("registering stored SearchParameters: %w", err)
	}
	return nil
}
