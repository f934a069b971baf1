package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/internal/loadtest"
)

// newBenchCmd is the load driver behind the figures quoted in the issues.
func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load driver: measure ingest and read throughput of a running FHIR server",
	}
	cmd.AddCommand(newBenchIngestCmd(), newBenchReadCmd(), newBenchCeilingCmd(), newBenchSearchCmd())
	return cmd
}

func newBenchIngestCmd() *cobra.Command {
	var (
		o       loadtest.IngestOptions
		pid     int
		asJSON  bool
		noProgr bool
	)
	cmd := &cobra.Command{
		Use:   "ingest [--server URL] [--passes N] [--concurrency N] PATH...",
		Short: "POST transaction/batch bundles (files or folders) with concurrent uploaders",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			if !noProgr {
				var bar *progressbar.ProgressBar
				o.Progress = func(done, total int) {
					if bar == nil {
						bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
							progressbar.OptionSetDescription("resources"), progressbar.OptionShowCount(),
							progressbar.OptionThrottle(100*time.Millisecond))
					}
					bar.Set(done)
				}
			}
			res, err := loadtest.Ingest(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(os.Stderr)
			out := map[string]any{
				"bundles": res.Bundles, "failedBundles": res.FailedBundles, "resources": res.Resources,
				"seconds": res.Elapsed.Seconds(), "resourcesPerSecond": res.ResourcesPerSecond(),
				"bundleLatency": res.PerBundle.String(), "errors": res.Errors,
			}
			if pid > 0 {
				if rss, err := loadtest.PeakRSS(pid); err == nil {
					out["serverPeakRSSMiB"] = float64(rss) / (1 << 20)
				}
			}
			if asJSON {
				return json.NewEncoder(os.Stdout).Encode(out)
			}
			fmt.Printf("ingest: %d resources in %d bundles (%d failed) in %.2fs: %.0f resources/s\n",
				res.Resources, res.Bundles, res.FailedBundles, res.Elapsed.Seconds(), res.ResourcesPerSecond())
			fmt.Printf("per bundle: %s\n", res.PerBundle)
			if v, ok := out["serverPeakRSSMiB"]; ok {
				fmt.Printf("server peak RSS: %.0f MiB\n", v)
			}
			for _, e := range res.Errors {
				fmt.Printf("error: %s\n", e)
			}
			if res.FailedBundles > 0 {
				return fmt.Errorf("%d bundles failed", res.FailedBundles)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.BaseURL, "server", "http://127.0.0.1:8080/fhir", "FHIR base URL")
	cmd.Flags().IntVar(&o.Passes, "passes", 1, "post every bundle this many times")
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", 4, "concurrent uploaders")
	cmd.Flags().IntVar(&pid, "server-pid", 0, "report this local process's peak RSS (VmHWM) after the run")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().BoolVar(&noProgr, "quiet", false, "no progress bar")
	return cmd
}

func newBenchReadCmd() *cobra.Command {
	var (
		o      loadtest.ReadOptions
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "read [--server URL] [--connections N] [--duration D] [--seed N]",
		Short: "Create patients, then read them by id over many connections",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := loadtest.Read(cmd.Context(), o)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(os.Stdout).Encode(map[string]any{
					"requests": res.Requests, "failed": res.Failed, "seconds": res.Elapsed.Seconds(),
					"requestsPerSecond": res.RequestsPerSecond(),
					"p50ms":             ms(res.Latency.P50), "p95ms": ms(res.Latency.P95), "p99ms": ms(res.Latency.P99),
				})
			}
			fmt.Printf("read: %d requests (%d failed) in %.2fs over %d connections: %.0f requests/s\n",
				res.Requests, res.Failed, res.Elapsed.Seconds(), o.Connections, res.RequestsPerSecond())
			fmt.Printf("latency: %s\n", res.Latency)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.BaseURL, "server", "http://127.0.0.1:8080/fhir", "FHIR base URL")
	cmd.Flags().IntVar(&o.Connections, "connections", 16, "concurrent connections")
	cmd.Flags().DurationVar(&o.Duration, "duration", 10*time.Second, "how long to read")
	cmd.Flags().IntVar(&o.Seed, "seed", 1000, "patients to create and read")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func newBenchCeilingCmd() *cobra.Command {
	var o loadtest.CeilingOptions
	cmd := &cobra.Command{
		Use:   "ceiling [--passes N] PATH...",
		Short: "Insert the same resource bytes raw into one SQLite table: the ceiling for ingest",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			res, err := loadtest.Ceiling(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Printf("ceiling: %d resources inserted raw in %.2fs: %.0f resources/s\n",
				res.Resources, res.Elapsed.Seconds(), res.ResourcesPerSecond())
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Passes, "passes", 1, "insert every bundle's resources this many times")
	cmd.Flags().StringVar(&o.Synchronous, "synchronous", "NORMAL", "SQLite synchronous pragma (match the store's)")
	cmd.Flags().IntVar(&o.BatchSize, "batch", 1000, "rows per transaction")
	cmd.Flags().StringVar(&o.Dir, "dir", "", "folder for the scratch database (default: a temporary folder)")
	return cmd
}

func newBenchSearchCmd() *cobra.Command {
	var (
		o      loadtest.SearchOptions
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "search [--server URL] [--iterations N]",
		Short: "Run the search queries of issue 4 against a server holding data; p50/p95 per query",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := loadtest.Search(cmd.Context(), o)
			if err != nil {
				return err
			}
			if asJSON {
				var out []map[string]any
				for _, q := range res {
					out = append(out, map[string]any{"query": q.Name, "p50ms": ms(q.Latency.P50), "p95ms": ms(q.Latency.P95),
						"runs": q.Latency.N, "failed": q.Failed, "total": q.Total, "pages": q.Pages, "resources": q.Resources,
						"rowsPerSecond": q.RowsPerSecond()})
				}
				return json.NewEncoder(os.Stdout).Encode(out)
			}
			for _, q := range res {
				fmt.Printf("%-52s p50 %8.2f ms  p95 %8.2f ms  (%d runs, %d failed, %d resources in %d pages",
					q.Name, ms(q.Latency.P50), ms(q.Latency.P95), q.Latency.N, q.Failed, q.Resources, q.Pages)
				if q.Total >= 0 {
					fmt.Printf(", total %d", q.Total)
				}
				if r := q.RowsPerSecond(); r > 0 && strings.Contains(q.Name, "_total") {
					fmt.Printf(", %.0f rows/s counted", r)
				}
				fmt.Println(")")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.BaseURL, "server", "http://127.0.0.1:8080/fhir", "FHIR base URL")
	cmd.Flags().IntVar(&o.Iterations, "iterations", 100, "runs of each query")
	cmd.Flags().IntVar(&o.Sample, "sample", 100, "patients to draw query values from")
	cmd.Flags().StringVar(&o.Condition, "condition", "", "system|code of the Condition query (default: the code of the first Condition listed, which depends on load order)")
	cmd.Flags().StringVar(&o.Everything, "everything", "", "Patient id of the $everything query (default: the sampled patient with most resources)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
