package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerhttp"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
)

func newIssuerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "issuer",
		Short: "The OpenID4VCI credential issuer of the pilot universities",
	}
	var configFile string
	serve := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Serve the issuer (OpenID4VCI 1.0, registrar API, status lists)",
		Long: `Serves every configured university (tenant) at base_url/<tenant>: the OpenID4VCI 1.0
endpoints, the registrar API under base_url/<tenant>/admin (bearer token), status lists, and
/healthz, /readyz and /metrics on ops_listen. Logs are JSON on standard error. SIGTERM or
Ctrl-C shuts it down gracefully. The configuration file is YAML; see docs in the README.`,
		Args: withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, configFile, loadIssuerConfig, serveIssuer)
		},
	}
	serve.Flags().StringVar(&configFile, "config", "", "YAML configuration file")
	cmd.AddCommand(serve)
	return cmd
}

// issuerService builds the issuer of c: its store, its routes (with the registrar pages when
// page_key_file is set) and the ten-minute sweep of expired nonces, DPoP jti values and
// tokens.
func issuerService(ctx context.Context, c *issuerFileConfig, logger *slog.Logger, now func() time.Time) (*service, *issuer.Issuer, error) {
	cfg, err := c.issuerConfig(now)
	if err != nil {
		return nil, nil, err
	}
	cfg.Logger = logger
	key, err := c.pageKey()
	if err != nil {
		return nil, nil, err
	}
	db, err := c.openDB(ctx, c.Database, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("database: %w", err)
	}
	st, err := issuerstore.New(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("issuer store: %w", err)
	}
	is, err := issuer.New(st, cfg)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return &service{
		name:   "issuer",
		checks: []readinessCheck{{"store", db.Ready}},
		mapper: issuerhttp.ErrorMapper,
		mount: func(e *echo.Echo, reg prometheus.Registerer) error {
			hopts := []issuerhttp.Option{issuerhttp.WithMetrics(reg)}
			if key != nil {
				hopts = append(hopts, issuerhttp.WithPageKey(key))
			}
			h, err := issuerhttp.New(is, hopts...)
			if err != nil {
				return err
			}
			h.Register(e)
			return nil
		},
		background: func(ctx context.Context) {
			t := time.NewTicker(10 * time.Minute)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if n, err := st.Sweep(ctx, time.Now()); err != nil {
						logger.Warn("sweep", "err", err)
					} else if n > 0 {
						logger.Info("swept expired protocol state", "rows", n)
					}
				}
			}
		},
		close: func() { _ = db.Close() },
	}, is, nil
}

func serveIssuer(ctx context.Context, c *issuerFileConfig, logger *slog.Logger, app, ops net.Listener) error {
	return serveService(ctx, c, logger, app, ops, "issuer", func() (*service, error) {
		s, _, err := issuerService(ctx, c, logger, time.Now)
		return s, err
	}, "base_url", c.BaseURL, "tenants", len(c.Tenants))
}
