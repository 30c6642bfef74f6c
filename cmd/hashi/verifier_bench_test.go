package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// BenchmarkPresentationHTTP is the load run of the verifier desk: W wallets (the wallet core
// with its own encrypted store each, as the CLI holder runs it) answer desk requests over
// HTTPS against `hashi verifier serve` — fetch the signed request object by POST, check it,
// match, build the presentation with a KB-JWT and post it encrypted (direct_post.jwt); the
// desk decrypts, verifies everything (trust lists and status list cached) and records the
// result. It reports responses/s and the p50/p99 of one whole presentation, wallet work
// included, for 1 and 50 wallets on SQLite and PostgreSQL. Requests are created before the
// timer starts.
func BenchmarkPresentationHTTP(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		for _, wallets := range []int{1, 50} {
			b.Run(db+"/wallets="+strconv.Itoa(wallets), func(b *testing.B) {
				dsn := sqldbtest.SQLiteDSN(b)
				if db == "postgres" {
					dsn = sqldbtest.PostgresDSN(b)
				}
				pl := startPilot(b, "jp-desk", "JP", dsn)
				record, err := os.ReadFile(filepath.Join("..", "..", "internal", "academic", "testdata", "registrar", "eu-master.json"))
				if err != nil {
					b.Fatal(err)
				}
				hs := make([]*holder, wallets)
				for i := range hs {
					o := &holderOptions{store: filepath.Join(pl.dir, "w"+strconv.Itoa(i)), tlsCA: pl.tlsCA, lang: "en",
						lotl: pl.listsURL + "/eu-lotl.xml", lotlSigners: filepath.Join(pl.pkiDir, "eu", "lotl-signer", "cert.pem"),
						lists: []string{pl.listsURL + "/jp-lote.jwt=" + filepath.Join(pl.pkiDir, "jp", "tl-signer", "cert.pem")}}
					h, err := openHolder(b.Context(), o)
					if err != nil {
						b.Fatal(err)
					}
					defer h.close()
					code, offer := pl.call(b, "POST", pl.issuerBase+"/oostland/admin/offers", testRegistrarToken,
						map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "claims": json.RawMessage(record), "tx_code": false})
					if code != 201 {
						b.Fatalf("offer: %d", code)
					}
					of, err := h.w.ParseOffer(b.Context(), offer["offer"].(string))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := h.w.Receive(b.Context(), cliOwner, of, ""); err != nil {
						b.Fatal(err)
					}
					hs[i] = h
				}
				links := make([]string, b.N)
				ids := make([]string, b.N)
				for i := range links {
					code, created := pl.call(b, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
					if code != 201 {
						b.Fatalf("request: %d", code)
					}
					links[i], ids[i] = created["request"].(string), created["id"].(string)
				}
				lat := make([]time.Duration, b.N)
				var mu sync.Mutex
				next := 0
				var failed error
				var once sync.Once
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for _, h := range hs {
					wg.Go(func() {
						for {
							mu.Lock()
							j := next
							next++
							mu.Unlock()
							if j >= b.N {
								return
							}
							t0 := time.Now()
							err := present(b, h, links[j])
							if err != nil {
								once.Do(func() { failed = err })
								return
							}
							lat[j] = time.Since(t0)
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				if failed != nil {
					b.Fatal(failed)
				}
				// Every result was recorded as verified.
				for _, id := range []string{ids[0], ids[len(ids)-1]} {
					if _, rep := pl.call(b, "GET", pl.deskBase+"/api/requests/"+id, pilotDeskToken, nil); rep["status"] != "verified" {
						b.Fatalf("request %s: %v", id, rep["status"])
					}
				}
				slices.Sort(lat)
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "responses/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

func present(b *testing.B, h *holder, link string) error {
	req, err := h.w.ParseRequest(b.Context(), link)
	if err != nil {
		return err
	}
	consent, err := h.w.Match(b.Context(), cliOwner, req)
	if err != nil {
		return err
	}
	if !consent.Satisfiable {
		return fmt.Errorf("not satisfiable")
	}
	_, err = h.w.Present(b.Context(), cliOwner, req, consent.Default)
	return err
}
