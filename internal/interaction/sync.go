package interaction

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/store"
)

// paramSync is what SyncSearchParameters last saw of the stored SearchParameters.
type paramSync struct {
	mu     sync.Mutex // one sync at a time
	synced bool       // seen holds a reconciled store
	seen   spFingerprint
	// acked is when the last successful sync began: its acknowledgement (Tx.Ack) was
	// stamped later.
	acked atomic.Pointer[time.Time]
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
// Each sync runs one Write. When the stored SearchParameters changed (or this
// process's last acknowledgement is AckTimeout old, see below), it reconciles
// the registry with them, reading them through the transaction, for the reason
// learnSearchParameters registers inside one: the registration is serialised with
// this process's writes (putPrepared re-extracts rows prepared before it), and the
// view read is everything committed before it. A new version is registered pending,
// as learnSearchParameters does; one registered in the same version already is left
// as it is (search.Registry.Add). In the same transaction the process acknowledges
// (Tx.Ack) that it has registered every SearchParameter version up to the newest it
// had seen before the transaction.
//
// The acknowledgements close the $reindex race across processes. A job (Reindex) that
// covers a pending parameter first waits, inside a Write, until every process whose
// acknowledgement is younger than AckTimeout has acknowledged the newest
// SearchParameter version stored when the job was started (which is at least the
// covered parameters' versions). A process that acknowledged has registered them, so
// each version it commits afterwards carries their rows; one that did not is gone: its
// acknowledgement is older than AckTimeout, so, with FollowStore, every write it
// starts after the job's Write is refused, that Write being serialised with its writes
// and its last sync having begun before its acknowledgement was stamped, until a sync
// of its own after the job's Write: that one reconciles whatever the fingerprint it
// read before said, as its previous acknowledgement is AckTimeout old. The versions
// committed before the job's Write are those its pass reads. A process starting after
// the job's Write loads the parameters at start-up, and with FollowStore writes
// nothing before its first sync. The argument needs every process writing to the
// store to set FollowStore and one AckTimeout, and clocks whose rates agree over it.
func (s *Service) SyncSearchParameters(ctx context.Context) error {
	s.spSync.mu.Lock()
	defer s.spSync.mu.Unlock()
	began := time.Now()
	fp, err := s.spFingerprint(ctx)
	if err != nil {
		return err
	}
	reconcile := !s.spSync.synced || fp != s.spSync.seen
	err = s.opt.Store.Write(ctx, func(tx store.Tx) error {
		acks, err := tx.Acks(ctx)
		if err != nil {
			return err
		}
		live := slices.ContainsFunc(acks, func(a store.ProcessAck) bool {
			return a.Process == s.process && a.Age < s.opt.AckTimeout
		})
		// A job may have counted this process as gone, and so not waited for it to
		// register parameters stored after fp was read: reconcile with what is stored.
		if reconcile || !live {
			if err := s.reconcileSearchParameters(ctx, tx); err != nil {
				return err
			}
		}
		return tx.Ack(ctx, s.process, fp.newest)
	})
	if err != nil {
		return fmt.Errorf("registering stored SearchParameters: %w", err)
	}
	// fp was read before the Write: a change committed since makes the next sync
	// reconcile again.
	s.spSync.seen, s.spSync.synced = fp, true
	s.spSync.acked.Store(&began)
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

// checkFollowing refuses a write, with FollowStore, when the last sync began
// AckTimeout ago or more (or none has run): $reindex jobs of other processes may count
// this one as gone (see SyncSearchParameters). Call it inside the Write, before any Put.
func (s *Service) checkFollowing() error {
	if !s.opt.FollowStore {
		return nil
	}
	if at := s.spSync.acked.Load(); at == nil || time.Since(*at) >= s.opt.AckTimeout {
		return newError(http.StatusServiceUnavailable, "transient", "",
			"this server has not synchronised its search parameters with the store recently; try again")
	}
	return nil
}

// awaitAcks waits, for a $reindex job, until every other live process has acknowledged
// SearchParameter version seq (see SyncSearchParameters).
func (s *Service) awaitAcks(ctx context.Context, seq int64) error {
	for {
		behind := 0
		err := s.opt.Store.Write(ctx, func(tx store.Tx) error {
			acks, err := tx.Acks(ctx)
			if err != nil {
				return err
			}
			behind = 0
			for _, a := range acks {
				if a.Process != s.process && a.Age < s.opt.AckTimeout && a.Seq < seq {
					behind++
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("waiting for other processes to register the search parameters: %w", err)
		}
		if behind == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(ackPoll):
		}
	}
}

// ackPoll is how often a $reindex job reads the acknowledgements it waits for.
const ackPoll = 50 * time.Millisecond

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

// reconcileSearchParameters registers every active SearchParameter stored (by URL,
// the newest when several share one) and unregisters the custom parameters none
// defines, reading them through tx.
func (s *Service) reconcileSearchParameters(ctx context.Context, tx store.Tx) error {
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
}
