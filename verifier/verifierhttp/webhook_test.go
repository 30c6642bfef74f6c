package verifierhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
)

// TestWebhookSender: a result is delivered over TLS as a JWS signed with the desk's access
// certificate; a redirect or an error status is not an acknowledgement and is retried;
// plain http is refused.
func TestWebhookSender(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []string
		answer = http.StatusFound
	)
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Content-Type") != "application/jwt" || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if answer == http.StatusFound {
			w.Header().Set("Location", "https://elsewhere.example/")
		}
		w.WriteHeader(answer)
	}))
	t.Cleanup(hook.Close)
	e := newEnvFlow(t, func(c *verifier.FlowConfig) { c.WebhookURL = hook.URL + "/results" })
	send := verifierhttp.WebhookSender(hook.Client())

	c := e.create(map[string]any{"profile": "diploma", "response_mode": "direct_post"})
	if _, res := newTestWallet(e, getPilot().issueEU(statusIdx)).answer(t, c.Request); res.status != 200 {
		t.Fatalf("response %d %s", res.status, res.body)
	}
	// The receiver redirects: not delivered, and the redirect is not followed.
	if n, err := e.flow.DeliverWebhooks(context.Background(), send); err != nil || n != 0 {
		t.Fatalf("redirected delivery: %d %v", n, err)
	}
	mu.Lock()
	answer = http.StatusNoContent
	mu.Unlock()
	e.clock.Add(verifier.WebhookBackoffMax)
	if n, err := e.flow.DeliverWebhooks(context.Background(), send); err != nil || n != 1 {
		t.Fatalf("delivery: %d %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 {
		t.Fatalf("%d bodies", len(bodies))
	}
	jws, err := jose.Parse(bodies[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := jws.CheckType(verifier.WebhookType); err != nil {
		t.Fatal(err)
	}
	certs, err := jws.Header.Certificates()
	if err != nil || !certs[0].Equal(getPilot().access.Certificate) {
		t.Fatalf("x5c: %v", err)
	}
	if err := jws.Verify(certs[0].PublicKey, jose.ES256); err != nil {
		t.Fatal(err)
	}
	var ev verifier.WebhookEvent
	if err := json.Unmarshal(jws.Payload, &ev); err != nil || ev.RequestID != c.ID || ev.Status != verifier.StatusVerified || ev.Verdict != verifier.VerdictAccepted {
		t.Fatalf("event %+v %v", ev, err)
	}

	if err := send(context.Background(), "http://127.0.0.1/x", []byte("x")); err == nil {
		t.Fatal("plain http accepted")
	}
}
