package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
	"github.com/hashi-vc/hashi/verifier/verifierstore"
)

func newVerifierCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verifier",
		Short: "The OpenID4VP verifier desk of an admissions office or employer",
	}
	var configFile string
	serve := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Serve a verifier desk (OpenID4VP 1.0 with DCQL, desk API and pages)",
		Long: `Serves one desk at base_url: the request objects and response endpoint wallets use, the desk
API (/api/requests, bearer token; OpenAPI at /openapi.json), the desk pages when page_key_file
is set, and /healthz, /readyz and /metrics on ops_listen. Trust lists are loaded as soon as it
starts (from the network, else the last good cached copies) and refreshed on schedule;
readiness fails until a list is in use, and until then every issuer is untrusted (fail
closed): route traffic by /readyz. Results go to webhook_url when set.`,
		Args: withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, configFile, loadVerifierConfig, serveVerifier)
		},
	}
	serve.Flags().StringVar(&configFile, "config", "", "YAML configuration file")
	cmd.AddCommand(serve)
	return cmd
}

// verifierService builds the desk of c: trust lists (loaded in the background as soon as it
// serves, from the network or else the last good cache, then refreshed on schedule; until
// then trust fails closed and readiness fails), verifier, store, flow and routes, with the
// webhook outbox delivered every ten seconds. The refresher is returned for the demo,
// which republishes lists and refreshes at once.
func verifierService(ctx context.Context, c *verifierFileConfig, logger *slog.Logger, name string) (*service, *trustlist.Refresher, error) {
	client, err := c.fetchClient()
	if err != nil {
		return nil, nil, err
	}
	loader, err := c.Trust.loader(c.rel, client, c.rel("trust-cache"))
	if err != nil {
		return nil, nil, err
	}
	refresher, err := trustlist.NewRefresher(loader, trustlist.WithClock(time.Now), trustlist.WithRefreshInterval(c.Trust.Refresh), trustlist.WithLogger(logger))
	if err != nil {
		return nil, nil, err
	}
	v, err := verifier.New(refresher, statusSource(client), verifier.WithClockSkew(c.ClockSkew))
	if err != nil {
		return nil, nil, err
	}
	access, err := c.accessCredential()
	if err != nil {
		return nil, nil, err
	}
	tokenSum, err := c.tokenHash(c.apiToken())
	if err != nil {
		return nil, nil, err
	}
	hopts := []verifierhttp.Option{verifierhttp.WithAPITokenSHA256(tokenSum)}
	if names := c.deskName(access); names != nil {
		hopts = append(hopts, verifierhttp.WithDeskName(names))
	}
	if c.PageKeyFile != "" {
		key, err := readPageKey(c.rel(c.PageKeyFile))
		if err != nil {
			return nil, nil, err
		}
		hopts = append(hopts, verifierhttp.WithPageKey(key))
	}
	if c.WebWalletURL != "" {
		hopts = append(hopts, verifierhttp.WithWebWallet(c.WebWalletURL))
	}
	prefix := verifier.PrefixX509Hash
	if c.ClientIDPrefix == "x509_san_dns" {
		prefix = verifier.PrefixX509SANDNS
	}
	db, err := c.openDB(ctx, c.Database, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("database: %w", err)
	}
	st, err := verifierstore.New(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	flow, err := verifier.NewFlow(st, v, verifier.FlowConfig{
		Key: access.key, Chain: access.chain, BaseURL: c.BaseURL, AllowInsecureHTTP: c.InsecureHTTP, ClientIDPrefix: prefix,
		UnsignedRequestsUnsafe: c.AllowUnsignedRequests,
		Policies:               map[string]verifier.DeskPolicy{"pilot": {Recognition: c.recognition(), Jurisdiction: c.Jurisdiction}},
		DefaultPolicy:          "pilot", Now: time.Now, WebhookURL: c.WebhookURL,
	})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	if c.AllowUnsignedRequests {
		logger.Warn("allow_unsigned_requests is on: the desk API makes unsigned requests on demand, which wallets cannot authenticate", "service", name)
	}
	svc := &service{
		name:   name,
		checks: []readinessCheck{{"store", db.Ready}, {"trust", trustReady(refresher)}},
		mapper: verifierhttp.ErrorMapper,
		mount: func(e *echo.Echo, reg prometheus.Registerer) error {
			if err := reg.Register(trustMetrics(refresher, time.Now)); err != nil {
				return err
			}
			h, err := verifierhttp.New(flow, append(hopts, verifierhttp.WithMetrics(reg))...)
			if err != nil {
				return err
			}
			h.Register(e)
			return nil
		},
		background: func(ctx context.Context) {
			var wg sync.WaitGroup
			defer wg.Wait() // the refresher may be writing trust-cache: let it finish first
			wg.Go(func() { _ = refresher.Run(ctx) })
			t := time.NewTicker(10 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if _, err := flow.DeliverWebhooks(ctx, verifierhttp.WebhookSender(client.HTTPClient())); err != nil {
						logger.Warn("webhooks", "err", err)
					}
				}
			}
		},
		close: func() { _ = db.Close() },
	}
	return svc, refresher, nil
}

func serveVerifier(ctx context.Context, c *verifierFileConfig, logger *slog.Logger, app, ops net.Listener) error {
	return serveService(ctx, c, logger, app, ops, "verifier", func() (*service, error) {
		s, _, err := verifierService(ctx, c, logger, "verifier")
		return s, err
	}, "base_url", c.BaseURL)
}
