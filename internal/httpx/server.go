package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Server is one service's HTTP edge: an Echo instance for the app listener, with hashi's
// middleware and error handler installed, and an ops mux (/healthz, /readyz, /metrics) for
// a separate listener, backed by the service's own Prometheus registry.
type Server struct {
	cfg        config
	logger     *slog.Logger
	e          *echo.Echo
	ops        *http.ServeMux
	reg        *prometheus.Registry
	registerer prometheus.Registerer
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	draining   atomic.Bool
	ran        atomic.Bool
}

// New builds a Server. The Echo instance it holds has its banner and port printing off,
// takes client IPs only from the connection (X-Forwarded-For and X-Real-IP are ignored),
// and runs, before routing, one middleware that assigns the request ID, sets the security
// headers, applies the body limit, recovers panics, maps errors through the server's error
// handler and logs and counts each request. Register routes on Echo() before calling Run.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, invalid("nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{
		cfg:    cfg,
		logger: cfg.logger.With(slog.String("service", cfg.service)),
		reg:    prometheus.NewRegistry(),
	}
	s.registerer = prometheus.WrapRegistererWith(prometheus.Labels{"service": cfg.service}, s.reg)
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hashi",
		Subsystem: "http",
		Name:      "requests_total",
		Help:      "HTTP requests served, by method, route template and status code.",
	}, []string{"method", "route", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "hashi",
		Subsystem: "http",
		Name:      "request_duration_seconds",
		Help:      "Latency of HTTP requests, by method, route template and status code.",
		Buckets:   prometheus.DefBuckets,
	}, []string{"method", "route", "code"})
	for _, c := range []prometheus.Collector{s.requests, s.duration} {
		if err := s.registerer.Register(c); err != nil {
			return nil, fmt.Errorf("httpx: register metrics: %w", err)
		}
	}
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := s.reg.Register(c); err != nil {
			return nil, fmt.Errorf("httpx: register metrics: %w", err)
		}
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard)
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Pre(s.core)
	s.e = e

	s.ops = http.NewServeMux()
	s.ops.HandleFunc("GET /healthz", s.healthz)
	s.ops.HandleFunc("GET /readyz", s.readyz)
	s.ops.Handle("GET /metrics", s.metricsHandler())
	return s, nil
}

// Echo returns the Echo instance of the app listener; register routes and route-group
// middleware on it. Do not replace its HTTPErrorHandler, IPExtractor or Pre middleware.
func (s *Server) Echo() *echo.Echo { return s.e }

// Ops returns the ops mux served on the ops listener. It already serves GET /healthz,
// GET /readyz and GET /metrics; a service may add more (never on the app listener).
func (s *Server) Ops() *http.ServeMux { return s.ops }

// Registerer returns the service's own Prometheus registerer. Everything registered here
// carries the label service=<name> and is served on the ops listener's /metrics. The
// process-wide default registry is never used, so several Servers can live in one process.
func (s *Server) Registerer() prometheus.Registerer { return s.registerer }

// Gatherer returns the service's Prometheus registry for reading, for instance to serve the
// metrics of several services from one place (prometheus.Gatherers).
func (s *Server) Gatherer() prometheus.Gatherer { return s.reg }

// Logger returns the server's logger (with the service attribute).
func (s *Server) Logger() *slog.Logger { return s.logger }

// ListenAndRun listens on the TCP addresses appAddr and opsAddr and calls Run. An empty
// opsAddr runs no ops listener.
func (s *Server) ListenAndRun(ctx context.Context, appAddr, opsAddr string) error {
	var lc net.ListenConfig
	app, err := lc.Listen(ctx, "tcp", appAddr)
	if err != nil {
		return fmt.Errorf("httpx: listen: %w", err)
	}
	var ops net.Listener
	if opsAddr != "" {
		if ops, err = lc.Listen(ctx, "tcp", opsAddr); err != nil {
			_ = app.Close()
			return fmt.Errorf("httpx: listen ops: %w", err)
		}
	}
	return s.Run(ctx, app, ops)
}

// Run serves the app on app (with TLS if WithTLS was given) and the ops mux on ops (plain
// HTTP; nil runs no ops listener) until ctx is cancelled or a listener fails. Then it marks
// the server as shutting down (/readyz answers 503), shuts the app server down gracefully —
// no new connections, in-flight requests run to completion — then the ops server, within
// the shutdown timeout in total; connections still open after it are closed. Run closes both
// listeners. It returns nil after a clean shutdown on cancellation, and otherwise the first
// real error: a listener that failed, or a shutdown that timed out. Request contexts are not
// cancelled by ctx; they carry its values. A Server runs once.
func (s *Server) Run(ctx context.Context, app, ops net.Listener) error {
	if app == nil {
		if ops != nil {
			_ = ops.Close()
		}
		return fmt.Errorf("%w: nil app listener", ErrInvalidListener)
	}
	if !s.ran.CompareAndSwap(false, true) {
		_ = app.Close()
		if ops != nil {
			_ = ops.Close()
		}
		return ErrAlreadyRunning
	}
	base := context.WithoutCancel(ctx)
	appSrv := s.httpServer(base, s.e)
	errc := make(chan error, 2)
	running := 1
	if s.cfg.tls != nil {
		appSrv.TLSConfig = s.cfg.tls.Clone()
		go func() { errc <- serveErr("serve", appSrv.ServeTLS(app, "", "")) }()
	} else {
		go func() { errc <- serveErr("serve", appSrv.Serve(app)) }()
	}
	var opsSrv *http.Server
	if ops != nil {
		opsSrv = s.httpServer(base, s.ops)
		running++
		go func() { errc <- serveErr("serve ops", opsSrv.Serve(ops)) }()
	}

	var first error
	select {
	case <-ctx.Done():
	case first = <-errc:
		running--
	}
	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(base, s.cfg.shutdownTimeout)
	defer cancel()
	for _, srv := range []*http.Server{appSrv, opsSrv} {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
			if first == nil {
				first = fmt.Errorf("httpx: shutdown: %w", err)
			}
		}
	}
	for ; running > 0; running-- {
		if err := <-errc; first == nil {
			first = err
		}
	}
	return first
}

// serveErr drops the http.ErrServerClosed that Serve returns after Shutdown.
func serveErr(what string, err error) error {
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("httpx: %s: %w", what, err)
}

// httpServer returns an http.Server with hashi's timeouts. Its error log (TLS handshake
// failures and the like, which name client addresses) goes to the logger at debug level.
func (s *Server) httpServer(base context.Context, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}
