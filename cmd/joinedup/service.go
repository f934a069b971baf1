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
	st, err := openStore(ctx, cfg, observe, logger)
	if err != nil {
		return nil, nil, err
	}
	closeStore = func() {
		if err := st.Close(); err != nil {
			logger.Error("close store", "error", err)
		}
	}
	policy := cfg.policy
	if policy == nil {
		if policy, err = newPolicy(cfg, logger); err != nil {
			closeStore()
			return nil, nil, err
		}
	}
	if err := learnStored(ctx, st, policy, logger); err != nil {
		closeStore()
		return nil, nil, err
	}
	if cfg.paramSync > maxParamSync {
		closeStore()
		return nil, nil, fmt.Errorf("--param-sync %v is above %v", cfg.paramSync, maxParamSync)
	}
	svc, err = interaction.New(interaction.Options{
		Store: st, BaseURL: strings.TrimSuffix(cfg.baseURL, "/"), ReferentialIntegrity: cfg.referentialIntegrity,
		Validate: writeHook(policy), Notify: learnHook(policy, logger), Terminology: policy.Terminology(), Logger: logger,
		FollowStore: cfg.paramSync > 0,
	})
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	if err := svc.LoadSearchParameters(ctx); err != nil {
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
