package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// walletFileConfig is the YAML configuration of `hashi wallet serve --config FILE`.
type walletFileConfig struct {
	// Listen and OpsListen: defaults 127.0.0.1:8445 and 127.0.0.1:9445.
	Listen    string `yaml:"listen"`
	OpsListen string `yaml:"ops_listen"`
	// BasePath is where the pages live. Default: /wallet.
	BasePath string `yaml:"base_path"`
	TLS      *struct {
		Cert string `yaml:"cert"`
		Key  string `yaml:"key"`
	} `yaml:"tls"`
	// Database: default sqlite:wallet.db next to this file.
	Database string `yaml:"database"`
	// The wallet key (AES-256-GCM of every private key and credential at rest): a file (mode
	// 0600; 32 raw bytes, 64 hex digits or base64) or an environment variable. Exactly one.
	KeyFile string `yaml:"key_file"`
	KeyEnv  string `yaml:"key_env"`
	// Trust: what the trust lists say of issuers and verifiers (same shape as the verifier's).
	Trust trustFileConfig `yaml:"trust"`
	// InsecureDevelopment allows plain http to loopback and private addresses for offers
	// and requests (the demo). Never in production.
	InsecureDevelopment bool `yaml:"insecure_development"`

	dir string
}

func loadWalletConfig(path string) (*walletFileConfig, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	var c walletFileConfig
	if err := yaml.UnmarshalWithOptions(b, &c, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, false))
	}
	c.dir = filepath.Dir(path)
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8445"
	}
	if c.OpsListen == "" {
		c.OpsListen = "127.0.0.1:9445"
	}
	if c.Database == "" {
		c.Database = "sqlite:" + c.rel("wallet.db")
	}
	if (c.KeyFile == "") == (c.KeyEnv == "") {
		return nil, fmt.Errorf("%s: give exactly one of key_file and key_env", path)
	}
	if c.Trust.Refresh == 0 {
		c.Trust.Refresh = time.Hour
	}
	return &c, nil
}

func (c *walletFileConfig) rel(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func newWalletServeCmd() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Serve the hosted student wallet (English and Japanese pages)",
		Args:  withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile == "" {
				return usageError{errors.New("--config is required")}
			}
			c, err := loadWalletConfig(configFile)
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
			return serveWallet(cmd.Context(), c, logger, app, ops)
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "", "YAML configuration file")
	return cmd
}

func serveWallet(ctx context.Context, c *walletFileConfig, logger *slog.Logger, app, ops net.Listener) error {
	closeAll := func(err error) error { _ = app.Close(); _ = ops.Close(); return err }
	key, err := walletstore.LoadKey(c.rel(c.KeyFile), c.KeyEnv)
	if err != nil {
		return closeAll(err)
	}
	db, err := sqldb.Open(ctx, c.Database, sqldb.WithLogger(logger))
	if err != nil {
		return closeAll(fmt.Errorf("database: %w", err))
	}
	defer func() { _ = db.Close() }()
	st, err := walletstore.New(ctx, db, key)
	if err != nil {
		return closeAll(err)
	}
	copts := []safehttp.Option{safehttp.WithResolver(localhostResolver)}
	if c.InsecureDevelopment {
		copts = append(copts, safehttp.WithLoopbackInsecure(), safehttp.WithPrivateNetworksInsecure())
	}
	if c.Trust.CACert != "" {
		pool, err := certPool(c.rel(c.Trust.CACert))
		if err != nil {
			return closeAll(err)
		}
		copts = append(copts, safehttp.WithRootCAs(pool))
	}
	client, err := safehttp.New(copts...)
	if err != nil {
		return closeAll(err)
	}
	var wopts []wallet.Option
	var refresher *trustlist.Refresher
	if c.Trust.LOTL != nil || len(c.Trust.Lists) > 0 {
		loader, err := c.Trust.loader(c.rel, client, c.rel("trust-cache"))
		if err != nil {
			return closeAll(err)
		}
		if refresher, err = trustlist.NewRefresher(loader, trustlist.WithClock(time.Now), trustlist.WithRefreshInterval(c.Trust.Refresh), trustlist.WithLogger(logger)); err != nil {
			return closeAll(err)
		}
		if err := refresher.Refresh(ctx); err != nil {
			logger.Warn("trust lists: first load failed", "err", err)
		}
		wopts = append(wopts,
			wallet.WithIssuerTrust(refresher, trustlist.Policy{ServiceTypes: defaultServiceTypes, Grace: c.Trust.Grace}),
			wallet.WithVerifierTrust(refresher, trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpAccessType}}, Grace: c.Trust.Grace}))
	}
	w, err := wallet.New(st, client, time.Now, wopts...)
	if err != nil {
		return closeAll(err)
	}
	var hopts []wallethttp.Option
	if c.BasePath != "" {
		hopts = append(hopts, wallethttp.WithBasePath(c.BasePath))
	}
	hopts = append(hopts, wallethttp.WithLogger(logger))
	h, err := wallethttp.New(w, st, hopts...)
	if err != nil {
		return closeAll(err)
	}
	sopts := []httpx.Option{httpx.WithLogger(logger), httpx.WithServiceName("wallet"), httpx.WithReadiness("store", db.Ready)}
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
	done := make(chan struct{})
	go func() {
		defer close(done)
		if refresher != nil {
			_ = refresher.Run(bg)
		}
	}()
	logger.Info("wallet serving", "listen", app.Addr().String(), "ops", ops.Addr().String())
	err = srv.Run(ctx, app, ops)
	stop()
	<-done
	return err
}
