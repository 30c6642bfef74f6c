// Package issuerhttp is the Echo v4 edge of the OpenID4VCI 1.0 credential issuer (package
// issuer): it binds HTTP requests, calls one issuer method per request and renders the
// result. Every tenant's Credential Issuer Identifier is Config.BaseURL + "/" + tenant, so
// the routes live under the path of BaseURL (the prefix) and the well-known documents are
// served with the prefix inserted after the well-known segment (RFC 8414 §3.1, OpenID4VCI
// 1.0 §12.2.2).
//
// Routes (prefix "/issuer" for BaseURL https://host/issuer):
//
//	GET  /.well-known/openid-credential-issuer{prefix}/:tenant   Credential Issuer Metadata
//	GET  /.well-known/oauth-authorization-server{prefix}/:tenant RFC 8414 metadata
//	GET  /.well-known/jwt-vc-issuer{prefix}/:tenant              JWT VC Issuer Metadata
//	GET  {prefix}/:tenant/offers/:id                             Credential Offer (credential_offer_uri)
//	POST {prefix}/:tenant/token                                  token endpoint (form)
//	POST {prefix}/:tenant/nonce                                  nonce endpoint
//	POST {prefix}/:tenant/credential                             credential endpoint
//	POST {prefix}/:tenant/deferred_credential                    deferred credential endpoint
//	POST {prefix}/:tenant/notification                           notification endpoint (204)
//	GET  {prefix}/:tenant/status/:id                             status list token
//	GET  {prefix}/openapi.json                                   OpenAPI 3.1 of the registrar API
//	     {prefix}/:tenant/admin/...                              registrar API (bearer token)
//	     {prefix}/:tenant/registrar/...                          registrar pages (WithPageKey)
//
// The registrar pages (English and Japanese, internal/webui) are mounted only with
// [WithPageKey]: sign-in with the registrar token (a signed, tenant-bound session cookie),
// overview, graduates with CSV/JSON-lines upload, a sample CSV and per-row results, new offers with their QR
// code, link and PIN, offers, issued credentials with revoke/suspend/reinstate, and the audit
// log. They use no JavaScript, carry CSRF tokens on every form and call the same core methods
// as the JSON API.
//
// Errors are rendered in one place, [ErrorMapper], which [httpx.WithErrorMapper] installs:
// {"error", "error_description"} (and "fields" for invalid_input) with the status of
// [issuer.Error.HTTPStatus], except that the token endpoint answers DPoP problems with 400
// (RFC 9449 §5) and the credential, deferred credential and notification endpoints answer
// token and DPoP problems with 401 and a WWW-Authenticate challenge (RFC 6750 §3, RFC 9449
// §7.1). Errors that are not *issuer.Error fall through to httpx (500 with a request id).
//
// What this package does not do: TLS, rate limiting, CORS, request logging and body limits
// (httpx does those; the graduate import raises its own limit to [DefaultImportBodyLimit]),
// signed metadata (application/jwt), encrypted credential requests, the authorization code
// flow, sign-in rate limiting, and server-side session revocation (sign-out clears the cookie;
// changing the registrar token ends every session of the tenant).
package issuerhttp
