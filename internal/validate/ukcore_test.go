package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

const ukcoreBase = "https://fhir.hl7.org.uk/StructureDefinition/"

// ukcoreProfileFor picks the UK Core profile an example is meant for: the most specific
// profile its file name names ("UKCore-Observation-VitalSigns-BMI-Example" →
// UKCore-Observation-VitalSigns-BMI), else the general profile of its type.
func ukcoreProfileFor(v *Validator, file string, res fhir.Resource) string {
	name := strings.TrimSuffix(filepath.Base(file), ".json")
	parts := strings.Split(strings.TrimPrefix(name, "UKCore-"), "-")
	for n := len(parts); n >= 1; n-- {
		url := ukcoreBase + "UKCore-" + strings.Join(parts[:n], "-")
		if sd, err := v.Profiles().Snapshot(url); err == nil && sd.Type == res.ResourceType() {
			return url
		}
	}
	url := ukcoreBase + "UKCore-" + res.ResourceType()
	if v.Profiles().Known(url) {
		return url
	}
	return ""
}

// minUKCoreExamplesPassing is the number of UK Core examples that pass today: fewer
// means a regression. The failures are listed by the test, each with its cause (see
// the issue note for which side is wrong).
const minUKCoreExamplesPassing = 208

func TestUKCoreExamples(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "fhir", "uk-core", "json", "examples")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skip("no UK Core examples in ../shared")
	}
	v := newTestValidator(t)
	pass, fromXML := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fhir.ParseResource(data)
		if err != nil {
			// The shared JSON was converted from the published XML; where the conversion
			// left invalid JSON (empty "_status": {} objects), validate the XML original.
			t.Logf("JSON %s does not parse (%v): validating the XML original", filepath.Base(f), err)
			xml, xerr := os.ReadFile(filepath.Join(dir, "..", "..", "xml", "examples", strings.TrimSuffix(filepath.Base(f), ".json")+".xml"))
			if xerr != nil {
				t.Logf("FAIL %s: no XML original: %v", filepath.Base(f), xerr)
				continue
			}
			if res, err = fhir.ParseResourceXML(xml); err != nil {
				t.Logf("FAIL %s: the XML does not parse either: %v", filepath.Base(f), err)
				continue
			}
			fromXML++
		}
		var profiles []string
		if p := ukcoreProfileFor(v, f, res); p != "" {
			profiles = append(profiles, p)
		}
		issues := v.Validate(context.Background(), res, profiles...)
		if !HasErrors(issues) {
			pass++
			continue
		}
		for _, is := range issues {
			if is.Severity == Error {
				t.Logf("FAIL %s (%s): %s: %s", filepath.Base(f), strings.TrimPrefix(strings.Join(profiles, ""), ukcoreBase), is.Expression, is.Text)
			}
		}
	}
	t.Logf("%d of %d UK Core examples pass base + UK Core (%d of them read from the XML original)", pass, len(files), fromXML)
	if pass < minUKCoreExamplesPassing {
		t.Errorf("only %d UK Core examples pass; at least %d did", pass, minUKCoreExamplesPassing)
	}
}
