package interaction

import (
	"sync/atomic"
	"testing"
)

// BenchmarkTransactionSynthea loads the Synthea patient bundles as transactions from
// four goroutines, as the ingest figure does over HTTP; it reports resources/s.
func BenchmarkTransactionSynthea(b *testing.B) {
	svc := newTestService(b)
	bundles := syntheaBundles(b)
	var next, resources atomic.Int64
	b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 uploaders
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			data := bundles[int(next.Add(1))%len(bundles)]
			res, err := svc.Bundle(bg, anyone, data)
			if err != nil {
				b.Error(err)
				return
			}
			resources.Add(int64(len(res.Entries)))
		}
	})
	b.ReportMetric(float64(resources.Load())/b.Elapsed().Seconds(), "resources/s")
}
