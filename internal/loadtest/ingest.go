package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// IngestOptions configures a bundle ingest run.
type IngestOptions struct {
	BaseURL     string   // the FHIR base, e.g. http://127.0.0.1:8080/fhir
	Paths       []string // bundle files or folders (*.json transaction/batch bundles)
	Passes      int      // each pass posts every bundle once
	Concurrency int      // concurrent uploaders
	Client      *http.Client
	// Progress, when set, is called after each bundle with the resources sent so far.
	Progress func(done, total int)
}

// IngestResult is what an ingest run measured.
type IngestResult struct {
	Bundles, Resources int
	FailedBundles      int
	Errors             []string // the first few failures
	Elapsed            time.Duration
	PerBundle          Latencies
}

// ResourcesPerSecond is the figure the issues quote.
func (r *IngestResult) ResourcesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Resources) / r.Elapsed.Seconds()
}

// Ingest posts every bundle Passes times with Concurrency uploaders and times the whole run.
// Bundles are read before the clock starts; a bundle counts only if the server answers 200.
func Ingest(ctx context.Context, o IngestOptions) (*IngestResult, error) {
	bundles, err := readBundles(o.Paths)
	if err != nil {
		return nil, err
	}
	if o.Passes < 1 {
		o.Passes = 1
	}
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	client := o.Client
	if client == nil {
		client = newClient(o.Concurrency)
	}
	total := 0
	for _, b := range bundles {
		total += len(b.Entries) * o.Passes
	}

	type job struct{ b *bundleFile }
	jobs := make(chan job)
	var (
		mu        sync.Mutex
		res       = &IngestResult{}
		latencies []time.Duration
	)
	url := strings.TrimSuffix(o.BaseURL, "/")
	worker := func() {
		for j := range jobs {
			start := time.Now()
			err := postBundle(ctx, client, url, j.b.Body)
			d := time.Since(start)
			mu.Lock()
			res.Bundles++
			if err != nil {
				res.FailedBundles++
				if len(res.Errors) < 10 {
					res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", j.b.Name, err))
				}
			} else {
				res.Resources += len(j.b.Entries)
				latencies = append(latencies, d)
			}
			done := res.Resources
			mu.Unlock()
			if o.Progress != nil {
				o.Progress(done, total)
			}
		}
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range o.Concurrency {
		wg.Go(worker)
	}
feed:
	for range o.Passes {
		for i := range bundles {
			select {
			case jobs <- job{&bundles[i]}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.PerBundle = summarise(latencies)
	return res, ctx.Err()
}

func postBundle(ctx context.Context, client *http.Client, base string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Prefer", "return=minimal")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode != http.StatusOK {
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
	}
	return nil
}

func newClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 2
	t.MaxIdleConnsPerHost = conns * 2
	t.MaxConnsPerHost = conns
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
}
