package verifier

import (
	"context"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// WebhookType is the "typ" of signed webhook bodies (a JWS by the desk's access certificate
// key, with x5c, over a WebhookEvent).
const WebhookType = "hashi-result+jwt"

// WebhookEvent is the payload of a result notification: which request finished, how, and
// when. It carries no claims: the receiver fetches the report (Status) with its bearer token.
type WebhookEvent struct {
	RequestID   string        `json:"request_id"`
	Status      RequestStatus `json:"status"`
	Verdict     Verdict       `json:"verdict,omitempty"`
	Reason      Code          `json:"reason,omitempty"`
	WalletError string        `json:"wallet_error,omitempty"`
	CompletedAt time.Time     `json:"completed_at"`
}

// WebhookSender delivers one signed webhook body (a compact JWS, content type
// application/jwt) to url. A nil error means the receiver acknowledged it (2xx). The HTTP
// implementation (https only, timeouts, no redirects) lives at the edge.
type WebhookSender func(ctx context.Context, url string, body []byte) error

// DeliverWebhooks makes one delivery pass over the outbox: it claims up to WebhookBatch due
// entries (leasing them for WebhookLease, so replicas do not send one twice at the same
// time), signs each payload as a JWS (typ WebhookType, x5c: the access certificate chain),
// sends it with send, and records the outcome: delivered, or retried after
// WebhookBackoffBase·2^(attempts−1) (at most WebhookBackoffMax), and given up after
// MaxWebhookAttempts. It returns how many were delivered. The caller runs it periodically
// (the edge owns the ticker and stops it with ctx).
//
// Delivery is at least once: a receiver may see a body twice (a crash between sending and
// recording); WebhookEvent.RequestID identifies duplicates. A pass sends only while its lease
// holds (each send is cut off at WebhookLease minus WebhookLeaseMargin from the claim): the
// entries it did not reach are claimed again once their lease runs out, and another replica
// never sends an entry this one is still sending.
func (f *Flow) DeliverWebhooks(ctx context.Context, send WebhookSender) (int, error) {
	if send == nil {
		return 0, policyErr("DeliverWebhooks: nil sender")
	}
	now := f.cfg.Now()
	batch, err := f.st.ClaimWebhooks(ctx, now, WebhookLease, WebhookBatch)
	if err != nil {
		return 0, storeErr("claim webhooks", err)
	}
	signer, err := jose.NewSigner(f.cfg.Key, jose.SignHeader{Typ: WebhookType, X5C: f.cfg.Chain})
	if err != nil {
		return 0, &Error{Code: CodeServerError, Msg: "webhook signer", Err: err}
	}
	delivered := 0
	stopAt := now.Add(WebhookLease - WebhookLeaseMargin)
	for i := range batch {
		if ctx.Err() != nil {
			return delivered, ctx.Err()
		}
		left := stopAt.Sub(f.cfg.Now())
		if left <= 0 {
			break // the lease is running out: the rest go in a later pass
		}
		w := &batch[i]
		body, err := signer.Sign(w.Payload)
		if err == nil {
			sctx, cancel := context.WithTimeout(ctx, left)
			err = send(sctx, w.URL, []byte(body))
			cancel()
		}
		at := f.cfg.Now()
		w.Attempts++
		if err == nil {
			w.DeliveredAt, w.LastError = at, ""
			delivered++
		} else {
			w.LastError = truncate(err.Error(), MaxWebhookErrorLen)
			if w.Attempts >= MaxWebhookAttempts {
				w.GaveUp = true
			} else {
				w.NextAttemptAt = at.Add(webhookBackoff(w.Attempts))
			}
		}
		if err := f.st.UpdateWebhook(ctx, w); err != nil {
			return delivered, storeErr("update webhook", err)
		}
	}
	return delivered, nil
}

// webhookBackoff is the delay after the given number of failed attempts.
func webhookBackoff(attempts int) time.Duration {
	d := WebhookBackoffBase
	for i := 1; i < attempts && d < WebhookBackoffMax; i++ {
		d *= 2
	}
	return min(d, WebhookBackoffMax)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
