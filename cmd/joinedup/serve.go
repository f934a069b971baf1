package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/server"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/store/postgres"
	"github.com/joinedup/joinedup/internal/store/sqlite"
	"github.com/joinedup/joinedup/internal/synth"
	"github.com/joinedup/joinedup/internal/validate"
)

// serveConfig holds the serve command's flags.
type serveConfig struct {
	addr, data, database, baseURL string
	corsOrigins                   []string
	maxBody                       int64
	adminToken                    string
	demo, referentialIntegrity    bool
	demoPatients                  int
	logLevel                      string
	shutdownTimeout               time.Duration
	// paramSync is how often the process syncs its SearchParameters with the store (0:
	// only at start-up, not following the store).
	paramSync time.Duration
	// Validation policy (see newPolicy): profile sets, Type=URL requirements, warn-only
	// types, and the policy built from them.
	profileSets, requireProfiles, warnOnly, igs []string
	policy                                      *validate.Policy
}

// defaultParamSync is how often a process syncs its SearchParameters with the store
// (interaction.Service.SyncSearchParameters); maxParamSync leaves several syncs within
// the default AckTimeout (30s), after which a process that has not synced refuses writes.
const defaultParamSync, maxParamSync = 2 * time.Second, 10 * time.Second

// demoPatients is how many synthetic patients --demo loads into an empty store.
const demoPatients = 100

func newServeCmd() *cobra.Command {
	cfg := serveConfig{demoPatients: demoPatients}
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--data DIR | --database postgres://...] [--base-url URL]",
		Short: "Run the FHIR R4 server (embedded store in ./joinedup-data, http://127.0.0.1:8080/fhir)",
		Long: `serve runs the FHIR R4 RESTful API under /fhir, with /healthz, /readyz and /metrics.
It listens on loopback only unless --addr says otherwise: there is no authentication yet.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd, cfg.logLevel)
			if err != nil {
				return err
			}
			return runServe(cmd.Context(), cfg, logger, nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&cfg.data, "data", "./joinedup-data", "data directory (or database file, e.g. a restored backup) of the embedded store")
	f.StringVar(&cfg.database, "database", "", "PostgreSQL DSN (postgres://...) instead of the embedded store")
	f.StringVar(&cfg.baseURL, "base-url", "", "public FHIR base URL for absolute URLs (default: from each request's host)")
	f.StringSliceVar(&cfg.corsOrigins, "cors-origin", nil, `browser origins allowed to call the API ("*" for any)`)
	f.Int64Var(&cfg.maxBody, "max-body", server.DefaultMaxBody, "request body limit in bytes")
	f.StringVar(&cfg.adminToken, "admin-token", os.Getenv("JOINEDUP_ADMIN_TOKEN"), "bearer token enabling $expunge (env JOINEDUP_ADMIN_TOKEN)")
	f.BoolVar(&cfg.demo, "demo", false, fmt.Sprintf("load %d synthetic UK patients when the store is empty", demoPatients))
	f.BoolVar(&cfg.referentialIntegrity, "referential-integrity", true, "refuse dangling local references and deletes of referenced resources")
	f.StringVar(&cfg.logLevel, "log-level", "info", "debug, info, warn or error")
	f.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long shutdown waits for requests in flight")
	f.DurationVar(&cfg.paramSync, "param-sync", defaultParamSync, fmt.Sprintf(
		"how often to pick up the custom SearchParameters and $reindex results other server processes on the same database stored, and tell them so (at most %v; 0: only at start-up, for a store no other process writes to)", maxParamSync))
	addPolicyFlags(cmd, &cfg)
	return cmd
}

func newLogger(cmd *cobra.Command, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: l})), nil
}

// runServe serves until ctx is done, then shuts down gracefully: requests in flight
// (writes included) finish, then the store closes. ready, when set, is told the
// address once the server listens.
func runServe(ctx context.Context, cfg serveConfig, logger *slog.Logger, ready func(addr string)) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := server.NewMetrics(reg)
	if err != nil {
		return err
	}
	if cfg.policy, err = newPolicy(cfg, logger); err != nil {
		return err
	}
	svc, closeStore, err := openService(ctx, cfg, metrics.StoreObserver(), logger)
	if err != nil {
		return err
	}
	defer closeStore()
	st := svc.Store()
	srv, err := server.New(server.Config{
		Service: svc, BaseURL: cfg.baseURL, CORSOrigins: cfg.corsOrigins, MaxBody: cfg.maxBody,
		AdminToken: cfg.adminToken, Ready: st.Ping, Registerer: reg, Gatherer: reg, Metrics: metrics,
		Logger: logger, Version: version(), Policy: cfg.policy,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if !loopback(ln.Addr()) {
		logger.Warn("listening beyond loopback: joinedup has no authentication yet, anyone who can reach this address can read and write every record",
			"addr", ln.Addr().String())
	}
	if cfg.demo {
		base := cfg.baseURL
		if base == "" {
			base = "http://" + ln.Addr().String() + "/fhir"
		}
		if err := loadDemo(ctx, svc, base, cfg.demoPatients, logger); err != nil {
			ln.Close()
			return err
		}
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	logger.Info("serving", "fhir", "http://"+ln.Addr().String()+"/fhir", "store", storeName(cfg))
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// openStore opens PostgreSQL for --database, else the embedded store in --data.
func openStore(ctx context.Context, cfg serveConfig, observe store.Observer, logger *slog.Logger) (store.Store, error) {
	if cfg.database != "" {
		st, err := postgres.Open(ctx, cfg.database, postgres.Options{Observe: observe, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		return st, nil
	}
	st, err := sqlite.Open(cfg.data, sqlite.Options{Observe: observe, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	return st, nil
}

func storeName(cfg serveConfig) string {
	if cfg.database != "" {
		return "postgres"
	}
	return "sqlite " + cfg.data
}

func loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// loadDemo loads n synthetic patients through the transaction path when the store holds
// nothing yet.
func loadDemo(ctx context.Context, svc *interaction.Service, base string, n int, logger *slog.Logger) error {
	page, err := svc.Store().History(ctx, nil, store.HistoryQuery{Count: 1})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(page.Versions) > 0 {
		logger.Info("demo: the store is not empty; nothing loaded")
		return nil
	}
	start, resources := time.Now(), 0
	req := &interaction.Request{BaseURL: base}
	err = synth.Generate(ctx, synth.Options{Patients: n, Seed: 1}, func(b synth.PatientBundle) error {
		if _, err := svc.Bundle(ctx, req, b.JSON); err != nil {
			return fmt.Errorf("demo patient %s: %w", b.ID, err)
		}
		resources += b.Resources
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	logger.Info("demo: loaded synthetic patients", "patients", n, "resources", resources,
		"duration_ms", time.Since(start).Milliseconds())
	return nil
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Version
	}
	return ""
}
