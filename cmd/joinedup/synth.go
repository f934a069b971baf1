package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/internal/synth"
)

// newSynthCmd writes a synthetic UK population as FHIR transaction bundles.
func newSynthCmd() *cobra.Command {
	var (
		opts      synth.Options
		out, asOf string
		directory bool
		quiet     bool
	)
	cmd := &cobra.Command{
		Use:   "synth --patients N --seed S --out DIR",
		Short: "Generate a synthetic UK population as UK Core transaction bundles (one file per patient)",
		Long: `synth writes one FHIR R4 transaction bundle per patient (DIR/patient-NNNNNN.json):
demographics with valid NHS numbers in the 999 test range, GP practice, acute trust and
community trust records with ODS codes, practitioners, encounters, SNOMED CT conditions and
procedures, dm+d medicines, vital signs and laboratory results, allergies and immunisations,
each resource claiming its UK Core profile. Organisations, practitioners and the
patient are conditional creates, so bundles load in any order without duplicates.
The same options always give the same bytes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("synth: --out is required")
			}
			if asOf != "" {
				t, err := time.Parse(time.DateOnly, asOf)
				if err != nil {
					return fmt.Errorf("synth: --as-of: %w", err)
				}
				opts.AsOf = t
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			if directory {
				data, err := synth.DirectoryBundle()
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(out, "directory.json"), data, 0o644); err != nil {
					return fmt.Errorf("synth: %w", err)
				}
			}
			var bar *progressbar.ProgressBar
			if !quiet {
				bar = progressbar.NewOptions(opts.Patients, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("patients"), progressbar.OptionShowCount())
			}
			start := time.Now()
			resources := 0
			err := synth.Generate(cmd.Context(), opts, func(b synth.PatientBundle) error {
				resources += b.Resources
				if bar != nil {
					_ = bar.Add(1)
				}
				if err := os.WriteFile(filepath.Join(out, b.ID+".json"), b.JSON, 0o644); err != nil {
					return fmt.Errorf("synth: %w", err)
				}
				return nil
			})
			if bar != nil {
				_ = bar.Finish()
				fmt.Fprintln(cmd.ErrOrStderr())
			}
			if err != nil {
				return err
			}
			elapsed := time.Since(start)
			slog.Info("synth: done", "patients", opts.Patients, "resources", resources, "seed", opts.Seed,
				"elapsed", elapsed.Round(time.Millisecond),
				"patients_per_second", int(float64(opts.Patients)/elapsed.Seconds()))
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Patients, "patients", 100, "number of patients")
	f.Uint64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same population")
	f.StringVar(&out, "out", "", "output directory (created if missing)")
	f.StringVar(&asOf, "as-of", synth.DefaultAsOf.Format(time.DateOnly), "reference date of the records (YYYY-MM-DD)")
	f.IntVar(&opts.Years, "years", synth.DefaultYears, "years of history per patient")
	f.IntVar(&opts.First, "first", 0, "index of the first patient (to make a population in parts)")
	f.IntVar(&opts.Workers, "workers", 0, "parallel generators (0: one per CPU)")
	f.BoolVar(&directory, "directory", false, "also write directory.json: every organisation and practitioner")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}
