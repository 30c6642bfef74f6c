// Package wallethttp is the Echo edge of the hosted student wallet: server-rendered pages in
// English and Japanese (internal/webui) over the wallet core, with accounts kept by the
// Accounts interface (wallet/walletstore implements it).
//
// Routes, under the base path (default /wallet):
//
//	GET  /sign-up, POST /sign-up        username + password (≥ MinPasswordLen) → account, signed in
//	GET  /sign-in, POST /sign-in        rate-limited (per username and per client) → 429 page
//	POST /sign-out                      ends the session
//	GET  /account, POST /account/delete deletes the account and every credential, key and entry
//	GET  /credentials                   cards, and the pending (deferred) issuances
//	GET  /credentials/:id               every claim with en/ja labels; POST .../delete
//	POST /pending/:id/poll              "check again" (PollDeferred)
//	GET  /receive, POST /receive        paste an openid-credential-offer:// link; GET with
//	                                    ?offer=LINK, or with credential_offer(_uri) (the
//	                                    same-device offer endpoint), opens it directly
//	POST /receive/accept                the PIN (tx_code) → Receive → the received cards
//	POST /receive/scan, /present/scan   a picture of the QR code (multipart field "qr", at most
//	                                    MaxScanBody and MaxScanPixels; JPEG, PNG or GIF), decoded
//	                                    on the server and handled as the pasted link. The file field
//	                                    has capture="environment": phone browsers open the camera.
//	GET  /present, POST /present        paste an openid4vp:// link; GET with ?link=LINK, or
//	                                    with client_id & request_uri (the same-device URL)
//	POST /present/share                 the consent form → Present → 303 to redirect_uri
//	POST /present/decline               access_denied
//	POST /present/reject                tells the verifier of an authenticated request that
//	                                    cannot be served (wallet.Reject), when the student asks
//	GET  /history                       every presentation: to whom, which claims, when, outcome
//	GET  /assets/wallet.<hash>.css      the pages' stylesheet (webui's hashi.css is under /static/)
//	GET  on every POST-only route       303 to the page it belongs to, keeping ?lang=: the
//	                                    language switch of a page rendered in answer to a
//	                                    post links to the post's URL (/receive/accept →
//	                                    /credentials, /present/share, /decline, /reject →
//	                                    /history, the scans → their forms; see postOnlyTargets)
//
// A card shows, besides the type's name, what tells credentials of one type apart: the
// degree title (in the page's language when the credential has it) and the holder's name,
// read from the claims (the wallet holds every disclosure). Its status is "Expired", else
// what the issuer's status list says (wallet.Status: valid, revoked, suspended, or "not
// expired, revocation could not be checked"), else, without a status list, "Not expired" or
// "No expiry date". The consent page warns before a revoked or suspended credential is shared.
//
// Claims read as words in the page's language, for students who may not read English nor
// JSON: each row is labelled from the type metadata (a title's or name's language in
// words: 「学位の名称（英語）」), and values that are codes of the academic model (degree
// type, credit framework, quality assurance type, identifier scheme, language and country
// codes, hashi's ECTS method and level basis) read as words (academic.ClaimValueText). The
// claims path and the code stay as tooltips (title attributes), never in the visible text;
// the consent page's "always included" list names claims by their labels, else "other
// information". A claim of a type without metadata (jwt_vc_json) shows its path.
//
// Every form carries the webui CSRF token. Sessions are random tokens from
// Accounts.CreateSession in an HttpOnly, SameSite=Lax cookie (Secure except for plain http
// to a loopback host) lasting SessionMaxAge; a page opened without a session goes to the
// sign-in page and back (?next=, local paths under the base only). Every wallet call is
// scoped by the signed-in account's id as owner. A parsed offer or presentation request
// never leaves the server: it is held in memory (HoldTTL, tied to the account) under a
// random id that the form carries, so a replica restart or another replica forgets it and
// the student pastes the link again.
//
// What this package does not do: a live camera preview (no scripts; a picture is taken or
// chosen, or the link pasted or opened), password change, "sign out everywhere", claim-level choice inside one credential query
// (the core discloses what the query's claims or claim_sets ask; optional parts are whole
// credential queries in optional credential_sets, which the student ticks), and sweeping
// expired sessions (run walletstore's Sweep).
package wallethttp
