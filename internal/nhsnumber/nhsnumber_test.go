package nhsnumber

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		in      string
		kind    error // nil when valid
		message string
	}{
		{"9434765919", nil, ""},
		{"9000000009", nil, ""},
		{"4010232137", nil, ""},
		{"9434765918", ErrCheckDigit, "NHS number 943 476 5918 is not valid: its check digit does not match (expected 9)"},
		{"9434765910", ErrCheckDigit, "NHS number 943 476 5910 is not valid: its check digit does not match (expected 9)"},
		{"943476591", ErrLength, `NHS number "943476591" is not valid: it must be 10 digits`},
		{"94347659190", ErrLength, `NHS number "94347659190" is not valid: it must be 10 digits`},
		{"943 476 5919", ErrLength, `NHS number "943 476 5919" is not valid: it must be 10 digits`},
		{"94347659l9", ErrLength, `NHS number "94347659l9" is not valid: it must be 10 digits`},
		{"", ErrLength, `NHS number "" is not valid: it must be 10 digits`},
		// 1000000010: weights give sum 10, 11-10 = 10, so no check digit works.
		{"1000000010", ErrNeverValid, "NHS number 100 000 0010 is not valid: no check digit can make its first nine digits valid"},
		// sum 0 → 11 → check digit 0.
		{"0000000000", nil, ""},
	}
	for _, tt := range tests {
		err := Validate(tt.in)
		if tt.kind == nil {
			if err != nil {
				t.Errorf("Validate(%q) = %v, want valid", tt.in, err)
			}
			continue
		}
		if !errors.Is(err, tt.kind) {
			t.Errorf("Validate(%q) = %v, want %v", tt.in, err, tt.kind)
			continue
		}
		if err.Error() != tt.message {
			t.Errorf("Validate(%q) message\n got %q\nwant %q", tt.in, err.Error(), tt.message)
		}
	}
}

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		in    string
		digit int
		ok    bool
	}{
		{"943476591", 9, true},
		{"900000000", 9, true},
		{"000000000", 0, true},
		{"100000001", 0, false},
		{"94347659", 0, false},
		{"94347659x", 0, false},
	}
	for _, tt := range tests {
		d, ok := CheckDigit(tt.in)
		if d != tt.digit || ok != tt.ok {
			t.Errorf("CheckDigit(%q) = %d, %v; want %d, %v", tt.in, d, ok, tt.digit, tt.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ in, want string }{
		{"9434765919", "943 476 5919"},
		{"943476591", "943476591"},
		{"94347659ab", "94347659ab"},
	}
	for _, tt := range tests {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every nine-digit prefix either has exactly one valid completion or none.
func TestExactlyOneCheckDigit(t *testing.T) {
	for _, prefix := range []string{"943476591", "123456789", "401023213", "100000001"} {
		valid := 0
		for d := byte('0'); d <= '9'; d++ {
			if Validate(prefix+string(d)) == nil {
				valid++
			}
		}
		_, ok := CheckDigit(prefix)
		if (ok && valid != 1) || (!ok && valid != 0) {
			t.Errorf("prefix %s: %d valid completions, CheckDigit ok=%v", prefix, valid, ok)
		}
	}
}

func TestCheckIdentifier(t *testing.T) {
	tests := []struct {
		system, value string
		ok            bool
	}{
		{System, "9434765919", true},
		{System, "9434765918", false},
		{System, "943 476 5919", false},
		{"https://fhir.nhs.uk/Id/ods-organization-code", "RR8", true},
		{"http://hl7.org/fhir/sid/us-ssn", "9434765918", true},
	}
	for _, tt := range tests {
		if err := CheckIdentifier(tt.system, tt.value); (err == nil) != tt.ok {
			t.Errorf("CheckIdentifier(%s, %s) = %v, want ok=%v", tt.system, tt.value, err, tt.ok)
		}
	}
}
