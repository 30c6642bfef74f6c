// Package verifierhttp is the Echo v4 edge of a hashi verifier desk (a verifier.Flow): the
// OpenID4VP 1.0 wallet endpoints, the desk's JSON API and the desk pages.
//
// Wallet endpoints (paths from the flow's constants, under the path of its BaseURL):
// GET and POST {prefix}/oid4vp/requests/{id} answer the signed request object
// (application/oauth-authz-req+jwt; POST takes wallet_metadata and wallet_nonce as a form);
// POST {prefix}/oid4vp/response takes direct_post (vp_token and state) and direct_post.jwt
// (response, a JWE) and wallet errors, and answers 200 {} or {"redirect_uri": …} for
// same-device requests; GET {prefix}/requests/done/{id}?response_code=… is the landing page
// where the student's browser returns: it tells the student, in their language, what
// happened (shared and accepted, not accepted and why, declined), not the desk's report.
// Errors are JSON {"error", "error_description"} with the OAuth code
// of verifier.Error.OAuthError and the status of Error.HTTPStatus (ErrorMapper); an oversized
// body is 413. Nothing is stored before a request is accepted, and nothing redirects.
//
// Desk API (Authorization: Bearer, the token's SHA-256 given by WithAPITokenSHA256, compared
// in constant time): POST {prefix}/api/requests with {"profile": "diploma" | "learning"} or
// {"dcql_query": {…}} (and optionally response_mode, request_uri_method, same_device,
// policy, and client_id_prefix "redirect_uri" for an unsigned request where the desk allows
// them) answers 201 {"id", "request", "request_uri", "status", "expires_at",
// "status_url"}; GET {prefix}/api/requests/{id} answers the verifier.Report; GET
// {prefix}/api/requests?limit=&before= lists the desk's requests, newest first, as
// {"requests": [verifier.RequestSummary…], "next"} (limit: default RecentPageSize, at most
// MaxRecentLimit; before: the "next" of the page before, absent on the last page). Bodies
// are read strictly (ParseCreateRequest: an unknown member is a 400 naming it). The OpenAPI
// 3.1 document is at GET {prefix}/openapi.json.
//
// Desk pages (WithPageKey; English and Japanese through internal/webui; see pages.go): sign
// in with the API token, choose what to request, show the request as a QR code and a link,
// reload every RefreshSeconds until the answer arrives (no scripts), list the desk's recent
// requests (newest first, paged, each with its time, status in words and what it asked for,
// linking its page; the newest few also under the new-request form), and show the printable
// report: the desk that asked (WithDeskName), the verdict, the issuer's names and country,
// the trust path (each name in the page's language), the qualification comparison, the
// disclosed claims and every check with its reason explained. The pages fit a phone's
// screen (390 px) and print on A4.
//
// WebhookSender is the HTTP delivery of result notifications (https only, no redirects);
// the caller runs Flow.DeliverWebhooks with it periodically.
//
// Not done here: binding the same-device landing page to the browser session that started
// the request (the response_code alone opens it), rate limiting, choosing among several desk
// policies in the pages (the API's "policy" does), and searching the list of requests (by
// student, status or date): it only pages back in time, and shows no claim of any result.
package verifierhttp
