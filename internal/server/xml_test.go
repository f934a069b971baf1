package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/joinedup/joinedup/fhir"
)

const xmlCT = "application/fhir+xml"

// readXMLBody checks that a response is FHIR XML and reads it.
func readXMLBody(t *testing.T, r *response) fhir.Resource {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, xmlCT) {
		t.Fatalf("Content-Type %q, want %s: %s", ct, xmlCT, r.body)
	}
	res, err := fhir.ParseResourceXML(r.body)
	if err != nil {
		t.Fatalf("response is not FHIR XML: %v\n%s", err, r.body)
	}
	return res
}

// xmlOutcome reads an XML OperationOutcome and returns its issue codes and expressions.
func xmlOutcome(t *testing.T, r *response) (codes, exprs []string) {
	t.Helper()
	oo, ok := readXMLBody(t, r).(*fhir.OperationOutcome)
	if !ok {
		t.Fatalf("not an OperationOutcome: %s", r.body)
	}
	for _, is := range oo.Issue {
		if is.Code != nil && is.Code.Value != nil {
			codes = append(codes, *is.Code.Value)
		}
		for _, e := range is.Expression {
			exprs = append(exprs, *e.Value)
		}
	}
	return codes, exprs
}

// TestXMLInteractions runs every interaction with XML bodies and XML responses.
func TestXMLInteractions(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		ct := []string{"Content-Type", xmlCT, "Accept", xmlCT}
		patient := `<Patient xmlns="http://hl7.org/fhir"><identifier><system value="http://example.org/mrn"/><value value="x1"/></identifier>` +
			`<name><family value="Ashworth"/><given value="Ann"/><given id="g2"><extension url="http://example.org/ext"><valueString value="e"/></extension></given></name>` +
			`<birthDate value="1970-01-02"/></Patient>`

		// create
		r := ts.do("POST", "/Patient", patient, ct...)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", r.StatusCode, r.body)
		}
		p := readXMLBody(t, r).(*fhir.Patient)
		id := p.ResourceID()
		if len(p.Name) != 1 || len(p.Name[0].Given) != 2 || p.Name[0].Given[1].ID != "g2" || p.Name[0].Given[1].Value != nil {
			t.Fatalf("created patient lost content: %s", r.body)
		}

		// read and vread, by _format and by Accept
		for _, c := range []struct {
			name, path string
			headers    []string
		}{
			{"read _format=xml", "/Patient/" + id + "?_format=xml", nil},
			{"read _format mime", "/Patient/" + id + "?_format=application/fhir%2Bxml", nil},
			{"read Accept text/xml", "/Patient/" + id, []string{"Accept", "text/xml"}},
			{"read Accept application/xml", "/Patient/" + id, []string{"Accept", "application/xml"}},
			{"vread", "/Patient/" + id + "/_history/1", []string{"Accept", xmlCT}},
			{"pretty", "/Patient/" + id + "?_format=xml&_pretty=true", nil},
		} {
			r := ts.do("GET", c.path, "", c.headers...)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: %d %s", c.name, r.StatusCode, r.body)
				continue
			}
			if got := readXMLBody(t, r).(*fhir.Patient); got.ResourceID() != id {
				t.Errorf("%s: id %q", c.name, got.ResourceID())
			}
		}

		// update
		upd := strings.Replace(patient, `<Patient xmlns="http://hl7.org/fhir">`, `<Patient xmlns="http://hl7.org/fhir"><id value="`+id+`"/>`, 1)
		upd = strings.Replace(upd, "1970-01-02", "1971-02-03", 1)
		r = ts.do("PUT", "/Patient/"+id, upd, ct...)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("update: %d %s", r.StatusCode, r.body)
		}
		if got := readXMLBody(t, r).(*fhir.Patient); *got.BirthDate.Value != "1971-02-03" || *got.Meta.VersionID.Value != "2" {
			t.Errorf("update: %s", r.body)
		}

		// conditional update and conditional create with XML bodies
		r = ts.do("PUT", "/Patient?identifier=http://example.org/mrn|x1", upd, ct...)
		if r.StatusCode != http.StatusOK {
			t.Errorf("conditional update: %d %s", r.StatusCode, r.body)
		}
		r = ts.do("POST", "/Patient", patient, append(ct, "If-None-Exist", "identifier=http://example.org/mrn|x1")...)
		if r.StatusCode != http.StatusOK {
			t.Errorf("conditional create (match): %d %s", r.StatusCode, r.body)
		}

		// search, and history at each level: bundles spliced from stored JSON, as XML
		for _, path := range []string{"/Patient?family=Ashworth", "/Patient/" + id + "/_history", "/Patient/_history", "/_history"} {
			r := ts.do("GET", path, "", "Accept", xmlCT)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s: %d %s", path, r.StatusCode, r.body)
				continue
			}
			b, ok := readXMLBody(t, r).(*fhir.Bundle)
			if !ok || len(b.Entry) == 0 {
				t.Errorf("%s: not a bundle with entries: %s", path, r.body)
				continue
			}
			if _, ok := b.Entry[0].Resource.(*fhir.Patient); !ok {
				t.Errorf("%s: first entry holds no Patient", path)
			}
		}

		// transaction and batch in XML, answered in XML
		tx := `<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>` +
			`<entry><fullUrl value="urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"/><resource><Patient><name><family value="Txn"/></name></Patient></resource>` +
			`<request><method value="POST"/><url value="Patient"/></request></entry>` +
			`<entry><resource><Observation><status value="final"/><code><text value="weight"/></code>` +
			`<subject><reference value="urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"/></subject>` +
			`<valueQuantity><value value="72.50"/><unit value="kg"/></valueQuantity></Observation></resource>` +
			`<request><method value="POST"/><url value="Observation"/></request></entry></Bundle>`
		r = ts.do("POST", "", tx, ct...)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("transaction: %d %s", r.StatusCode, r.body)
		}
		resp := readXMLBody(t, r).(*fhir.Bundle)
		if *resp.Type.Value != "transaction-response" || len(resp.Entry) != 2 {
			t.Errorf("transaction-response: %s", r.body)
		}
		loc := *resp.Entry[1].Response.Location.Value
		obsID := strings.Split(loc, "/")[1]
		r = ts.do("GET", "/Observation/"+obsID, "", "Accept", xmlCT)
		if o := readXMLBody(t, r).(*fhir.Observation); *o.ValueQuantity.Value.Value != "72.50" {
			t.Errorf("decimal not kept through XML: %s", r.body)
		}
		batch := strings.Replace(tx, `"transaction"`, `"batch"`, 1)
		batch = strings.Replace(batch, "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", "Patient/"+id, 2)
		r = ts.do("POST", "", batch, ct...)
		if r.StatusCode != http.StatusOK || *readXMLBody(t, r).(*fhir.Bundle).Type.Value != "batch-response" {
			t.Errorf("batch: %d %s", r.StatusCode, r.body)
		}

		// metadata
		r = ts.do("GET", "/metadata", "", "Accept", xmlCT)
		cs, ok := readXMLBody(t, r).(*fhir.CapabilityStatement)
		if !ok {
			t.Fatalf("metadata: %s", r.body)
		}
		formats := map[string]bool{}
		for _, f := range cs.Format {
			formats[*f.Value] = true
		}
		if !formats[xmlCT] || !formats["application/fhir+json"] {
			t.Errorf("CapabilityStatement.format lists %v", formats)
		}

		// delete
		r = ts.do("DELETE", "/Observation/"+obsID, "", "Accept", xmlCT)
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusNoContent {
			t.Errorf("delete: %d %s", r.StatusCode, r.body)
		}
		r = ts.do("GET", "/Observation/"+obsID, "", "Accept", xmlCT)
		if r.StatusCode != http.StatusGone {
			t.Errorf("read deleted: %d", r.StatusCode)
		}
		if codes, _ := xmlOutcome(t, r); len(codes) == 0 {
			t.Errorf("410 without an XML OperationOutcome: %s", r.body)
		}
	})
}

// TestXMLErrors: bad XML is refused with an XML OperationOutcome naming the element, and
// nothing is stored; formats the server does not speak are 406 and 415.
func TestXMLErrors(t *testing.T) {
	eachBackend(t, Config{}, func(t *testing.T, ts *testServer) {
		ct := []string{"Content-Type", xmlCT, "Accept", xmlCT}
		cases := []struct {
			name, body string
			status     int
			expression string
		}{
			{"unknown element", `<Patient xmlns="http://hl7.org/fhir"><colour value="blue"/></Patient>`, 400, "Patient.colour"},
			{"wrong namespace", `<Patient xmlns="http://example.org"><active value="true"/></Patient>`, 400, "Patient"},
			{"text where none allowed", `<Patient xmlns="http://hl7.org/fhir"><active value="true">yes</active></Patient>`, 400, "Patient.active"},
			{"missing value", `<Patient xmlns="http://hl7.org/fhir"><active/></Patient>`, 400, "Patient.active"},
			{"bad primitive", `<Patient xmlns="http://hl7.org/fhir"><birthDate value="1990-13-45"/></Patient>`, 400, "Patient.birthDate"},
			{"bad boolean", `<Patient xmlns="http://hl7.org/fhir"><active value="yes"/></Patient>`, 400, "Patient.active"},
			{"malformed XML", `<Patient xmlns="http://hl7.org/fhir"><active value="true"></Patient>`, 400, ""},
			{"entity declaration", `<!DOCTYPE x [<!ENTITY e "x">]><Patient xmlns="http://hl7.org/fhir"/>`, 400, ""},
		}
		before := ts.count()
		for _, c := range cases {
			r := ts.do("POST", "/Patient", c.body, ct...)
			if r.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.StatusCode, c.status, r.body)
				continue
			}
			_, exprs := xmlOutcome(t, r)
			if c.expression != "" && (len(exprs) == 0 || exprs[0] != c.expression) {
				t.Errorf("%s: expressions %v, want %s", c.name, exprs, c.expression)
			}
		}
		if after := ts.count(); after != before {
			t.Errorf("%d versions stored by refused writes", after-before)
		}

		r := ts.do("GET", "/Patient", "", "Accept", "text/turtle")
		if r.StatusCode != http.StatusNotAcceptable {
			t.Errorf("Accept text/turtle: %d", r.StatusCode)
		}
		r = ts.do("POST", "/Patient", `<Patient/>`, "Content-Type", "text/turtle")
		if r.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type text/turtle: %d", r.StatusCode)
		}
		// An XML body answered in JSON, and a JSON body answered in XML.
		r = ts.do("POST", "/Patient", `<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>`, "Content-Type", "text/xml")
		if r.StatusCode != http.StatusCreated || r.json()["active"] != true {
			t.Errorf("XML in, JSON out: %d %s", r.StatusCode, r.body)
		}
		r = ts.do("POST", "/Patient", `{"resourceType":"Patient","active":false}`, "Accept", xmlCT)
		if r.StatusCode != http.StatusCreated || *readXMLBody(t, r).(*fhir.Patient).Active.Value {
			t.Errorf("JSON in, XML out: %d %s", r.StatusCode, r.body)
		}
	})
}
