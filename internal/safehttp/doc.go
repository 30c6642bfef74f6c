// Package safehttp is hashi's client for fetching URLs that come from untrusted input:
// credential offers, issuer and authorization-server metadata, OpenID4VP request objects and
// the endpoints they name. A wallet follows links a stranger can craft, so every request is
// checked before and while it is made.
//
// What a Client enforces:
//   - the URL is absolute https; plain http only to loopback hosts (an IP literal in
//     127.0.0.0/8 or ::1, "localhost" or a name under ".localhost") and only with
//     WithLoopbackInsecure; no user info;
//   - at dial time, on the address actually connected to (after DNS resolution, so a name
//     that resolves to an internal address is caught even when it changed since the URL was
//     checked: DNS rebinding), unspecified, multicast, link-local, private (RFC 1918,
//     RFC 4193) and other special-purpose addresses are refused, and loopback unless
//     WithLoopbackInsecure; private ranges only with WithPrivateNetworksInsecure; a plain
//     http request may only connect to a loopback address;
//   - redirects are never followed: a 3xx answer is an error with CodeRedirectRefused;
//   - timeouts: dial, TLS handshake, response header and the whole exchange (default 10 s);
//   - response bodies are read up to a limit (default 1 MiB, per call overridable) and a
//     larger body is an error with CodeTooLarge;
//   - TLS uses the system roots, or the pool given with WithRootCAs (the demo's TLS CA).
//
// Errors are *Error with a stable Code (blocked_address, invalid_url, too_large, timeout,
// redirect_refused, bad_status, network). A Response with any status other than 3xx is
// returned to the caller, who decides what it expects (Response.Expect).
//
// What this package does not do: it sends no cookies and keeps no credentials, does not
// retry, does not cache, and does not decide whether a host is trustworthy beyond its
// address class: the protocols above it authenticate their counterparts.
package safehttp
