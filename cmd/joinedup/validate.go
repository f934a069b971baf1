package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/interaction"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/store"
	"github.com/joinedup/joinedup/internal/terminology"
	"github.com/joinedup/joinedup/internal/validate"
)

// exitError ends the command with a particular exit status; its message, when there is
// one, has already been written.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// ExitCode is the process exit status.
func (e *exitError) ExitCode() int { return e.code }

// newValidateCmd validates resource files against the base specification, the profiles
// they claim and the profiles asked for ("Interfaces that stay stable" in DESIGN.md).
func newValidateCmd() *cobra.Command {
	var profiles, igs []string
	cmd := &cobra.Command{
		Use:   "validate [--profile URL]... [--ig DIR|PACKAGE.tgz]... FILE...",
		Short: "Validate FHIR resources (JSON or XML) against R4, their claimed profiles and UK Core",
		Long: `validate checks each FILE against the FHIR R4 base specification, every profile the
resource claims in meta.profile and every --profile. UK Core and the R4 extensions are built
in; --ig loads the StructureDefinitions, ValueSets and CodeSystems of an implementation
guide, given as a folder (JSON or XML files) or as a FHIR NPM package (.tgz; its examples
are not loaded). It prints one JSON line per file:
  {"file": "...", "outcome": {OperationOutcome}}
and exits 0 when no file has an error, 1 when any has, and 2 on a usage error or an
unreadable file.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, files []string) error {
			stderr := cmd.ErrOrStderr()
			usage := func(format string, args ...any) error {
				fmt.Fprintf(stderr, "joinedup validate: "+format+"\n", args...)
				return &exitError{code: 2}
			}
			if len(files) == 0 {
				return usage("no FILE given")
			}
			base, err := profile.Default()
			if err != nil {
				return err
			}
			reg := profile.NewRegistry(base)
			term := terminology.New()
			for _, ig := range igs {
				tx, err := reg.LoadIG(ig)
				if err != nil {
					return usage("--ig %s: %v", ig, err)
				}
				for _, data := range tx {
					if err := term.AddResource(data); err != nil {
						return usage("--ig %s: %v", ig, err)
					}
				}
			}
			for _, p := range profiles {
				if _, err := reg.Snapshot(p); err != nil {
					return usage("--profile %s: %v", p, err)
				}
			}
			v, err := validate.New(validate.Options{Profiles: reg, Terminology: term})
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			code := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					fmt.Fprintf(stderr, "joinedup validate: %v\n", err)
					code = 2
					continue
				}
				issues := v.ValidateBytes(cmd.Context(), data, profiles...)
				oo, err := fhir.MarshalResource(validate.OperationOutcome(issues))
				if err != nil {
					return fmt.Errorf("validate: %w", err)
				}
				line := struct {
					File    string          `json:"file"`
					Outcome json.RawMessage `json:"outcome"`
				}{f, oo}
				if err := enc.Encode(line); err != nil {
					return fmt.Errorf("validate: %w", err)
				}
				if validate.HasErrors(issues) && code == 0 {
					code = 1
				}
			}
			if code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&profiles, "profile", nil, "also validate against this profile (canonical URL); repeatable")
	cmd.Flags().StringArrayVar(&igs, "ig", nil, "load StructureDefinitions, ValueSets and CodeSystems from this implementation guide: a folder or a FHIR NPM package (.tgz); repeatable")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		fmt.Fprintf(c.ErrOrStderr(), "joinedup validate: %v\n", err)
		return &exitError{code: 2}
	})
	return cmd
}

// exitCode maps a command's error to the process exit status: an exitError's own code,
// 1 for anything else.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// addPolicyFlags adds the validation policy flags of serve.
func addPolicyFlags(cmd *cobra.Command, cfg *serveConfig) {
	f := cmd.Flags()
	f.StringSliceVar(&cfg.profileSets, "profiles", nil, `profile sets every write must also meet: "uk-core" requires each type's UK Core profile`)
	f.StringArrayVar(&cfg.requireProfiles, "require-profile", nil, "Type=URL: every resource of Type must meet the profile URL; repeatable")
	f.StringSliceVar(&cfg.warnOnly, "warn-only", nil, "resource types whose validation errors are reported as warnings, not refused (migrations)")
	f.StringArrayVar(&cfg.igs, "ig", nil, "load StructureDefinitions, ValueSets and CodeSystems from this implementation guide: a folder (JSON or XML files) or a FHIR NPM package (.tgz, examples skipped); repeatable")
}

// newPolicy builds the validation policy every write goes through: the base
// specification and claimed profiles always, plus what the flags require.
func newPolicy(cfg serveConfig, logger *slog.Logger) (*validate.Policy, error) {
	base, err := profile.Default()
	if err != nil {
		return nil, err
	}
	// The server's own registries: implementation guides over the embedded definitions,
	// StructureDefinitions written to the server over the guides, so that deleting a
	// stored one uncovers a guide's definition of the same url rather than losing it.
	guides := profile.NewRegistry(base)
	reg := profile.NewRegistry(guides)
	term := terminology.New()
	for _, ig := range cfg.igs {
		tx, err := guides.LoadIG(ig)
		if err != nil {
			return nil, fmt.Errorf("--ig %s: %w", ig, err)
		}
		for _, data := range tx {
			if err := term.AddResource(data); err != nil {
				return nil, fmt.Errorf("--ig %s: %w", ig, err)
			}
		}
	}
	v, err := validate.New(validate.Options{Profiles: reg, Terminology: term})
	if err != nil {
		return nil, err
	}
	p, err := validate.NewPolicy(v, cfg.profileSets, cfg.requireProfiles, cfg.warnOnly)
	if err != nil {
		return nil, err
	}
	required, warnOnly := p.Describe()
	logger.Info("validation on write", "profile_sets", cfg.profileSets, "types_with_required_profiles", required, "warn_only", warnOnly)
	return p, nil
}

// learnHook is interaction.Options.Notify for the policy: conformance resources written
// to the server become known to the validator once committed, and deleted ones are
// forgotten.
func learnHook(p *validate.Policy, logger *slog.Logger) func(ctx context.Context, versions []*store.Resource) {
	return func(ctx context.Context, versions []*store.Resource) {
		for _, v := range versions {
			if v.Deleted() {
				p.Forget(v.Type, v.ID, v.VersionID)
				continue
			}
			if err := p.Learn(v.Type, v.ID, v.VersionID, v.Body); err != nil {
				logger.Warn("a stored conformance resource could not be used for validation", "type", v.Type, "id", v.ID, "error", err)
			}
		}
	}
}

// forgetHook is interaction.Options.Expunged for the policy: expunged conformance
// resources are forgotten, as deleted ones are.
func forgetHook(p *validate.Policy) func(ctx context.Context, refs []store.Ref) {
	return func(ctx context.Context, refs []store.Ref) {
		for _, r := range refs {
			p.Forget(r.Type, r.ID, 0)
		}
	}
}

// learnStored makes the conformance resources already in the store known to the
// validator at start-up, as learnHook did when they were written: code systems and value
// sets first, since profiles bind to them. Only current ones: a search does not return
// deleted resources.
func learnStored(ctx context.Context, st store.Store, p *validate.Policy, logger *slog.Logger) error {
	learned := 0
	for _, typ := range []string{"CodeSystem", "ValueSet", "StructureDefinition"} {
		err := store.Each(ctx, st, nil, typ, func(r *store.Resource) error {
			if err := p.Learn(r.Type, r.ID, r.VersionID, r.Body); err != nil {
				logger.Warn("a stored conformance resource could not be used for validation", "type", r.Type, "id", r.ID, "error", err)
				return nil
			}
			learned++
			return nil
		})
		if err != nil {
			return fmt.Errorf("loading stored %s resources for validation: %w", typ, err)
		}
	}
	if learned > 0 {
		logger.Info("validation: stored conformance resources loaded", "resources", learned)
	}
	return nil
}

// writeHook adapts a policy to interaction.Options.Validate, which every write path calls:
// REST create and update, batch and transaction entries, import.
func writeHook(p *validate.Policy) func(ctx context.Context, r fhir.Resource) []interaction.Issue {
	return func(ctx context.Context, r fhir.Resource) []interaction.Issue {
		issues := p.Check(ctx, r)
		out := make([]interaction.Issue, len(issues))
		for i, is := range issues {
			out[i] = interaction.Issue{Severity: is.Severity, Code: is.Code, Text: is.Text}
			if is.Expression != "" {
				out[i].Expression = []string{is.Expression}
			}
		}
		return out
	}
}
