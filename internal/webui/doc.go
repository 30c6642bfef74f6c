// Package webui is the shared foundation of hashi's server-rendered pages (the issuer's
// registrar pages, the student wallet, the verifier desk): a base layout and partials, the
// en/ja message catalogues, language negotiation, CSRF protection for forms, a signed-cookie
// helper, HTML error pages and the embedded stylesheet. Each service adds only its own
// templates and messages.
//
// # Recipe
//
//	//go:embed messages/*.json
//	var msgs embed.FS                               // en.json, ja.json: {"issuer.name": "…", …}
//	//go:embed pages/*.html
//	var pages embed.FS                              // index.html: {{define "title"}}…{{end}}{{define "content"}}…{{end}}
//	cat, err := webui.NewCatalog(must(fs.Sub(msgs, "messages")))
//	r, err := webui.NewRenderer(cat, must(fs.Sub(pages, "pages")), webui.WithServiceName("issuer.name"))
//	e.GET(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
//	g := e.Group("/registrar", r.Middleware()...)    // Language, Errors, CSRF
//	g.GET("", func(c echo.Context) error { return r.Render(c, 200, "index.html", &webui.Page{Data: d}) })
//	// in forms: <form method="post">{{csrf_field}} … {{template "field_errors" (.Errors.For "email")}}</form>
//	// in tests: webuitest.CheckCatalog(t, cat); b := webuitest.Browser(t)
//
// # Languages
//
// Pages are in English or Japanese. [Catalog.Negotiate] takes an explicit choice first (the
// lang query parameter of the header's switch link, remembered by [Renderer.Language] in the
// hashi_lang cookie), then the Accept-Language header (golang.org/x/text/language's
// matcher), then English. A message missing in Japanese falls back to English; the test
// helper webuitest.CheckCatalog fails on such gaps. Dates are "28 November 2026" and
// "2026年11月28日" ([FormatDate]).
//
// # Rendering
//
// [Renderer.Render] executes a page into a buffer, then writes it with Content-Type
// text/html; charset=utf-8, Content-Language and Cache-Control: no-store; <html> carries
// the lang attribute. Templates translate with t, format dates with date, draw QR codes with
// qr (an inline SVG, no script and no style attribute, so internal/httpx's default
// Content-Security-Policy holds), and put the CSRF token in forms with csrf_field.
//
// # Forms and errors
//
// [Renderer.CSRF] is a double-submit-cookie check for every non-GET request; a failure is
// a 403 page in the request's language. [Renderer.Errors] turns a page handler's error into
// the HTML error page and hands the error on for logging ([Renderer.StatusOf] picks the
// status; WithErrorStatus adds the service's mapping).
//
// # What this package does not do
//
// It has no sessions (the wallet and the registrar sign-in keep their own, and may store
// them in a [SecureCookie], which signs but does not encrypt) and no flash storage across
// redirects (pass Page.Flash when rendering). The CSRF token is not bound to a session, so it
// does not defend against a sibling sub-domain that can plant cookies. It serves only its
// own static assets, and it does not set the Content-Security-Policy (internal/httpx does).
package webui
