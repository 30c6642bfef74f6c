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
			if configFile == "" {
				return usageError{errors.New("--config is required")}
			}
			c, err := loadIssuerConfig(configFile)
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
			return serveIssuer(cmd.Context(), c, logger, app, ops)
		},
	}
	serve.Flags().StringVar(&configFile, "config", "", "YAML configuration file")
	cmd.AddCommand(serve)
	return cmd
}

// issuerService is a built issuer with its HTTP server, ready to Run.
type issuerService struct {
	db     *sqldb.DB
	store  *issuerstore.Store
	issuer *issuer.Issuer
	server *httpx.Server
}

// buildIssuer opens the store and builds the issuer and its HTTP server from c.
func buildIssuer(ctx context.Context, c *issuerFileConfig, logger *slog.Logger, now func() time.Time) (*issuerService, error) {
	cfg, err := c.issuerConfig(now)
	if err != nil {
		return nil, err
	}
	cfg.Logger = logger
	db, err := sqldb.Open(ctx, c.Database, sqldb.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	fail := func(err error) (*issuerService, error) {
		_ = db.Close()
		return nil, err
	}
	st, err := issuerstore.New(ctx, db)
	if err != nil {
		return fail(fmt.Errorf("issuer store: %w", err))
	}
	is, err := issuer.New(st, cfg)
	if err != nil {
		return fail(err)
	}
	var hopts []issuerhttp.Option
	key, err := c.pageKey()
	if err != nil {
		return fail(err)
	}
	if key != nil {
		hopts = append(hopts, issuerhttp.WithPageKey(key))
	}
	h, err := issuerhttp.New(is, hopts...)
	if err != nil {
		return fail(err)
	}
	opts := []httpx.Option{
		httpx.WithLogger(logger), httpx.WithServiceName("issuer"), httpx.WithErrorMapper(issuerhttp.ErrorMapper),
		httpx.WithReadiness("store", db.Ready),
	}
	if c.TLS != nil {
		cert, err := tls.LoadX509KeyPair(c.rel(c.TLS.Cert), c.rel(c.TLS.Key))
		if err != nil {
			return fail(fmt.Errorf("tls: %w", err))
		}
		opts = append(opts, httpx.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}
	srv, err := httpx.New(opts...)
	if err != nil {
		return fail(err)
	}
	h.Register(srv.Echo())
	return &issuerService{db: db, store: st, issuer: is, server: srv}, nil
}

// run serves until ctx is done, sweeping expired nonces, DPoP jti values and tokens every
// ten minutes, and closes the database.
func (s *issuerService) run(ctx context.Context, app, ops net.Listener, logger *slog.Logger) error {
	defer func() { _ = s.db.Close() }()
	sweepCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-sweepCtx.Done():
				return
			case <-t.C:
				if n, err := s.store.Sweep(sweepCtx, time.Now()); err != nil {
					logger.Warn("sweep", "err", err)
				} else if n > 0 {
					logger.Info("swept expired protocol state", "rows", n)
				}
			}
		}
	}()
	err := s.server.Run(ctx, app, ops)
	stop()
	<-done
	return err
}

func serveIssuer(ctx context.Context, c *issuerFileConfig, logger *slog.Logger, app, ops net.Listener) error {
	s, err := buildIssuer(ctx, c, logger, time.Now)
	if err != nil {
		_ = app.Close()
		_ = ops.Close()
		return err
	}
	logger.Info("issuer serving", "listen", app.Addr().String(), "ops", ops.Addr().String(), "base_url", c.BaseURL, "tenants", len(c.Tenants))
	return s.run(ctx, app, ops, logger)
}
