package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
	"github.com/joinedup/joinedup/internal/terminology"
)

// sharedDir finds ../shared beside the repository, or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "shared")
		if st, err := os.Stat(filepath.Join(cand, "tests", "validator")); err == nil && st.IsDir() {
			return cand
		}
		next := filepath.Dir(dir)
		if next == dir {
			t.Skip("../shared (the shared test data) is not present beside the repository")
		}
		dir = next
	}
}

// The modules of the HL7 validator suite that this issue covers.
var inScope = map[string]bool{
	"general": true, "profile": true, "bundle": true, "extensions": true, "references": true, "tx": true,
	"base": true, "invariants": true, "sd": true, "xhtml": true, "fmt": true, "security": true,
}

type manifestCase struct {
	Name       string          `json:"name"`
	File       string          `json:"file"`
	Module     string          `json:"module"`
	Java       json.RawMessage `json:"java"`
	Supporting []string        `json:"supporting"`
	Profiles   []string        `json:"profiles"`
	Packages   []string        `json:"packages"`
	Examples   *bool           `json:"examples"`
	Profile    *struct {
		Source     string          `json:"source"`
		Supporting []string        `json:"supporting"`
		Packages   []string        `json:"packages"`
		Java       json.RawMessage `json:"java"`
	} `json:"profile"`
}

// run is one validation of the suite: a case's base run or its profile run.
type suiteRun struct {
	name, module string
	file         string
	supporting   []string
	profile      string // "" for the base run
	noExamples   bool   // the case forbids example URLs ("examples": false)
	expected     json.RawMessage
	skip         string // why the run is left out
}

type tally struct{ runs, verdict, count int }

// Verdict agreement (any error or none) with the reference validator must not fall
// below this share of the runnable in-scope runs: a regression fails the test.
const minVerdictAgreement = 0.90

func TestValidatorSuite(t *testing.T) {
	shared := sharedDir(t)
	root := filepath.Join(shared, "tests", "validator")
	data, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases []manifestCase `json:"test-cases"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var runs []suiteRun
	outOfScope := map[string]int{}
	for _, c := range m.Cases {
		if !inScope[c.Module] {
			outOfScope[c.Module]++
			continue
		}
		base := suiteRun{name: c.Name, module: c.Module, file: c.File, supporting: append(append([]string(nil), c.Supporting...), c.Profiles...), expected: c.Java,
			noExamples: c.Examples != nil && !*c.Examples}
		if len(c.Packages) > 0 {
			base.skip = "needs implementation-guide packages " + strings.Join(c.Packages, ", ")
		}
		runs = append(runs, base)
		if c.Profile != nil && c.Profile.Source != "" {
			pr := base
			pr.name += " (profile)"
			pr.profile = c.Profile.Source
			pr.supporting = append(append([]string(nil), base.supporting...), c.Profile.Supporting...)
			pr.expected = c.Profile.Java
			if len(c.Profile.Packages) > 0 && pr.skip == "" {
				pr.skip = "needs implementation-guide packages " + strings.Join(c.Profile.Packages, ", ")
			}
			runs = append(runs, pr)
		}
	}
	shared1 := terminology.New()
	perModule := map[string]*tally{}
	var left []string
	total := tally{}
	for _, sr := range runs {
		expected, why := expectedOutcome(root, sr)
		if sr.skip == "" {
			sr.skip = why
		}
		if sr.skip == "" {
			sr.skip = runnable(root, sr)
		}
		if sr.skip != "" {
			left = append(left, fmt.Sprintf("%s [%s]: %s", sr.name, sr.module, sr.skip))
			continue
		}
		issues, err := runCase(root, sr, shared1)
		if err != nil {
			left = append(left, fmt.Sprintf("%s [%s]: %v", sr.name, sr.module, err))
			continue
		}
		got := Count(issues, Error) + Count(issues, Fatal)
		want := expected
		tl := perModule[sr.module]
		if tl == nil {
			tl = &tally{}
			perModule[sr.module] = tl
		}
		tl.runs++
		total.runs++
		if (got > 0) == (want > 0) {
			tl.verdict++
			total.verdict++
		} else if testing.Verbose() {
			t.Logf("verdict differs: %s: joinedup %d errors, reference %d", sr.name, got, want)
			for _, is := range issues {
				if is.Severity == Error || is.Severity == Fatal {
					t.Logf("    %s %s: %s", is.Severity, is.Expression, is.Text)
				}
			}
		}
		if got == want {
			tl.count++
			total.count++
		}
	}
	var mods []string
	for k := range perModule {
		mods = append(mods, k)
	}
	sort.Strings(mods)
	for _, k := range mods {
		tl := perModule[k]
		t.Logf("module %-11s runs %3d  verdict agrees %3d (%5.1f%%)  error count agrees %3d (%5.1f%%)", k, tl.runs, tl.verdict, pct(tl.verdict, tl.runs), tl.count, pct(tl.count, tl.runs))
	}
	t.Logf("all         runs %3d  verdict agrees %3d (%5.1f%%)  error count agrees %3d (%5.1f%%)", total.runs, total.verdict, pct(total.verdict, total.runs), total.count, pct(total.count, total.runs))
	t.Logf("left out: %d runs", len(left))
	for _, l := range left {
		t.Logf("  left out: %s", l)
	}
	t.Logf("out-of-scope modules: %v", outOfScope)
	if total.runs == 0 || float64(total.verdict) < minVerdictAgreement*float64(total.runs) {
		t.Errorf("verdict agreement %d/%d is below %.0f%%", total.verdict, total.runs, minVerdictAgreement*100)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// expectedOutcome reads the reference validator's outcome and counts its errors.
func expectedOutcome(root string, sr suiteRun) (int, string) {
	raw := sr.expected
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		data, err := os.ReadFile(filepath.Join(root, "outcomes", name))
		if err != nil {
			return 0, "the reference outcome " + name + " is missing"
		}
		raw = data
	}
	var oo struct {
		Issue []struct {
			Severity string `json:"severity"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(raw, &oo); err != nil {
		return 0, "the reference outcome is unreadable"
	}
	n := 0
	for _, is := range oo.Issue {
		if is.Severity == "error" || is.Severity == "fatal" {
			n++
		}
	}
	return n, ""
}

// runnable says why a run cannot run here, or "".
func runnable(root string, sr suiteRun) string {
	files := append([]string{sr.file}, sr.supporting...)
	if sr.profile != "" {
		if strings.HasPrefix(sr.profile, "http") {
			return "the profile " + sr.profile + " is remote"
		}
		files = append(files, sr.profile)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			return "the file " + f + " is missing"
		}
		if !strings.HasSuffix(f, ".json") && !strings.HasSuffix(f, ".xml") {
			return "the file " + f + " is neither JSON nor XML"
		}
	}
	return ""
}

func runCase(root string, sr suiteRun, term *terminology.Server) ([]Issue, error) {
	base, err := profile.Default()
	if err != nil {
		return nil, err
	}
	reg := profile.NewRegistry(base)
	var tx [][]byte
	files := append([]string(nil), sr.supporting...)
	if sr.profile != "" {
		files = append(files, sr.profile)
	}
	profileURL := ""
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		res, err := profile.ParseDefinition(data)
		if err != nil {
			return nil, fmt.Errorf("supporting file %s does not read: %w", f, err)
		}
		switch v := res.(type) {
		case *fhir.StructureDefinition:
			if err := reg.Add(v); err != nil {
				return nil, err
			}
			if f == sr.profile {
				profileURL = lit(v.URL)
			}
		case *fhir.ValueSet, *fhir.CodeSystem:
			js, err := fhir.MarshalResource(res)
			if err != nil {
				return nil, err
			}
			tx = append(tx, js)
		}
	}
	if len(tx) > 0 {
		term = terminology.New()
		for _, d := range tx {
			if err := term.AddResource(d); err != nil {
				return nil, err
			}
		}
	}
	// The reference validator's test harness accepts example URLs unless a case says not.
	v, err := New(Options{Profiles: reg, Terminology: term, AllowExampleURLs: !sr.noExamples})
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(root, sr.file))
	if err != nil {
		return nil, err
	}
	var profiles []string
	if profileURL != "" {
		profiles = []string{profileURL}
	}
	return v.ValidateBytes(context.Background(), data, profiles...), nil
}
