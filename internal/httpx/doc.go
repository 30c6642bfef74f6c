// Package httpx is the Echo v4 plumbing shared by hashi's services (issuer, wallet,
// verifier, and the demo that runs all three in one process): one constructor, one error
// handler, request IDs, request logs, body limits, security headers, panic recovery,
// Prometheus metrics, health and readiness, and a Run that shuts down gracefully.
//
// A service builds a [Server] with [New], registers its routes on [Server.Echo], registers
// its own metrics on [Server.Registerer], and calls [Server.Run] with an app listener and an
// ops listener:
//
//	s, err := httpx.New(
//		httpx.WithServiceName("issuer"),
//		httpx.WithLogger(logger),
//		httpx.WithErrorMapper(issuerhttp.MapError), // domain Codes → OpenID4VCI error JSON
//		httpx.WithReadiness("store", st.Ping),
//	)
//	issuerhttp.Register(s.Echo(), iss)
//	err = s.Run(ctx, appListener, opsListener) // ctx from signal.NotifyContext in cmd
//
// # Errors
//
// Handlers return errors; the server's one HTTPErrorHandler writes them, in this order: a
// body over the limit is 413 {"error":"invalid_request"}; then the service's [ErrorMapper];
// then a [WireError] anywhere in the chain; then Echo's own *echo.HTTPError (router 404 and
// 405, binder 400 and 415) with a fixed body that never repeats the HTTPError's message;
// anything else is 500 {"error":"server_error","error_description":"internal error (request
// id …)"}, with the error's text in the request's log line and never on the wire. Error
// responses carry Cache-Control: no-store, are marshalled completely before anything is
// written, have no body for HEAD, and are skipped (only logged) once a response is committed.
// [WriteError] writes such a response directly.
//
// # Requests
//
// Every app request gets an ID: the client's X-Request-ID if it is 1–64 characters of
// [A-Za-z0-9._-], else a fresh random one. It is echoed in X-Request-ID, available from
// [RequestID] on the request's context, and logged. Each request is logged once, as JSON
// through the injected slog.Logger, with method, route template (c.Path(), never the URL),
// status, latency, request ID, bytes in and out, and the error text if any. Query strings,
// headers (Authorization, DPoP, cookies), bodies and client addresses are never logged; the
// error text is, so domain packages must keep tokens and personal data out of error messages.
// The same labels, with the route template and a bounded method set, feed the counter
// hashi_http_requests_total and the histogram hashi_http_request_duration_seconds.
//
// Responses carry X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer,
// X-Frame-Options: DENY and a Content-Security-Policy ([DefaultContentSecurityPolicy], which
// a service replaces with [WithContentSecurityPolicy] or per route with
// [ContentSecurityPolicy]); Strict-Transport-Security only over TLS. Request bodies are
// limited to [DefaultBodyLimit] unless [WithBodyLimit] or, per route group, [BodyLimit] says
// otherwise. Client IPs come from the connection only; X-Forwarded-For is not trusted.
//
// # Ops listener
//
// The ops listener serves GET /healthz (liveness: always 200 while serving), GET /readyz
// (200 when every [WithReadiness] check passes, 503 when one fails or shutdown has begun,
// with a JSON [Readiness] body) and GET /metrics from the service's own Prometheus registry
// (never the global one, so several services share a process). It is plain HTTP and meant
// for operators and scrapers only.
//
// # What this package does not do
//
// It does not handle signals (cmd builds the context with signal.NotifyContext), load
// certificates, enforce the "plain HTTP only on loopback" rule (the service's config
// validation does), rate-limit, handle CORS or sessions, or know any domain error codes:
// each service's ErrorMapper does that mapping, in one place.
package httpx
