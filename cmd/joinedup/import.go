package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/internal/importer"
)

func newImportCmd() *cobra.Command {
	var (
		cfg         serveConfig
		serverURL   string
		concurrency int
		quiet       bool
	)
	cmd := &cobra.Command{
		Use:   "import [--server URL | --data DIR | --database DSN] PATH...",
		Short: "Load bundles, resources and NDJSON files or folders",
		Long: `import loads FHIR JSON: transaction bundles as transactions, batch bundles as batches,
other bundles and NDJSON files entry by entry, single resources as one write (resources with an
id are updated, others created). Folders are read recursively (*.json, *.ndjson, *.jsonl).
The target is the embedded store in --data (default ./joinedup-data), PostgreSQL with
--database, or a running FHIR server with --server. Local imports go through the same write
path as the server, with the same validation policy flags (--profiles, --require-profile,
--warn-only, --ig). Exit status 1 if anything failed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o := importer.Options{Paths: args, Concurrency: concurrency}
			if serverURL != "" {
				o.Target = importer.NewHTTP(serverURL)
			} else {
				logger, err := newLogger(cmd, "warn")
				if err != nil {
					return err
				}
				if cfg.database != "" {
					// Servers may share the database: write as one of them does.
					cfg.paramSync = defaultParamSync
				}
				svc, closeStore, err := openService(ctx, cfg, nil, logger)
				if err != nil {
					return err
				}
				defer closeStore()
				o.Target = &importer.Local{Service: svc, BaseURL: strings.TrimSuffix(cfg.baseURL, "/")}
			}
			if !quiet {
				var bar *progressbar.ProgressBar
				o.Progress = func(done, total int64) {
					if bar == nil {
						bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(os.Stderr),
							progressbar.OptionSetDescription("importing"), progressbar.OptionShowBytes(true),
							progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
					}
					bar.Set64(done)
				}
			}
			start := time.Now()
			sum, err := importer.Run(ctx, o)
			if err != nil {
				return err
			}
			if err := analyze(ctx, o.Target); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d files in %.1fs: %d created, %d updated, %d failed\n",
				sum.Files, time.Since(start).Seconds(), sum.Created, sum.Updated, sum.Failed)
			for _, f := range sum.Failures {
				fmt.Fprintf(out, "failed: %s\n", f)
			}
			if hidden := sum.Failed - len(sum.Failures); hidden > 0 && len(sum.Failures) == importer.MaxFailures {
				fmt.Fprintf(out, "... and %d more failures\n", hidden)
			}
			if sum.Failed > 0 {
				return fmt.Errorf("%d resources failed to load", sum.Failed)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&serverURL, "server", "", "FHIR base URL of a running server to load into")
	f.StringVar(&cfg.data, "data", "./joinedup-data", "data directory of the embedded store")
	f.StringVar(&cfg.database, "database", "", "PostgreSQL DSN (postgres://...) instead of the embedded store")
	f.StringVar(&cfg.baseURL, "base-url", "", "public FHIR base URL (absolute references under it count as local)")
	f.BoolVar(&cfg.referentialIntegrity, "referential-integrity", true, "refuse dangling local references")
	addPolicyFlags(cmd, &cfg)
	f.IntVar(&concurrency, "concurrency", 4, "files loaded at once")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}

// analyze brings the planner statistics of a local store that keeps them (PostgreSQL)
// up to date after the load, so that plans and estimated totals need not wait for
// autovacuum.
func analyze(ctx context.Context, target importer.Target) error {
	local, ok := target.(*importer.Local)
	if !ok {
		return nil
	}
	if a, ok := local.Service.Store().(interface{ Analyze(context.Context) error }); ok {
		return a.Analyze(ctx)
	}
	return nil
}
