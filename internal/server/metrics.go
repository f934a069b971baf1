package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/joinedup/joinedup/internal/store"
)

// Metrics are the Prometheus collectors of the server and its store.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	store    *prometheus.HistogramVec
}

// NewMetrics registers the collectors with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "joinedup_http_requests_total",
			Help: "HTTP requests by FHIR interaction and status code.",
		}, []string{"interaction", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "joinedup_http_request_duration_seconds",
			Help:    "HTTP request latency by FHIR interaction.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"interaction"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "joinedup_store_operation_duration_seconds",
			Help:    "Store operation latency (write, commit, read, search ...).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"op"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.store} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// StoreObserver is the store.Observer that feeds the store timings.
func (m *Metrics) StoreObserver() store.Observer {
	return func(op string, d time.Duration) {
		m.store.WithLabelValues(op).Observe(d.Seconds())
	}
}

func (m *Metrics) observe(interaction string, code int, d time.Duration) {
	m.requests.WithLabelValues(interaction, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(interaction).Observe(d.Seconds())
}

// Handler serves the metrics of g.
func (m *Metrics) Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
