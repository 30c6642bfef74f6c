package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// walletFileConfig is the YAML configuration of `hashi wallet serve --config FILE`.
type walletFileConfig struct {
	// Listeners (defaults 127.0.0.1:8445 and 127.0.0.1:9445) and TLS.
	ServiceFile `yaml:",inline"`
	// BasePath is where the pages live. Default: /wallet.
	BasePath string `yaml:"base_path"`
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
}

func loadWalletConfig(path string) (*walletFileConfig, error) {
	return loadServiceConfig[walletFileConfig](path)
}

// Validate fills defaults and checks the file-level rules.
func (c *walletFileConfig) Validate() error {
	if err := c.checkListeners("127.0.0.1:8445", "127.0.0.1:9445"); err != nil {
		return err
	}
	if c.Database == "" {
		c.Database = "sqlite:wallet.db"
	}
	if (c.KeyFile == "") == (c.KeyEnv == "") {
		return errors.New("give exactly one of key_file and key_env")
	}
	if c.Trust.Refresh == 0 {
		c.Trust.Refresh = time.Hour
	}
	return nil
}

func newWalletServeCmd() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Serve the hosted student wallet (English and Japanese pages)",
		Args:  withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, configFile, loadWalletConfig, serveWallet)
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
	db, err := c.openDB(ctx, c.Database, logger)
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
	return serveService(ctx, c, logger, app, ops, "wallet", func() (*service, error) {
		s, _, _, err := walletService(ctx, c, logger)
		return s, err
	})
}
