package profile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"testing"
)

// FuzzSnapshot: no StructureDefinition makes snapshot generation panic or loop. Seeds are
// the embedded UK Core definitions.
func FuzzSnapshot(f *testing.F) {
	z, err := gzip.NewReader(bytes.NewReader(ukcoreGz))
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 16<<20)
	for i := 0; sc.Scan(); i++ {
		if i%5 == 0 {
			f.Add(append([]byte(nil), sc.Bytes()...))
		}
	}
	f.Add([]byte(`{"resourceType":"StructureDefinition","url":"http://x/a","type":"Patient","baseDefinition":"http://x/a","derivation":"constraint"}`))
	f.Add([]byte(`{"resourceType":"StructureDefinition","url":"http://x/b","type":"Observation","baseDefinition":"http://hl7.org/fhir/StructureDefinition/Observation","derivation":"constraint","differential":{"element":[{"id":"Observation.value[x]:valueQuantity/x.extension:a/b","path":"Observation.value[x].extension"}]}}`))
	base, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reg := NewRegistry(base)
		if err := reg.AddJSON(data); err != nil {
			return
		}
		for _, u := range reg.URLs() {
			_, _ = reg.Snapshot(u)
		}
	})
}
