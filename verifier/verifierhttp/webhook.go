package verifierhttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hashi-vc/hashi/verifier"
)

// WebhookSender returns the HTTP delivery of result notifications for
// Flow.DeliverWebhooks: it POSTs the signed body (a compact JWS, Content-Type
// application/jwt) to an https URL with client (nil: a new client), never follows a
// redirect, and counts only a 2xx answer as acknowledged. The client's Timeout is used when
// set, else WebhookTimeout.
func WebhookSender(client *http.Client) verifier.WebhookSender {
	c := &http.Client{}
	if client != nil {
		cp := *client
		c = &cp
	}
	if c.Timeout == 0 {
		c.Timeout = WebhookTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func(ctx context.Context, target string, body []byte) error {
		u, err := url.Parse(target)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("verifierhttp: webhook URL %q is not an absolute https URL", target)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("verifierhttp: webhook request: %w", err)
		}
		req.Header.Set("Content-Type", "application/jwt")
		res, err := c.Do(req)
		if err != nil {
			return fmt.Errorf("verifierhttp: webhook: %w", err)
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxWebhookAnswer))
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return fmt.Errorf("verifierhttp: webhook answered %d", res.StatusCode)
		}
		return nil
	}
}
