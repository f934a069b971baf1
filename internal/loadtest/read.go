package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ReadOptions configures a read-by-id run.
type ReadOptions struct {
	BaseURL     string
	Connections int
	Duration    time.Duration
	// Seed is how many Patients to create first (one transaction); their ids are read
	// round-robin.
	Seed   int
	Client *http.Client
}

// ReadResult is what a read run measured.
type ReadResult struct {
	Requests, Failed int64
	Elapsed          time.Duration
	Latency          Latencies
}

// RequestsPerSecond is the successful reads per second.
func (r *ReadResult) RequestsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Failed) / r.Elapsed.Seconds()
}

// Read creates Seed patients, then reads them by id over Connections connections for
// Duration, each connection in a closed loop (next request when the last answered).
func Read(ctx context.Context, o ReadOptions) (*ReadResult, error) {
	if o.Connections < 1 {
		o.Connections = 1
	}
	if o.Seed < 1 {
		o.Seed = 1000
	}
	client := o.Client
	if client == nil {
		client = newClient(o.Connections)
	}
	base := strings.TrimSuffix(o.BaseURL, "/")
	ids, err := seedPatients(ctx, client, base, o.Seed)
	if err != nil {
		return nil, err
	}
	urls := make([]string, len(ids))
	for i, id := range ids {
		urls[i] = base + "/Patient/" + id
	}

	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var (
		next     atomic.Int64
		failed   atomic.Int64
		mu       sync.Mutex
		all      []time.Duration
		wg       sync.WaitGroup
		firstErr atomic.Value
	)
	start := time.Now()
	for range o.Connections {
		wg.Go(func() {
			local := make([]time.Duration, 0, 1<<16)
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil {
				u := urls[int(next.Add(1))%len(urls)]
				t0 := time.Now()
				err := get(ctx, client, u, buf)
				if ctx.Err() != nil {
					break // a request cut short by the deadline is not a measurement
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			all = append(all, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res := &ReadResult{Elapsed: time.Since(start), Failed: failed.Load()}
	res.Requests = int64(len(all)) + res.Failed
	res.Latency = summarise(all)
	if res.Failed > 0 && res.Failed == res.Requests {
		return res, fmt.Errorf("every read failed, first: %v", firstErr.Load())
	}
	return res, nil
}

func get(ctx context.Context, client *http.Client, url string, buf []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/fhir+json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.CopyBuffer(io.Discard, resp.Body, buf); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}

// seedPatients creates n Patients in one transaction and returns their server ids.
func seedPatients(ctx context.Context, client *http.Client, base string, n int) ([]string, error) {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"resource":{"resourceType":"Patient","active":true,"gender":"%s","birthDate":"19%02d-0%d-1%d"},"request":{"method":"POST","url":"Patient"}}`,
			[]string{"female", "male"}[i%2], i%100, 1+i%9, i%10)
	}
	b.WriteString(`]}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, &b)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Prefer", "return=minimal")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("seeding patients: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("seeding patients: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("seeding patients: HTTP %d: %.300s", resp.StatusCode, body)
	}
	var out struct {
		Entry []struct {
			Response struct {
				Location string `json:"location"`
			} `json:"response"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("seeding patients: %w", err)
	}
	ids := make([]string, 0, n)
	for _, e := range out.Entry {
		_, rest, ok := strings.Cut(e.Response.Location, "Patient/")
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, "/")
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("seeding patients: no locations in the transaction response")
	}
	return ids, nil
}
