package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SearchOptions configures a search run against a server that holds data (for example
// `joinedup synth` output loaded with `joinedup import`).
type SearchOptions struct {
	BaseURL string
	// Iterations is how many times each query runs (one client, one at a time).
	Iterations int
	// Sample is how many patients to draw identifiers and ids from (default 100).
	Sample int
	// Condition is the system|code of the Condition query; empty: the code of the
	// first Condition the server lists, which depends on the order data was loaded in
	// (name one to compare two servers).
	Condition string
	// Everything is the Patient id of the $everything query; empty: the sampled patient
	// with most resources.
	Everything string
	Client     *http.Client
}

// SearchQuery is one measured query.
type SearchQuery struct {
	Name    string
	Latency Latencies
	// Total is the last Bundle.total seen (-1: none); Pages counts the pages one run
	// of the query fetched (several for $everything).
	Total, Pages, Resources int
	Failed                  int
}

// RowsPerSecond is, for a counting query, the rows counted per second at the median.
func (q SearchQuery) RowsPerSecond() float64 {
	if q.Total <= 0 || q.Latency.P50 <= 0 {
		return 0
	}
	return float64(q.Total) / q.Latency.P50.Seconds()
}

const (
	nhsNumber = "https://fhir.nhs.uk/Id/nhs-number"
	heartRate = "http://loinc.org|8867-4"
)

// Search runs the queries of issue 4 with values sampled from the server's data and
// reports each one's latency: the six named queries, a sort with no criterion (the newest
// Observations, which reads the sort index in order), _total=accurate over every heart
// rate, and Patient/$everything of the sampled patient with the most resources
// (following next links to the end).
func Search(ctx context.Context, o SearchOptions) ([]SearchQuery, error) {
	if o.Iterations < 1 {
		o.Iterations = 100
	}
	if o.Sample < 1 {
		o.Sample = 100
	}
	client := o.Client
	if client == nil {
		client = newClient(1)
	}
	base := strings.TrimSuffix(o.BaseURL, "/")
	s, err := sampleData(ctx, client, base, o.Sample, o.Condition)
	if err != nil {
		return nil, err
	}
	if o.Everything != "" {
		s.busiest = o.Everything
	}
	queries := []struct {
		name string
		url  func(i int) string
		all  bool // follow next links
	}{
		{"Patient?identifier=nhs-number|N", func(i int) string {
			return "/Patient?identifier=" + url.QueryEscape(nhsNumber+"|"+s.nhs[i%len(s.nhs)])
		}, false},
		{"Patient?family=smi&birthdate=ge1960", func(int) string { return "/Patient?family=smi&birthdate=ge1960" }, false},
		{"Observation?patient=X&code=8867-4&_sort=-date", func(i int) string {
			return "/Observation?patient=" + s.ids[i%len(s.ids)] + "&code=" + url.QueryEscape(heartRate) + "&_sort=-date"
		}, false},
		{"Observation?code=8867-4&date=ge2020-01-01&_count=50", func(int) string {
			return "/Observation?code=" + url.QueryEscape(heartRate) + "&date=ge2020-01-01&_count=50"
		}, false},
		{"Condition?code=C&_include=Condition:subject", func(int) string {
			return "/Condition?code=" + url.QueryEscape(s.condition) + "&_include=Condition:subject"
		}, false},
		{"Patient?_has:Observation:patient:code=8867-4", func(int) string {
			return "/Patient?_has:Observation:patient:code=" + url.QueryEscape(heartRate)
		}, false},
		{"Observation?_sort=-date (no criterion)", func(int) string { return "/Observation?_sort=-date" }, false},
		{"Observation?code=8867-4&_total=accurate&_count=0", func(int) string {
			return "/Observation?code=" + url.QueryEscape(heartRate) + "&_total=accurate&_count=0"
		}, false},
		{"Patient/X/$everything (all pages)", func(int) string {
			return "/Patient/" + s.busiest + "/$everything?_count=1000"
		}, true},
	}
	var out []SearchQuery
	for _, q := range queries {
		r := SearchQuery{Name: q.name, Total: -1}
		var lat []time.Duration
		for i := range o.Iterations {
			pages, n, total, took, err := fetch(ctx, client, base+q.url(i), q.all)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				r.Failed++
				continue
			}
			lat = append(lat, took)
			r.Pages, r.Resources, r.Total = pages, n, total
		}
		r.Latency = summarise(lat)
		if r.Failed == o.Iterations {
			return nil, fmt.Errorf("every run of %s failed", q.name)
		}
		out = append(out, r)
	}
	return out, nil
}

// sample holds values drawn from the server's data.
type sample struct {
	nhs, ids  []string
	condition string // a Condition code, system|code
	busiest   string // the sampled patient with most resources
}

type bundle struct {
	Total *int `json:"total"`
	Link  []struct {
		Relation, URL string
	} `json:"link"`
	Entry []struct {
		Resource json.RawMessage `json:"resource"`
	} `json:"entry"`
}

func sampleData(ctx context.Context, client *http.Client, base string, n int, condition string) (*sample, error) {
	var b bundle
	if err := getJSON(ctx, client, fmt.Sprintf("%s/Patient?_count=%d&_elements=identifier", base, n), &b); err != nil {
		return nil, err
	}
	s := &sample{}
	for _, e := range b.Entry {
		var p struct {
			ID         string `json:"id"`
			Identifier []struct{ System, Value string }
		}
		if err := json.Unmarshal(e.Resource, &p); err != nil {
			return nil, err
		}
		s.ids = append(s.ids, p.ID)
		for _, id := range p.Identifier {
			if id.System == nhsNumber {
				s.nhs = append(s.nhs, id.Value)
			}
		}
	}
	if len(s.ids) == 0 || len(s.nhs) == 0 {
		return nil, fmt.Errorf("the server at %s holds no patients with NHS numbers: load data first", base)
	}
	s.condition = condition
	if s.condition == "" {
		if err := getJSON(ctx, client, base+"/Condition?_count=1", &b); err != nil {
			return nil, err
		}
		for _, e := range b.Entry {
			var c struct {
				Code struct {
					Coding []struct{ System, Code string }
				} `json:"code"`
			}
			if err := json.Unmarshal(e.Resource, &c); err == nil && len(c.Code.Coding) > 0 {
				s.condition = c.Code.Coding[0].System + "|" + c.Code.Coding[0].Code
			}
		}
	}
	if s.condition == "" {
		return nil, fmt.Errorf("the server at %s holds no coded Condition", base)
	}
	most := -1
	for _, id := range s.ids[:min(len(s.ids), 20)] {
		var c bundle
		if err := getJSON(ctx, client, base+"/Patient/"+id+"/*?_summary=count", &c); err != nil {
			return nil, err
		}
		if c.Total != nil && *c.Total > most {
			most, s.busiest = *c.Total, id
		}
	}
	return s, nil
}

// fetch GETs u (and, when all, every next page) and returns the pages, the entries, the
// total of the first page (-1 when absent) and the time the exchanges took: from each
// request to the last byte of its response. Decoding the bundles is the client's own
// work and is left out, as load tools such as wrk and hey leave it out.
func fetch(ctx context.Context, client *http.Client, u string, all bool) (pages, entries, total int, took time.Duration, err error) {
	total = -1
	for u != "" {
		t0 := time.Now()
		body, err := getBody(ctx, client, u)
		took += time.Since(t0)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		var b bundle
		if err := json.Unmarshal(body, &b); err != nil {
			return 0, 0, 0, 0, fmt.Errorf("GET %s: %w", u, err)
		}
		if pages == 0 && b.Total != nil {
			total = *b.Total
		}
		pages++
		entries += len(b.Entry)
		u = ""
		if all {
			for _, l := range b.Link {
				if l.Relation == "next" {
					u = l.URL
				}
			}
		}
	}
	return pages, entries, total, took, nil
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	body, err := getBody(ctx, client, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// getBody returns the body of a successful GET of u as FHIR JSON.
func getBody(ctx context.Context, client *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/fhir+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, body)
	}
	return io.ReadAll(resp.Body)
}
