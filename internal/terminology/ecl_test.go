package terminology

import (
	"slices"
	"testing"

	"github.com/joinedup/joinedup/internal/terminology/snomed"
)

func TestParseECL(t *testing.T) {
	tests := []struct {
		in        string
		ok        bool
		enumerate []string // nil when the expression needs the hierarchy
	}{
		{"22298006", true, []string{"22298006"}},
		{"(248234008 |Mentally alert| OR 300202002 |Responds to voice|)", true, []string{"248234008", "300202002"}},
		{"1082641000000106 OR 1082631000000102 or 442547005", true, []string{"1082641000000106", "1082631000000102", "442547005"}},
		{"(22298006 OR 38341003 OR 73211009) MINUS 38341003", true, []string{"22298006", "73211009"}},
		{"<< 404684003", true, nil},
		{"(<<404684003 | clinical finding|)", true, nil},
		{"DescendantOrSelfOf 60621009 MINUS (846931000000101 OR 852451000000103)", true, nil},
		{"descendantOf 105590001 OR descendantOrSelfOf 716186003 OR 196461000000101", true, nil},
		{"^999000051000001100 |ePrescribing route of administration simple reference set|", true, nil},
		{"memberOf 1127581000000103 or 196411000000103", true, nil},
		{"<< abc", false, nil},
		{"<< 404684003 : 363698007 = *", false, nil}, // refinements are not supported
		{"(22298006 OR 38341003", false, nil},
		{"", false, nil},
	}
	for _, tt := range tests {
		e, err := parseECL(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseECL(%q) error %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			continue
		}
		ids, _, ok := e.enumerate()
		if ok != (tt.enumerate != nil) || !slices.Equal(ids, tt.enumerate) {
			t.Errorf("parseECL(%q).enumerate() = %v, %v; want %v", tt.in, ids, ok, tt.enumerate)
		}
	}
}

// Every SNOMED CT constraint in the embedded UK Core value sets is understood.
func TestUKCoreConstraintsParse(t *testing.T) {
	_, vss, err := server.Resources()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var bad []string
	for _, u := range vss {
		vs, err := server.ValueSet(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, set := range append(slices.Clone(vs.Include), vs.Exclude...) {
			for _, f := range set.Filters {
				if set.System != SystemSNOMED || f.Property != "constraint" {
					continue
				}
				n++
				if _, err := parseECL(f.Value); err != nil {
					t.Errorf("%s: %q: %v", u, f.Value, err)
				}
				for _, tok := range eclTokens(f.Value) {
					if sctidShape(tok) && snomed.CheckConceptID(tok) != nil {
						bad = append(bad, tok)
					}
				}
			}
		}
	}
	if n < 80 {
		t.Errorf("only %d constraints found", n)
	}
	// A defect in UK Core: "Highest brachial systolic pressure" in
	// UKCore-VitalSignsObservationType carries a wrong Verhoeff check digit.
	if want := []string{"87541000000108"}; !slices.Equal(bad, want) {
		t.Errorf("ids failing the SNOMED CT form check: %v, want %v", bad, want)
	}
}
