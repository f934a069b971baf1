package fhirpath

import "testing"

func TestCombineUnits(t *testing.T) {
	tests := []struct {
		a, b   string
		divide bool
		want   string
	}{
		{"m", "m", false, "m2"},
		{"cm", "m", false, "cm.m"},
		{"g", "m", true, "g/m"},
		{"m", "m", true, "1"},
		{"1", "s", true, "1/s"},
		{"kg", "m2", true, "kg/m2"},
		{"kg.m/s2", "s", false, "kg.m/s"},
		{"mg", "1", false, "mg"},
		{"mm[Hg]", "s", false, "(mm[Hg]).(s)"},
	}
	for _, tt := range tests {
		if got := combineUnits(tt.a, tt.b, tt.divide); got != tt.want {
			t.Errorf("combineUnits(%q, %q, %v) = %q, want %q", tt.a, tt.b, tt.divide, got, tt.want)
		}
	}
}

func TestArithmeticResults(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"4 / 2", `[{"type":"decimal","value":"2"}]`},
		{"1 year = 12 months", `[{"type":"boolean","value":"true"}]`},
		{"18 months > 1 year", `[{"type":"boolean","value":"true"}]`},
		{"1 year = 1 'a'", `[]`},
		{"2 weeks = 14 'd'", `[{"type":"boolean","value":"true"}]`},
		{"9223372036854775807 + 1", `[]`},
		{"(-9223372036854775807 - 1) - 1", `[]`},
		{"4611686018427387904 * 2", `[]`},
		{"3037000499 * 3037000499", `[{"type":"integer","value":"9223372030926249001"}]`},
		{"1 / 2", `[{"type":"decimal","value":"0.5"}]`},
		{"4.0 / 2.0", `[{"type":"decimal","value":"2"}]`},
		{"1.00 / 4", `[{"type":"decimal","value":"0.25"}]`},
		{"2.power(-1)", `[{"type":"decimal","value":"0.5"}]`},
		{"1 'm' * 2 'm'", `[{"type":"Quantity","value":{"value":"2","unit":"m2"}}]`},
		{"4 'g' / 2 'm'", `[{"type":"Quantity","value":{"value":"2","unit":"g/m"}}]`},
		{"'a' & 1", ``},
		{"2 'mg' * 3", `[{"type":"Quantity","value":{"value":"6","unit":"mg"}}]`},
		{"1.5 * 2 'mg'", `[{"type":"Quantity","value":{"value":"3.0","unit":"mg"}}]`},
		{"3 'mg' / 2", `[{"type":"Quantity","value":{"value":"1.5","unit":"mg"}}]`},
		{"3 'mg' / 0", `[]`},
		{"1 year * 2 'mg'", ``},
		{"'2024-03-05T10:00:00Z'.toDate()", `[{"type":"date","value":"2024-03-05"}]`},
		{"@2024-03-05T10:00:00Z.toDate()", `[{"type":"date","value":"2024-03-05"}]`},
		{"@2024-03-05.toDateTime()", `[{"type":"dateTime","value":"2024-03-05"}]`},
		{"'T10:00'.toTime()", `[{"type":"time","value":"10:00"}]`},
		{"'x'.toTime()", `[]`},
		{"'5 mg'.toQuantity()", `[]`},
		{"'5 \\'mg\\''.toQuantity('g')", `[{"type":"Quantity","value":{"value":"0.005","unit":"g"}}]`},
		{"'5 \\'mg\\''.convertsToQuantity('mL')", `[{"type":"boolean","value":"false"}]`},
		{"'a\\\\nb\\\\u0041'.unescape('json')", `[{"type":"string","value":"a\nbA"}]`},
		{"'bad\\\\'.unescape('json')", `[]`},
		{"'x'.escape('rot13')", ``},
		{"'a' - 'b'", ``},
		{"{}.as(Sting)", ``},
		{"@T10:00Z", ``},
		{"37 'Cel' + 1 'Cel'", `[{"type":"Quantity","value":{"value":"38","unit":"Cel"}}]`},
		{"37 'Cel' + 1 'K'", ``},
		{"1 'h' + 30 'min'", `[{"type":"Quantity","value":{"value":"1.5","unit":"h"}}]`},
		{"1 'g' - 1 'mg'", `[{"type":"Quantity","value":{"value":"0.999","unit":"g"}}]`},
	}
	for _, tt := range tests {
		got, err := MustCompile(tt.expr).Evaluate(nil, nil)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s succeeded, want an error", tt.expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if s := render(t, got); s != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, s, tt.want)
		}
	}
}
