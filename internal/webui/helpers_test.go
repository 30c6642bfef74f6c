package webui_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/labstack/echo/v4"
)

// demoMessages are a small service's own messages, on top of the base catalogue.
var demoMessages = fstest.MapFS{
	"en.json": {Data: []byte(`{
  "demo.name": "Demo Registrar",
  "demo.title": "Welcome",
  "demo.hello": "Hello, {{.Name}}",
  "demo.done": "Saved.",
  "demo.items": {"one": "{{.Count}} credential", "other": "{{.Count}} credentials"},
  "field.email": "Email address"
}`)},
	"ja.json": {Data: []byte(`{
  "demo.name": "デモ教務",
  "demo.title": "ようこそ",
  "demo.hello": "こんにちは、{{.Name}}さん",
  "demo.done": "保存しました。",
  "demo.items": {"other": "証明書{{.Count}}件"},
  "field.email": "メールアドレス"
}`)},
}

// demoPages are a small service's pages: a partial, a page with a form, and a thanks page.
var demoPages = fstest.MapFS{
	"_hello.html": {Data: []byte(`{{define "hello"}}<p id="hello">{{t "demo.hello" "Name" .}}</p>{{end}}`)},
	"index.html": {Data: []byte(`{{define "title"}}{{t "demo.title"}}{{end}}
{{define "content"}}<h1 id="title">{{t "demo.title"}}</h1>
{{template "hello" .Data.Name}}
<p id="date">{{date .Data.Date}}</p>
<p id="items">{{t "demo.items" "Count" .Data.Count}}</p>
{{with .Data.QR}}{{template "qr_figure" .}}{{end}}
<form method="post" action="/form" id="form" novalidate>{{csrf_field}}
<label for="email">{{t "field.email"}}</label>
<input type="email" id="email" name="email">
{{template "field_errors" (.Errors.For "email")}}
<button type="submit" id="submit">{{t "form.submit"}}</button>
</form>{{end}}`)},
	"thanks.html": {Data: []byte(`{{define "title"}}{{t "demo.done"}}{{end}}
{{define "content"}}<h1 id="title">{{t "demo.done"}}</h1>{{end}}`)},
}

func newCatalog(t testing.TB) *webui.Catalog {
	t.Helper()
	c, err := webui.NewCatalog(demoMessages)
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	return c
}

func newRenderer(t testing.TB, opts ...webui.Option) *webui.Renderer {
	t.Helper()
	r, err := webui.NewRenderer(newCatalog(t), demoPages, append([]webui.Option{webui.WithServiceName("demo.name")}, opts...)...)
	if err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	return r
}

// serve runs one request through Echo with h registered at path behind mws.
func serve(t testing.TB, req *http.Request, path string, h echo.HandlerFunc, mws ...echo.MiddlewareFunc) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	e.Any(path, h, mws...)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}
