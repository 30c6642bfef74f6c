package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/sqldb"
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
is set, and /healthz, /readyz and /metrics on ops_listen. Trust lists are loaded at start (from
the network, else the last good cached copies) and refreshed on schedule; readiness fails
while no list is loaded. Results go to webhook_url when set.`,
		Args: withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile == "" {
				return usageError{errors.New("--config is required")}
			}
			c, err := loadVerifierConfig(configFile)
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			app, err := net.Listen("tcp", c.Listen)
			if err != nil {
				return err
			}
			ops, err := net.Listen("tcp", c.OpsListen)
			if err != nil {
				_ = app.Close()
				return err
			}
			return serveVerifier(cmd.Context(), c, logger, app, ops)
		},
	}
	serve.Flags().StringVar(&configFile, "config", "", "YAML configuration file")
	cmd.AddCommand(serve)
	return cmd
}

func serveVerifier(ctx context.Context, c *verifierFileConfig, logger *slog.Logger, app, ops net.Listener) error {
	closeAll := func(err error) error { _ = app.Close(); _ = ops.Close(); return err }
	client, err := c.fetchClient()
	if err != nil {
		return closeAll(err)
	}
	loader, err := c.Trust.loader(c.rel, client, c.rel("trust-cache"))
	if err != nil {
		return closeAll(err)
	}
	refresher, err := trustlist.NewRefresher(loader, trustlist.WithClock(time.Now), trustlist.WithRefreshInterval(c.Trust.Refresh), trustlist.WithLogger(logger))
	if err != nil {
		return closeAll(err)
	}
	if err := refresher.Refresh(ctx); err != nil {
		logger.Warn("trust lists: first load failed; serving fails closed until a refresh succeeds", "err", err)
	}
	v, err := verifier.New(refresher, statusSource(client))
	if err != nil {
		return closeAll(err)
	}
	db, err := sqldb.Open(ctx, c.Database, sqldb.WithLogger(logger))
	if err != nil {
		return closeAll(fmt.Errorf("database: %w", err))
	}
	defer func() { _ = db.Close() }()
	st, err := verifierstore.New(ctx, db)
	if err != nil {
		return closeAll(err)
	}
	access, err := c.accessCredential()
	if err != nil {
		return closeAll(err)
	}
	prefix := verifier.PrefixX509Hash
	if c.ClientIDPrefix == "x509_san_dns" {
		prefix = verifier.PrefixX509SANDNS
	}
	flow, err := verifier.NewFlow(st, v, verifier.FlowConfig{
		Key: access.key, Chain: access.chain, BaseURL: c.BaseURL, ClientIDPrefix: prefix,
		Policies:      map[string]verifier.DeskPolicy{"pilot": {Recognition: c.recognition(), Jurisdiction: c.Jurisdiction}},
		DefaultPolicy: "pilot", Now: time.Now, WebhookURL: c.WebhookURL,
	})
	if err != nil {
		return closeAll(err)
	}
	tokenSum, err := c.apiTokenHash()
	if err != nil {
		return closeAll(err)
	}
	hopts := []verifierhttp.Option{verifierhttp.WithAPITokenSHA256(tokenSum)}
	if c.PageKeyFile != "" {
		key, err := readPageKey(c.rel(c.PageKeyFile))
		if err != nil {
			return closeAll(err)
		}
		hopts = append(hopts, verifierhttp.WithPageKey(key))
	}
	h, err := verifierhttp.New(flow, hopts...)
	if err != nil {
		return closeAll(err)
	}
	sopts := []httpx.Option{
		httpx.WithLogger(logger), httpx.WithServiceName("verifier"), httpx.WithErrorMapper(verifierhttp.ErrorMapper),
		httpx.WithReadiness("store", db.Ready),
		httpx.WithReadiness("trust", func(context.Context) error {
			snap := refresher.Snapshot()
			if snap == nil || len(snap.Lists) == len(snap.Failed()) {
				return errors.New("no trust list loaded")
			}
			return nil
		}),
	}
	if c.TLS != nil {
		cert, err := tls.LoadX509KeyPair(c.rel(c.TLS.Cert), c.rel(c.TLS.Key))
		if err != nil {
			return closeAll(fmt.Errorf("tls: %w", err))
		}
		sopts = append(sopts, httpx.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}
	srv, err := httpx.New(sopts...)
	if err != nil {
		return closeAll(err)
	}
	h.Register(srv.Echo())

	bg, stop := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() { defer func() { done <- struct{}{} }(); _ = refresher.Run(bg) }()
	go func() {
		defer func() { done <- struct{}{} }()
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-bg.Done():
				return
			case <-t.C:
				if _, err := flow.DeliverWebhooks(bg, verifierhttp.WebhookSender(client.HTTPClient())); err != nil {
					logger.Warn("webhooks", "err", err)
				}
			}
		}
	}()
	logger.Info("verifier serving", "listen", app.Addr().String(), "ops", ops.Addr().String(), "base_url", c.BaseURL)
	err = srv.Run(ctx, app, ops)
	stop()
	<-done
	<-done
	return err
}
