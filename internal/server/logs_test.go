package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsCarryNoPatientData: the request log has one structured line per request with
// id, interaction, type, status and timing, and none of the names, identifiers or
// narrative that went through the server — in bodies, URLs or error messages.
func TestLogsCarryNoPatientData(t *testing.T) {
	var sink lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := newTestServer(t, backends(t)[0], Config{Logger: logger})
	secrets := []string{"Zebedee", "Quintessa", "9434765919", "lives alone"}
	patient := `{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">lives alone</div>"},` +
		`"identifier":[{"system":"` + nhs + `","value":"9434765919"}],"name":[{"family":"Zebedee","given":["Quintessa"]}]}`
	id := ts.create("Patient", patient)
	ts.do("GET", "/Patient/"+id, "", "X-Request-ID", "trace-1")
	ts.do("GET", "/Patient?identifier="+url.QueryEscape(nhs+"|9434765919")+"&name=Zebedee", "")
	ts.do("PUT", "/Patient/"+id, strings.Replace(patient, `"resourceType":"Patient"`, `"resourceType":"Patient","id":"other"`, 1))
	ts.do("POST", "/Patient", `{"resourceType":"Patient","name":[{"family":"Zebedee"}],"birthDate":"Quintessa"}`)
	ts.do("POST", "/Patient", patient, "If-None-Exist", "identifier=9434765919")
	ts.do("POST", "", bundleJSON("transaction", entry{method: "POST", url: "Observation",
		resource: `{"resourceType":"Observation","status":"final","code":{"text":"Zebedee"},"subject":{"reference":"Patient/Quintessa"}}`}))

	out := sink.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log contains %q:\n%s", s, out)
		}
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %s", line)
		}
		if rec["msg"] == "request" && rec["request_id"] == "trace-1" {
			found = true
			for _, k := range []string{"interaction", "type", "id", "status", "duration_ms"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("request log lacks %s: %s", k, line)
				}
			}
			if rec["interaction"] != "read" || rec["id"] != id || rec["status"] != float64(200) {
				t.Errorf("request log: %s", line)
			}
		}
	}
	if !found {
		t.Errorf("no request log line for X-Request-ID trace-1:\n%s", out)
	}
}
