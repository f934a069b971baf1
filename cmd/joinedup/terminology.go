package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/nhsnumber"
	"github.com/joinedup/joinedup/internal/terminology"
	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

// newTerminologyCmd gives suppliers the terminology server from the command line: the
// FHIR terminology operations over the embedded R4 and UK Core content (and SNOMED CT once
// loaded), NHS number checks, and the SNOMED CT RF2 loader.
func newTerminologyCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "terminology",
		Short: "Terminology operations ($lookup, $validate-code, $expand, $subsumes), NHS numbers, SNOMED CT loading",
	}
	cmd.PersistentFlags().StringVar(&dataDir, "data", "./joinedup-data", "data folder (a loaded SNOMED CT release lives in DATA/terminology)")
	cmd.AddCommand(
		newLoadSnomedCmd(&dataDir),
		newLookupCmd(&dataDir),
		newExpandCmd(&dataDir),
		newValidateCodeCmd(&dataDir),
		newSubsumesCmd(&dataDir),
		newNHSNumberCmd(),
	)
	return cmd
}

// snomedPath is where load-snomed writes the SNOMED CT store and the server finds it.
func snomedPath(dataDir string) string {
	return filepath.Join(dataDir, "terminology", snomed.FileName)
}

// openTerminology returns the terminology server, using a loaded SNOMED CT release when
// the data folder has one. The returned function releases it.
func openTerminology(dataDir string) (*terminology.Server, func(), error) {
	s := terminology.New()
	path := snomedPath(dataDir)
	if _, err := os.Stat(path); err != nil {
		return s, func() {}, nil
	}
	st, err := snomed.Open(path)
	if err != nil {
		return nil, nil, err
	}
	s.UseSnomed(st)
	return s, func() { st.Close() }, nil
}

func printResource(cmd *cobra.Command, r fhir.Resource) error {
	b, err := fhir.MarshalResourceIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), string(b))
	return err
}

func newLoadSnomedCmd(dataDir *string) *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load-snomed DIR",
		Short: "Load a SNOMED CT RF2 release (UK edition folder layout, Snapshot files) for lookup, validation, subsumption and is-a filters",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opt snomed.LoadOptions
			if !quiet {
				var bar *progressbar.ProgressBar
				opt.Progress = func(done, total int64) {
					if bar == nil {
						bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
							progressbar.OptionSetDescription("RF2"), progressbar.OptionShowBytes(true),
							progressbar.OptionThrottle(200*time.Millisecond))
					}
					bar.Set64(done)
				}
			}
			start := time.Now()
			path := snomedPath(*dataDir)
			if err := snomed.Load(cmd.Context(), args[0], path, opt); err != nil {
				return err
			}
			st, err := snomed.Open(path)
			if err != nil {
				return err
			}
			defer st.Close()
			slog.Info("SNOMED CT loaded", "release", st.Release(), "store", path, "seconds", time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}

func newLookupCmd(dataDir *string) *cobra.Command {
	var properties []string
	cmd := &cobra.Command{
		Use:   "lookup SYSTEM CODE",
		Short: "Look a code up ($lookup): display, designations, properties, parents and children",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, done, err := openTerminology(*dataDir)
			if err != nil {
				return err
			}
			defer done()
			r, err := s.Lookup(cmd.Context(), terminology.Coding{System: args[0], Code: args[1]}, properties)
			if err != nil {
				return err
			}
			return printResource(cmd, terminology.LookupParameters(r))
		},
	}
	cmd.Flags().StringSliceVar(&properties, "property", nil, "return only these properties (repeatable)")
	return cmd
}

func newExpandCmd(dataDir *string) *cobra.Command {
	var req terminology.ExpandRequest
	cmd := &cobra.Command{
		Use:   "expand URL",
		Short: "Expand a value set ($expand) given its canonical URL (url or url|version)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, done, err := openTerminology(*dataDir)
			if err != nil {
				return err
			}
			defer done()
			req.ValueSet = args[0]
			exp, err := s.Expand(cmd.Context(), req)
			if err != nil {
				return err
			}
			return printResource(cmd, terminology.ExpansionValueSet(exp))
		},
	}
	cmd.Flags().StringVar(&req.Filter, "filter", "", "keep codes whose display has words starting with these")
	cmd.Flags().IntVar(&req.Count, "count", 0, "return at most this many codes (0: all)")
	cmd.Flags().IntVar(&req.Offset, "offset", 0, "skip this many codes")
	cmd.Flags().BoolVar(&req.ActiveOnly, "active-only", false, "leave out inactive codes")
	cmd.Flags().BoolVar(&req.IncludeDesignations, "designations", false, "include designations")
	return cmd
}

// errInvalidCode makes validate-code exit with status 1 when the code is invalid.
var errInvalidCode = errors.New("the code is not valid")

func newValidateCodeCmd(dataDir *string) *cobra.Command {
	var (
		valueSet, display string
		abstract          bool
	)
	cmd := &cobra.Command{
		Use:   "validate-code [--valueset URL] SYSTEM CODE",
		Short: "Check a code against a value set or its code system ($validate-code)",
		Long: `validate-code prints the $validate-code out-parameters. It exits with status 0 when the
code is valid or could not be validated (result false with x-caused-by-unknown-system: SNOMED CT
without a loaded release, LOINC, dm+d, unknown code systems), and 1 when it is invalid.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, done, err := openTerminology(*dataDir)
			if err != nil {
				return err
			}
			defer done()
			r, err := s.ValidateCode(cmd.Context(), terminology.ValidateRequest{
				ValueSet: valueSet, Abstract: abstract,
				Codings: []terminology.Coding{{System: args[0], Code: args[1], Display: display}},
			})
			if err != nil {
				return err
			}
			if err := printResource(cmd, terminology.ValidateCodeParameters(r)); err != nil {
				return err
			}
			if r.Verdict == terminology.Invalid {
				return errInvalidCode
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&valueSet, "valueset", "", "value set canonical URL to check against (default: the code system only)")
	cmd.Flags().StringVar(&display, "display", "", "display to check (a mismatch is a warning)")
	cmd.Flags().BoolVar(&abstract, "abstract", false, "accept abstract (not selectable) codes")
	return cmd
}

func newSubsumesCmd(dataDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "subsumes SYSTEM CODE_A CODE_B",
		Short: "Test whether code A subsumes code B ($subsumes)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, done, err := openTerminology(*dataDir)
			if err != nil {
				return err
			}
			defer done()
			outcome, err := s.Subsumes(cmd.Context(), args[0], "", args[1], args[2])
			if err != nil {
				return err
			}
			return printResource(cmd, terminology.SubsumesParameters(outcome))
		},
	}
}

func newNHSNumberCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "nhs-number NUMBER...",
		Short: "Check NHS numbers (ten digits, Modulus 11 check digit)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, n := range args {
				if err := nhsnumber.Validate(n); err != nil {
					bad++
					fmt.Fprintln(cmd.OutOrStdout(), err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "NHS number %s is valid\n", nhsnumber.Format(n))
			}
			if bad > 0 {
				return fmt.Errorf("%d of %d NHS numbers are not valid", bad, len(args))
			}
			return nil
		},
	}
}
