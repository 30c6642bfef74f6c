package trustlist_test

import (
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

// BenchmarkLoadEU loads and verifies the 2019 EU LOTL 248 (OJ 2019 signers) and the seven
// national lists in testdata its pointers pin (AT, BE, CY, FI, NL, SE, SK), through a
// Loader over an in-memory transport (no sockets), cold: a new Loader per iteration, so
// every list is fetched with a 200 and verified. It reports the peak live heap seen by a
// sampler (runtime/metrics, every 200µs) as peak-heap-MiB.
func BenchmarkLoadEU(b *testing.B) {
	files := memTransport{euLOTLURL: readFixture(b, lotl248)}
	national := map[string]string{"AT": "eu/tl-AT-seq42.xml", "BE": "eu/tl-BE-seq43.xml", "CY": "eu/tl-CY-seq31.xml", "FI": "eu/tl-FI-seq32.xml", "NL": "eu/tl-NL-seq41.xml", "SE": "eu/tl-SE-seq32.xml", "SK": "eu/tl-SK-seq59.xml"}
	territories := make([]string, 0, len(national))
	for terr, f := range national {
		files[pointerURL(b, lotl248, terr)] = readFixture(b, f)
		territories = append(territories, terr)
	}
	client := &http.Client{Transport: files}
	cfg := trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(b, ojSet), Territories: territories}
	now := mustTime(lotl248Now)

	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				metrics.Read(s)
				peak = max(peak, s[0].Value.Uint64())
			}
		}
	})

	b.ReportAllocs()
	for b.Loop() {
		l, err := trustlist.NewLoader(client, trustlist.WithLOTL(cfg))
		if err != nil {
			b.Fatal(err)
		}
		s, err := l.Load(b.Context(), now)
		if err != nil {
			b.Fatal(err)
		}
		if f := s.Failed(); len(f) != 0 || len(s.Lists) != 8 {
			b.Fatalf("%d lists, failed: %+v", len(s.Lists), f)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-MiB")
}
