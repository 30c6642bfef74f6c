package main

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// roundRobin is a TLS-terminating load balancer for tests: each request goes to the next
// replica in turn, and it records which replica served which path.
type roundRobin struct {
	proxies []*httputil.ReverseProxy
	mu      sync.Mutex
	next    int
	served  map[string]map[int]bool // path → replicas
}

// serveRoundRobin serves l with TLS (cert, key) in front of the replicas' plain-HTTP
// listeners until the test ends.
func serveRoundRobin(t testing.TB, l net.Listener, replicas []net.Listener, cert, key string) *roundRobin {
	t.Helper()
	rr := &roundRobin{served: map[string]map[int]bool{}}
	for _, r := range replicas {
		target := &url.URL{Scheme: "http", Host: r.Addr().String()}
		rr.proxies = append(rr.proxies, &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // the public host, as a load balancer passes it on
		}})
	}
	srv := &http.Server{Handler: rr, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(l, cert, key) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("load balancer: %v", err)
		}
	})
	return rr
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rr.mu.Lock()
	i := rr.next
	rr.next = (rr.next + 1) % len(rr.proxies)
	if rr.served[r.URL.Path] == nil {
		rr.served[r.URL.Path] = map[int]bool{}
	}
	rr.served[r.URL.Path][i] = true
	rr.mu.Unlock()
	rr.proxies[i].ServeHTTP(w, r)
}

// replicasServing returns the replicas that served a path ending in suffix.
func (rr *roundRobin) replicasServing(suffix string) map[int]bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	out := map[int]bool{}
	for p, rs := range rr.served {
		if strings.HasSuffix(p, suffix) {
			for i := range rs {
				out[i] = true
			}
		}
	}
	return out
}

// TestReplicasServeOneFlow: two replicas of the issuer and two of the desk share PostgreSQL
// behind load balancers that send each request to the other replica, as the README's
// deployment does. One OpenID4VCI issuance (offer, token, nonce, credential) and one
// OpenID4VP presentation (request, request object, response, result) each run across both
// replicas and succeed; a revocation made through the load balancer is seen in the status
// list the replicas serve.
func TestReplicasServeOneFlow(t *testing.T) {
	issuerDSN, deskDSN := sqldbtest.PostgresDSN(t), sqldbtest.PostgresDSN(t)
	pl := startPilotReplicas(t, "eu-desk", "NL", issuerDSN, deskDSN, 2)
	store := filepath.Join(pl.dir, "student")

	record, err := os.ReadFile(filepath.Join("..", "..", "internal", "academic", "testdata", "registrar", "jp-master-engineering.json"))
	if err != nil {
		t.Fatal(err)
	}
	code, offer := pl.call(t, "POST", pl.issuerBase+"/sakuragaoka/admin/offers", testRegistrarToken,
		map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "claims": json.RawMessage(record), "tx_code": true})
	if code != http.StatusCreated {
		t.Fatalf("offer: %d %v", code, offer)
	}
	if exit, out, stderr := pl.holder(t, store, "receive", "--tx-code", offer["tx_code"].(string), offer["offer"].(string)); exit != 0 {
		t.Fatalf("receive across replicas: %d %s %s", exit, out, stderr)
	}
	code, created := pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
	if code != http.StatusCreated {
		t.Fatalf("desk request: %d %v", code, created)
	}
	if exit, out, stderr := pl.holder(t, store, "present", "--yes", created["request"].(string)); exit != 0 {
		t.Fatalf("present across replicas: %d %s %s", exit, out, stderr)
	}
	// The result, asked of both replicas.
	for range 2 {
		_, report := pl.call(t, "GET", pl.deskBase+"/api/requests/"+created["id"].(string), pilotDeskToken, nil)
		if report["status"] != "verified" {
			t.Fatalf("desk result: %v", report)
		}
	}
	// Revoked through the load balancer; a new presentation is judged with the status list
	// the replicas serve (the desk caches it for its ttl, 1 s here).
	pl.revokeOnly(t, "sakuragaoka")
	time.Sleep(1100 * time.Millisecond)
	_, created = pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
	if exit, _, stderr := pl.holder(t, store, "present", "--yes", created["request"].(string)); exit != 0 {
		t.Fatalf("present after revocation: %d %s", exit, stderr)
	}
	_, report := pl.call(t, "GET", pl.deskBase+"/api/requests/"+created["id"].(string), pilotDeskToken, nil)
	if b, _ := json.Marshal(report); report["status"] != "rejected" || !strings.Contains(string(b), "status_revoked") {
		t.Fatalf("desk result after revocation: %s", b)
	}

	// Every protocol step was served by both replicas at some point: the flows crossed them.
	for lb, paths := range map[*roundRobin][]string{
		pl.issuerLB: {"/token", "/nonce", "/credential", "/admin/offers"},
		pl.deskLB:   {"/api/requests", "/oid4vp/response"},
	} {
		all := map[int]bool{}
		for _, p := range paths {
			for i := range lb.replicasServing(p) {
				all[i] = true
			}
		}
		if len(all) != 2 {
			t.Errorf("the steps %v were served by replicas %v only", paths, all)
		}
	}
	if rs := pl.deskLB.replicasServing(""); len(rs) != 2 {
		t.Errorf("desk requests served by replicas %v", rs)
	}
}
