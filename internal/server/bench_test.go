package server

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkIngestHTTP posts the Synthea patient bundles as transactions over HTTP from
// four concurrent uploaders (b.N bundles in all) to a server on the embedded store and
// reports resources/s. The client runs in the same process: the figure is a floor.
func BenchmarkIngestHTTP(b *testing.B) {
	files, _ := filepath.Glob("../../../shared/data/synthea/*.json")
	var bundles [][]byte
	for _, f := range files {
		if base := filepath.Base(f); strings.HasPrefix(base, "hospital") || strings.HasPrefix(base, "practitioner") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		bundles = append(bundles, data)
	}
	if len(bundles) == 0 {
		b.Skip("../shared/data/synthea is absent: shared test data not available")
	}
	ts := newTestServer(b, backends(b)[0], Config{})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next, resources atomic.Int64
	b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 uploaders
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			data := bundles[int(next.Add(1))%len(bundles)]
			res, err := client.Post(ts.url, "application/fhir+json", bytes.NewReader(data))
			if err != nil {
				b.Error(err)
				return
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("%d %.300s", res.StatusCode, body)
				return
			}
			resources.Add(int64(bytes.Count(body, []byte(`"status":"201`))))
		}
	})
	b.ReportMetric(float64(resources.Load())/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkReadHTTP reads one Patient by id over HTTP from 16 goroutines.
func BenchmarkReadHTTP(b *testing.B) {
	ts := newTestServer(b, backends(b)[0], Config{})
	id := ts.create("Patient", `{"resourceType":"Patient","name":[{"family":"Smith"}]}`)
	url := ts.url + "/Patient/" + id
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 connections
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("read: %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
