package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

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
			return runServe(cmd, configFile, loadWalletConfig, func(c *walletFileConfig) (string, string) { return c.Listen, c.OpsListen }, serveWallet)
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "", "YAML configuration file")
	return cmd
}

// walletService builds the hosted wallet of c: its store (under the wallet key), the
// outbound client, the trust lists it shows students (refreshed on schedule) and the pages.
func walletService(ctx context.Context, c *walletFileConfig, logger *slog.Logger) (*service, *wallet.Wallet, *walletstore.Store, error) {
	key, err := walletstore.LoadKey(c.rel(c.KeyFile), c.KeyEnv)
	if err != nil {
		return nil, nil, nil, err
	}
	copts := []safehttp.Option{safehttp.WithResolver(localhostResolver)}
	if c.InsecureDevelopment {
		copts = append(copts, safehttp.WithLoopbackInsecure(), safehttp.WithPrivateNetworksInsecure())
	}
	if c.Trust.CACert != "" {
		pool, err := certPool(c.rel(c.Trust.CACert))
		if err != nil {
			return nil, nil, nil, err
		}
		copts = append(copts, safehttp.WithRootCAs(pool))
	}
	client, err := safehttp.New(copts...)
	if err != nil {
		return nil, nil, nil, err
	}
	var wopts []wallet.Option
	var refresher *trustlist.Refresher
	if c.Trust.LOTL != nil || len(c.Trust.Lists) > 0 {
		loader, err := c.Trust.loader(c.rel, client, c.rel("trust-cache"))
		if err != nil {
			return nil, nil, nil, err
		}
		if refresher, err = trustlist.NewRefresher(loader, trustlist.WithClock(time.Now), trustlist.WithRefreshInterval(c.Trust.Refresh), trustlist.WithLogger(logger)); err != nil {
			return nil, nil, nil, err
		}
		wopts = append(wopts,
			wallet.WithIssuerTrust(refresher, trustlist.Policy{ServiceTypes: defaultServiceTypes, Grace: c.Trust.Grace}),
			wallet.WithVerifierTrust(refresher, trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpAccessType}}, Grace: c.Trust.Grace}))
	}
	db, err := sqldb.Open(ctx, c.Database, sqldb.WithLogger(logger))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("database: %w", err)
	}
	st, err := walletstore.New(ctx, db, key)
	if err != nil {
		_ = db.Close()
		return nil, nil, nil, err
	}
	w, err := wallet.New(st, client, time.Now, wopts...)
	if err != nil {
		_ = db.Close()
		return nil, nil, nil, err
	}
	hopts := []wallethttp.Option{wallethttp.WithLogger(logger)}
	if c.BasePath != "" {
		hopts = append(hopts, wallethttp.WithBasePath(c.BasePath))
	}
	svc := &service{
		name:   "wallet",
		checks: []readinessCheck{{"store", db.Ready}},
		mount: func(e *echo.Echo, reg prometheus.Registerer) error {
			if refresher != nil {
				if err := reg.Register(trustMetrics(refresher, time.Now)); err != nil {
					return err
				}
			}
			h, err := wallethttp.New(w, st, hopts...)
			if err != nil {
				return err
			}
			h.Register(e)
			return nil
		},
		close: func() { _ = db.Close() },
	}
	if refresher != nil {
		svc.background = func(ctx context.Context) { _ = refresher.Run(ctx) }
		// Until its first load the wallet would call every issuer "not listed".
		svc.checks = append(svc.checks, readinessCheck{"trust", trustLoaded(refresher)})
	}
	return svc, w, st, nil
}

func serveWallet(ctx context.Context, c *walletFileConfig, logger *slog.Logger, app, ops net.Listener) error {
	closeAll := func(err error) error { _ = app.Close(); _ = ops.Close(); return err }
	var tlsCfg *tls.Config
	if c.TLS != nil {
		var err error
		if tlsCfg, err = serverTLS(c.rel(c.TLS.Cert), c.rel(c.TLS.Key)); err != nil {
			return closeAll(err)
		}
	}
	svc, _, _, err := walletService(ctx, c, logger)
	if err != nil {
		return closeAll(err)
	}
	logger.Info("wallet serving", "listen", app.Addr().String(), "ops", ops.Addr().String())
	return runServices(ctx, logger, "wallet", tlsCfg, app, ops, svc)
}
