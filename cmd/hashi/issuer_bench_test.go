package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// benchWallet is a minimal OpenID4VCI client: token (pre-authorized code, DPoP), nonce,
// credential (one jwt proof, DPoP), as HAIP wallets do.
type benchWallet struct {
	r      *runningIssuer
	ci     string
	prover *dpop.Prover
	holder *ecdsa.PrivateKey
	client *http.Client // its own keep-alive connection, as a phone would have
}

func newBenchWallet(tb testing.TB, r *runningIssuer) *benchWallet {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := dpop.NewProver(k)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tr := r.client.Transport.(*http.Transport).Clone()
	return &benchWallet{r: r, ci: r.base + "/oostland", prover: p, holder: h, client: &http.Client{Timeout: r.client.Timeout, Transport: tr}}
}

func (w *benchWallet) post(tb testing.TB, path, contentType, auth, dpopProof string, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(tb.Context(), "POST", w.ci+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if dpopProof != "" {
		req.Header.Set("DPoP", dpopProof)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: %d %s: %w", path, resp.StatusCode, out, err)
	}
	return out, nil
}

// issue runs token + nonce + credential for one pre-authorized code.
func (w *benchWallet) issue(tb testing.TB, code string) error {
	now := time.Now()
	p1, err := w.prover.Proof("POST", w.ci+"/token", dpop.ProofOptions{IssuedAt: now})
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:pre-authorized_code"}, "pre-authorized_code": {code}}
	out, err := w.post(tb, "/token", "application/x-www-form-urlencoded", "", p1, form.Encode())
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, &tok); err != nil {
		return err
	}
	var n struct {
		CNonce string `json:"c_nonce"`
	}
	if out, err = w.post(tb, "/nonce", "", "", "", ""); err != nil {
		return err
	}
	if err := json.Unmarshal(out, &n); err != nil {
		return err
	}
	claims, _ := json.Marshal(map[string]any{"aud": w.ci, "iat": now.Unix(), "nonce": n.CNonce})
	proof, err := jose.Sign(w.holder, jose.SignHeader{Typ: "openid4vci-proof+jwt", JWK: w.holder.Public()}, claims)
	if err != nil {
		return err
	}
	p2, err := w.prover.Proof("POST", w.ci+"/credential", dpop.ProofOptions{IssuedAt: now, AccessToken: tok.AccessToken})
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "proofs": map[string]any{"jwt": []string{proof}}})
	if out, err = w.post(tb, "/credential", "application/json", "DPoP "+tok.AccessToken, p2, string(body)); err != nil {
		return err
	}
	if !strings.Contains(string(out), `"credential":"`) {
		return fmt.Errorf("credential response %s", out)
	}
	return nil
}

// preauthCodes creates n offers (no tx_code) through the registrar API and returns their
// pre-authorized codes.
func preauthCodes(tb testing.TB, r *runningIssuer, n int) []string {
	codes := make([]string, 0, n)
	for range n {
		res := r.offer(tb, "oostland", "hashi_diploma_sd_jwt", false)
		code, body := r.do(tb, "GET", res["credential_offer_uri"].(string), "", "", nil)
		var o struct {
			Grants map[string]struct {
				Code string `json:"pre-authorized_code"`
			} `json:"grants"`
		}
		if code != http.StatusOK || json.Unmarshal(body, &o) != nil {
			tb.Fatalf("offer: %d %s", code, body)
		}
		codes = append(codes, o.Grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"].Code)
	}
	return codes
}

// BenchmarkIssuanceHTTP measures OpenID4VCI issuance over real HTTPS against `hashi issuer
// serve` (token + nonce + credential with DPoP and one proof, SD-JWT VC with status entry),
// with 1 and 50 concurrent wallets, on SQLite and PostgreSQL. It reports credentials/s and
// the p50/p99 latency of one whole issuance. BenchmarkIssuanceFloor is the signature work the
// same issuance contains, measured alone.
func BenchmarkIssuanceHTTP(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		for _, wallets := range []int{1, 50} {
			b.Run(db+"/wallets="+strconv.Itoa(wallets), func(b *testing.B) {
				dsn := sqldbtest.SQLiteDSN(b)
				if db == "postgres" {
					dsn = sqldbtest.PostgresDSN(b)
				}
				r := startIssuer(b, dsn)
				codes := preauthCodes(b, r, b.N)
				ws := make([]*benchWallet, wallets)
				for i := range ws {
					ws[i] = newBenchWallet(b, r)
				}
				lat := make([]time.Duration, b.N)
				var next sync.Mutex
				i := 0
				b.ResetTimer()
				start, cpu0 := time.Now(), processCPU()
				var wg sync.WaitGroup
				var failed error
				var failOnce sync.Once
				for _, w := range ws {
					wg.Go(func() {
						for {
							next.Lock()
							j := i
							i++
							next.Unlock()
							if j >= b.N {
								return
							}
							t0 := time.Now()
							if err := w.issue(b, codes[j]); err != nil {
								failOnce.Do(func() { failed = err })
								return
							}
							lat[j] = time.Since(t0)
						}
					})
				}
				wg.Wait()
				elapsed, cpu := time.Since(start), processCPU()-cpu0
				b.StopTimer()
				if failed != nil {
					b.Fatal(failed)
				}
				slices.Sort(lat)
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "creds/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkIssuanceFloor is the signature work of one issuance, on both sides, with nothing
// else: the wallet signs two DPoP proofs and one key proof; the issuer verifies those three
// and signs the credential. It runs on every core, as the 50-wallet runs do, so its ns/op is
// the wall time per credential the signatures alone would allow on this machine, and its
// cpu-ms/cred their CPU cost; BenchmarkIssuanceHTTP reports both figures for comparison.
func BenchmarkIssuanceFloor(b *testing.B) {
	keys := make([]*ecdsa.PrivateKey, 2)
	for i := range keys {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		keys[i] = k
	}
	msg := sha256.Sum256([]byte("signing input"))
	b.ReportAllocs()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for range 3 {
				sig, err := ecdsa.SignASN1(rand.Reader, keys[0], msg[:])
				if err != nil {
					b.Error(err)
					return
				}
				if !ecdsa.VerifyASN1(&keys[0].PublicKey, msg[:], sig) {
					b.Error("verify")
					return
				}
			}
			if _, err := ecdsa.SignASN1(rand.Reader, keys[1], msg[:]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, processCPU()-cpu0)
}

// reportCPU reports the process CPU time per operation (all cores, both sides of the
// connection: wallets and server run in this process).
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/cred")
	}
}
