package fhir

import (
	"slices"
	"testing"
)

func TestResourceTypes(t *testing.T) {
	names := ResourceTypes()
	if len(names) != 146 {
		t.Fatalf("%d resource types, want 146", len(names))
	}
	for _, n := range names {
		r, ok := NewResource(n)
		if !ok || r.ResourceType() != n || r.FHIRType() != n {
			t.Errorf("NewResource(%q) = %v, %v", n, r, ok)
		}
		if _, ok := r.(MetaResource); !ok {
			t.Errorf("%s does not implement MetaResource", n)
		}
		if !IsResourceType(n) {
			t.Errorf("IsResourceType(%q) = false", n)
		}
		if td := LookupType(n); td == nil || td.Kind != KindResource {
			t.Errorf("LookupType(%q) = %v", n, td)
		}
	}
	for _, n := range []string{"Resource", "DomainResource", "HumanName", "patient", ""} {
		if IsResourceType(n) {
			t.Errorf("IsResourceType(%q) = true", n)
		}
		if _, ok := NewResource(n); ok {
			t.Errorf("NewResource(%q) succeeded", n)
		}
	}
}

func TestLookupType(t *testing.T) {
	tests := []struct {
		name     string
		kind     TypeKind
		base     string
		elements []string // the first elements, in order
	}{
		{"Patient", KindResource, "DomainResource", []string{"id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension", "identifier", "active", "name"}},
		{"Patient.contact", KindBackbone, "BackboneElement", []string{"id", "extension", "modifierExtension", "relationship", "name"}},
		{"Bundle.entry.request", KindBackbone, "BackboneElement", []string{"id", "extension", "modifierExtension", "method", "url"}},
		{"HumanName", KindComplex, "Element", []string{"id", "extension", "use", "text", "family", "given"}},
		{"SimpleQuantity", KindComplex, "Quantity", []string{"id", "extension", "value", "comparator", "unit"}},
		{"Age", KindComplex, "Quantity", []string{"id", "extension", "value"}},
		{"date", KindPrimitive, "Element", []string{"id", "extension", "value"}},
		{"Resource", KindResource, "", []string{"id", "meta", "implicitRules", "language"}},
		{"Element", KindComplex, "", []string{"id", "extension"}},
		{"Timing.repeat", KindBackbone, "Element", []string{"id", "extension", "bounds"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			td := LookupType(tc.name)
			if td == nil {
				t.Fatal("not found")
			}
			if td.Name != tc.name || td.Kind != tc.kind || td.Base != tc.base {
				t.Errorf("got name %q kind %v base %q", td.Name, td.Kind, td.Base)
			}
			var got []string
			for _, e := range td.Elements[:min(len(tc.elements), len(td.Elements))] {
				got = append(got, e.Name)
			}
			if !slices.Equal(got, tc.elements) {
				t.Errorf("elements %v, want %v", got, tc.elements)
			}
		})
	}
	if LookupType("NoSuchType") != nil {
		t.Error("LookupType found a type that does not exist")
	}
}

func TestElementDefs(t *testing.T) {
	obs := LookupType("Observation")
	value := obs.Element("value")
	if value == nil || !value.Choice || value.Path != "Observation.value[x]" || len(value.Types) != 11 || value.Max != 1 || !value.IsSummary {
		t.Fatalf("Observation.value[x] = %+v", value)
	}
	if obs.Element("valueQuantity") != value || obs.Element("valueDateTime") != value {
		t.Error("choice element not found by its JSON names")
	}
	if obs.Element("valueFoo") != nil || obs.Element("valuequantity") != nil || obs.Element("nope") != nil {
		t.Error("found an element that does not exist")
	}
	status := obs.Element("status")
	if status.Min != 1 || status.Max != 1 || !status.IsModifier || status.Binding == nil ||
		status.Binding.Strength != "required" || status.Binding.ValueSet != "http://hl7.org/fhir/ValueSet/observation-status|4.0.1" {
		t.Errorf("Observation.status = %+v binding %+v", status, status.Binding)
	}
	subject := obs.Element("subject")
	if len(subject.Types) != 1 || subject.Types[0].Code != "Reference" || !slices.Contains(subject.Types[0].TargetProfile, "http://hl7.org/fhir/StructureDefinition/Patient") {
		t.Errorf("Observation.subject types %+v", subject.Types)
	}
	if rr := LookupType("Observation.referenceRange").Element("low"); rr.Types[0].Code != "Quantity" || !slices.Equal(rr.Types[0].Profiles, []string{"http://hl7.org/fhir/StructureDefinition/SimpleQuantity"}) {
		t.Errorf("Observation.referenceRange.low types %+v", rr.Types)
	}
	if c := obs.Element("component"); c.Backbone != "Observation.component" || c.Max != -1 {
		t.Errorf("Observation.component = %+v", c)
	}
	if c := LookupType("Observation.component").Element("referenceRange"); c.ContentReference != "#Observation.referenceRange" {
		t.Errorf("Observation.component.referenceRange = %+v", c)
	}
	if !hasConstraint(obs.Constraints, "obs-6", "dataAbsentReason.empty() or value.empty()") {
		t.Errorf("Observation constraints %+v", obs.Constraints)
	}
	if !hasConstraint(LookupType("Patient.contact").Constraints, "pat-1", "") {
		t.Errorf("Patient.contact constraints %+v", LookupType("Patient.contact").Constraints)
	}
	if !hasConstraint(LookupType("Patient").Element("name").Constraints, "ele-1", "hasValue() or (children().count() > id.count())") {
		t.Error("Patient.name lacks ele-1")
	}
	if c := LookupType("SimpleQuantity").Element("comparator"); c.Max != 0 {
		t.Errorf("SimpleQuantity.comparator max %d, want 0", c.Max)
	}
	if LookupType("string").Element("value").MaxLength != 1048576 {
		t.Error("string.value maxLength not carried")
	}
	for name, want := range map[string]string{
		"date": "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?",
		"code": `[^\s]+(\s[^\s]+)*`,
		"id":   `[A-Za-z0-9\-\.]{1,64}`,
	} {
		if got := LookupType(name).Regex; got != want {
			t.Errorf("%s regex %q, want %q", name, got, want)
		}
	}
}

func hasConstraint(cs []Constraint, key, expr string) bool {
	for _, c := range cs {
		if c.Key == key && (expr == "" || c.Expression == expr) && c.Severity != "" && c.Human != "" {
			return true
		}
	}
	return false
}

func TestSearchParameters(t *testing.T) {
	sps := SearchParameters()
	if len(sps) != 1375 {
		t.Fatalf("%d search parameters, want 1375", len(sps))
	}
	byURL := map[string]*SearchParamDef{}
	for _, sp := range sps {
		if sp.URL == "" || sp.Code == "" || sp.Type == "" || len(sp.Base) == 0 {
			t.Errorf("incomplete search parameter %+v", sp)
		}
		byURL[sp.URL] = sp
	}
	bd := byURL["http://hl7.org/fhir/SearchParameter/individual-birthdate"]
	if bd == nil || bd.Code != "birthdate" || bd.Type != "date" || !slices.Contains(bd.Base, "Patient") || bd.Expression != "Patient.birthDate | Person.birthDate | RelatedPerson.birthDate" || bd.XPath == "" {
		t.Errorf("individual-birthdate = %+v", bd)
	}
	subj := byURL["http://hl7.org/fhir/SearchParameter/Observation-subject"]
	if subj == nil || subj.Type != "reference" || !slices.Contains(subj.Target, "Patient") {
		t.Errorf("Observation-subject = %+v", subj)
	}
	cvq := byURL["http://hl7.org/fhir/SearchParameter/Observation-code-value-quantity"]
	if cvq == nil || cvq.Type != "composite" || len(cvq.Components) != 2 || cvq.Components[1].Expression != "value.as(Quantity)" {
		t.Errorf("Observation-code-value-quantity = %+v", cvq)
	}
	var comparators, multipleOr int
	for _, sp := range sps {
		if len(sp.Comparators) > 0 {
			comparators++
		}
		if sp.MultipleOr != nil {
			multipleOr++
		}
	}
	if comparators != 142 || multipleOr != 46 {
		t.Errorf("%d with comparators (want 142), %d with multipleOr (want 46)", comparators, multipleOr)
	}
}
