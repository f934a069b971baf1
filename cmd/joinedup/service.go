package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/store"
)

// openService opens the configured store and the interaction service over it: the one
// write path that serve, import and --demo all use, so each gets the same validation,
// indexing and referential integrity. With cfg.paramSync the service follows the store
// (interaction.Options.FollowStore), synced now and then every cfg.paramSync, so that
// processes sharing a database agree on custom SearchParameters. closeStore stops the
// syncing and closes the store, logging any error.
func openService(ctx context.Context, cfg serveConfig, observe store.Observer, logger *slog.Logger) (svc *interaction.Service, closeStore func(), err error) {
	if cfg.paramSync > maxParamSync {
		return nil, nil, fmt.Errorf("--param-sync %v is above %v", cfg.paramSync, maxParamSync)
	}
	st, err := openStore(ctx, cfg, observe, logger)
	if err != nil {
		return nil, nil, err
	}
	closeStore = func() {
		if err := st.Close(); err != nil {
			logger.Error("close store", "error", err)
		}
	}
	if svc, err = newService(ctx, st, cfg, logger); err != nil {
		closeStore()
		return nil, nil, err
	}
	if cfg.paramSync > 0 {
		if err := svc.SyncSearchParameters(ctx); err != nil {
			closeStore()
			return nil, nil, err
		}
		sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		synced := make(chan struct{})
		go func() {
			defer close(synced)
			svc.SyncSearchParametersEvery(sctx, cfg.paramSync)
		}()
		closeAll := closeStore
		closeStore = func() {
			stop()
			<-synced
			closeAll()
		}
	}
	if pending := svc.PendingSearchParameters(); len(pending) > 0 {
		logger.Warn("custom search parameters are extracted on write but not searched until $reindex runs", "search_parameters", pending)
	}
	return svc, closeStore, nil
}

// newService builds the interaction service over an open store: the validation policy
// (cfg.policy, or one built from the flags) with the conformance resources already
// stored, the hooks that keep it in step with later writes, deletes and expunges, and
// the custom SearchParameters stored. With cfg.paramSync it follows the store; the
// caller then syncs it (openService).
func newService(ctx context.Context, st store.Store, cfg serveConfig, logger *slog.Logger) (*interaction.Service, error) {
	policy := cfg.policy
	if policy == nil {
		var err error
		if policy, err = newPolicy(cfg, logger); err != nil {
			return nil, err
		}
	}
	if err := learnStored(ctx, st, policy, logger); err != nil {
		return nil, err
	}
	svc, err := interaction.New(interaction.Options{
		Store: st, BaseURL: strings.TrimSuffix(cfg.baseURL, "/"), ReferentialIntegrity: cfg.referentialIntegrity,
		Validate: writeHook(policy), Notify: learnHook(policy, logger), Expunged: forgetHook(policy),
		Terminology: policy.Terminology(), Logger: logger, FollowStore: cfg.paramSync > 0,
	})
	if err != nil {
		return nil, err
	}
	if err := svc.LoadSearchParameters(ctx); err != nil {
		return nil, err
	}
	return svc, nil
}
