package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/trustlist"
)

// service is one of hashi's services built from its configuration, not yet serving: the
// serve commands mount one on its own httpx.Server, the demo mounts them all on one.
type service struct {
	name   string
	checks []readinessCheck
	mapper httpx.ErrorMapper // nil: none
	// mount registers the routes on e and the service's own metrics on reg.
	mount func(e *echo.Echo, reg prometheus.Registerer) error
	// background runs until ctx is done (refreshes, sweeps, webhooks); nil: nothing.
	background func(ctx context.Context)
	// close releases the stores; called once, after serving stopped.
	close func()
}

type readinessCheck struct {
	name  string
	check httpx.Check
}

// runServices serves svcs on one httpx.Server named name (readiness checks are prefixed
// with the service's name when there are several), runs their background work, and closes
// them once the server has stopped.
func runServices(ctx context.Context, logger *slog.Logger, name string, tlsCfg *tls.Config, app, ops net.Listener, svcs ...*service) error {
	defer func() {
		for _, s := range svcs {
			if s.close != nil {
				s.close()
			}
		}
	}()
	var mappers []httpx.ErrorMapper
	opts := []httpx.Option{httpx.WithLogger(logger), httpx.WithServiceName(name)}
	for _, s := range svcs {
		if s.mapper != nil {
			mappers = append(mappers, s.mapper)
		}
		for _, c := range s.checks {
			n := c.name
			if len(svcs) > 1 {
				n = s.name + "." + n
			}
			opts = append(opts, httpx.WithReadiness(n, c.check))
		}
	}
	if len(mappers) > 0 {
		opts = append(opts, httpx.WithErrorMapper(func(err error) (int, any, bool) {
			for _, m := range mappers {
				if st, body, ok := m(err); ok {
					return st, body, true
				}
			}
			return 0, nil, false
		}))
	}
	if tlsCfg != nil {
		opts = append(opts, httpx.WithTLS(tlsCfg))
	}
	srv, err := httpx.New(opts...)
	if err != nil {
		_ = app.Close()
		_ = ops.Close()
		return err
	}
	for _, s := range svcs {
		reg := srv.Registerer()
		if len(svcs) > 1 {
			reg = prometheus.WrapRegistererWith(prometheus.Labels{"component": s.name}, reg)
		}
		if err := s.mount(srv.Echo(), reg); err != nil {
			_ = app.Close()
			_ = ops.Close()
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range svcs {
		if s.background != nil {
			wg.Go(func() { s.background(bg) })
		}
	}
	err = srv.Run(ctx, app, ops)
	stop()
	wg.Wait()
	return err
}

// errNoTrustList is the readiness failure of a service whose trust lists all failed.
var errNoTrustList = errors.New("no trust list loaded")

// trustReady is the readiness check of a desk, which relies on r's lists: ready once at least
// one list is in use (fetched, or its last good copy), so a desk that can judge some issuers
// serves while the others' lists are being fetched again.
func trustReady(r *trustlist.Refresher) httpx.Check {
	return func(context.Context) error {
		if snap := r.Snapshot(); snap != nil {
			for _, st := range snap.Lists {
				if st.List != nil {
					return nil
				}
			}
		}
		return errNoTrustList
	}
}

// trustLoaded is the readiness check of a wallet, which works without lists (it then warns
// that issuers are not listed): ready once the first load has been attempted.
func trustLoaded(r *trustlist.Refresher) httpx.Check {
	return func(context.Context) error {
		if r.Snapshot() == nil {
			return errors.New("trust lists not loaded yet")
		}
		return nil
	}
}

// runServe is the body of every `serve --config FILE` command: load the configuration,
// JSON logs on standard error, listen on the application and operations addresses, serve.
func runServe[C serviceConfig](cmd *cobra.Command, configFile string, load func(string) (C, error),
	serve func(context.Context, C, *slog.Logger, net.Listener, net.Listener) error,
) error {
	if configFile == "" {
		return usageError{errors.New("--config is required")}
	}
	c, err := load(configFile)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	app, err := net.Listen("tcp", c.file().Listen)
	if err != nil {
		return err
	}
	ops, err := net.Listen("tcp", c.file().OpsListen)
	if err != nil {
		_ = app.Close()
		return err
	}
	return serve(cmd.Context(), c, logger, app, ops)
}
