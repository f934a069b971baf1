package interaction

import "testing"

func TestSubsetKeepsMeta(t *testing.T) {
	const sub = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED","display":"As requested, resource is not fully detailed"}`
	const other = `{"system":"http://example.org/tags","code":"x"}`
	tests := []struct {
		name, in, want string
		elements       []string
		summary        string
	}{
		{"whole meta, tag appended, after id",
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"3","lastUpdated":"2024-01-01T00:00:00.000Z",` +
				`"profile":["http://example.org/p"],"security":[{"code":"R"}],"tag":[` + other + `]},"active":true,"birthDate":"1970"}`,
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"3","lastUpdated":"2024-01-01T00:00:00.000Z",` +
				`"profile":["http://example.org/p"],"security":[{"code":"R"}],"tag":[` + other + `,` + sub + `]},"birthDate":"1970"}`,
			[]string{"birthDate"}, ""},
		{"SUBSETTED already there: not twice",
			`{"resourceType":"Patient","id":"p","meta":{"tag":[{"code":"SUBSETTED","system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue"}],"versionId":"1"},"active":true}`,
			`{"resourceType":"Patient","id":"p","meta":{"tag":[{"code":"SUBSETTED","system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue"}],"versionId":"1"}}`,
			[]string{"birthDate"}, ""},
		{"a code of that name in another system is another tag",
			`{"resourceType":"Patient","id":"p","meta":{"tag":[{"system":"http://example.org","code":"SUBSETTED"}]}}`,
			`{"resourceType":"Patient","id":"p","meta":{"tag":[{"system":"http://example.org","code":"SUBSETTED"},` + sub + `]}}`,
			[]string{"birthDate"}, ""},
		{"meta without tags",
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"2","lastUpdated":"2024-01-01T00:00:00.000Z"},"gender":"male"}`,
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"2","lastUpdated":"2024-01-01T00:00:00.000Z","tag":[` + sub + `]},"gender":"male"}`,
			[]string{"gender"}, ""},
		{"no meta",
			`{"resourceType":"Patient","id":"p","gender":"male","active":true}`,
			`{"resourceType":"Patient","id":"p","meta":{"tag":[` + sub + `]},"gender":"male"}`,
			[]string{"gender"}, ""},
		{"meta before id, no id: after resourceType",
			`{"meta":{"versionId":"1"},"resourceType":"Patient","gender":"male"}`,
			`{"resourceType":"Patient","meta":{"versionId":"1","tag":[` + sub + `]}}`,
			[]string{"birthDate"}, ""},
		{"_summary keeps meta whole too",
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"4","source":"#a"},"text":{"status":"generated","div":"<div/>"},"gender":"male"}`,
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"4","source":"#a","tag":[` + sub + `]},"gender":"male"}`,
			nil, "true"},
		{"nothing asked: the body as stored",
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"1"},"gender":"male"}`,
			`{"resourceType":"Patient","id":"p","meta":{"versionId":"1"},"gender":"male"}`,
			nil, "false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := newSubsetter(tc.summary, tc.elements).apply("Patient", []byte(tc.in)); string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
