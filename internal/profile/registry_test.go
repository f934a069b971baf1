package profile

import (
	"strings"
	"testing"
)

// Every embedded definition must produce a snapshot.
func TestEmbeddedSnapshots(t *testing.T) {
	reg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	urls := reg.URLs()
	if len(urls) < 400 {
		t.Fatalf("only %d embedded definitions", len(urls))
	}
	failed := 0
	for _, u := range urls {
		if _, err := reg.Snapshot(u); err != nil {
			failed++
			t.Errorf("%s: %v", u, err)
		}
	}
	t.Logf("%d definitions, %d failed", len(urls), failed)
}

func TestSnapshotContent(t *testing.T) {
	reg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url   string
		check func(t *testing.T, sd *StructureDefinition)
	}{
		{"https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient", func(t *testing.T, sd *StructureDefinition) {
			id := sd.Root.Child("identifier")
			if id == nil || id.Slicing == nil {
				t.Fatal("Patient.identifier is not sliced")
			}
			nhs := id.Slice("nhsNumber")
			if nhs == nil {
				t.Fatal("no nhsNumber slice")
			}
			sys := nhs.Child("system")
			if sys == nil || sys.Fixed == nil && sys.Pattern == nil {
				t.Fatal("nhsNumber slice has no fixed system")
			}
			if len(sd.Root.Constraints) == 0 || !hasKey(sd.Root.Constraints, "dom-2") {
				t.Error("base invariants not inherited")
			}
		}},
		{"http://hl7.org/fhir/StructureDefinition/bodyweight", func(t *testing.T, sd *StructureDefinition) {
			v := sd.Root.Child("value")
			if v == nil || len(v.Types) != 1 || v.Types[0].Code != "Quantity" {
				t.Fatal("valueQuantity did not restrict value[x] to Quantity")
			}
			if len(v.Children) == 0 || v.Children[0].Path == "" {
				t.Fatal("value[x] was not unfolded for valueQuantity.value")
			}
			if !hasKey(sd.Root.Constraints, "vs-2") {
				t.Error("vitalsigns invariant vs-2 not inherited")
			}
		}},
		{"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory", func(t *testing.T, sd *StructureDefinition) {
			if sd.Type != "Extension" || len(sd.Contexts) == 0 {
				t.Fatalf("type %q contexts %v", sd.Type, sd.Contexts)
			}
			url := sd.Root.Child("url")
			if url == nil || url.Fixed == nil {
				t.Fatal("url not fixed")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.url[strings.LastIndex(tc.url, "/")+1:], func(t *testing.T) {
			sd, err := reg.Snapshot(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, sd)
		})
	}
}

func hasKey(cs []Constraint, key string) bool {
	for _, c := range cs {
		if c.Key == key {
			return true
		}
	}
	return false
}
