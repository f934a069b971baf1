package validate

import (
	"context"
	"testing"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/synth"
)

// Every resource joinedup synth writes passes `serve --profiles uk-core`: each bundle
// entry is checked as the write path checks it.
func TestSynthPassesUKCore(t *testing.T) {
	v := newTestValidator(t)
	p, err := NewPolicy(v, []string{UKCore}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resources, warnings := 0, 0
	err = synth.Generate(ctx, synth.Options{Patients: 20, Seed: 7}, func(b synth.PatientBundle) error {
		res, err := fhir.ParseResource(b.JSON)
		if err != nil {
			return err
		}
		for i, e := range res.(*fhir.Bundle).Entry {
			if e.Resource == nil {
				continue
			}
			resources++
			issues := p.Check(ctx, e.Resource)
			warnings += Count(issues, Warning)
			for _, is := range issues {
				if is.Severity == Error || is.Severity == Fatal {
					t.Errorf("%s entry %d (%s): %s: %s", b.ID, i, e.Resource.ResourceType(), is.Expression, is.Text)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if resources == 0 {
		t.Fatal("synth produced no resources")
	}
	t.Logf("%d synth resources pass UK Core (%d warnings)", resources, warnings)
}
