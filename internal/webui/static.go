package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFiles embed.FS

// StaticPrefix is the path under which StaticHandler serves the embedded assets.
const StaticPrefix = "/static/"

// Cache-Control values of StaticHandler.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

type asset struct {
	name   string // "hashi.css"
	hashed string // "hashi.0123abcd.css"
	body   []byte
	ctype  string
	etag   string
}

// assets maps both the plain and the hashed file name to the asset.
var assets = loadAssets()

func loadAssets() map[string]*asset {
	m := map[string]*asset{}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a := &asset{name: name, hashed: strings.TrimSuffix(name, ext) + "." + h + ext, body: body, ctype: ctype, etag: `"` + h + `"`}
		m[a.name], m[a.hashed] = a, a
		return nil
	})
	if err != nil {
		panic("webui: embedded static files: " + err.Error())
	}
	return m
}

// StaticURL returns the content-hashed URL of an embedded asset, such as
// "/static/hashi.3f2a9c1b0d4e.css" for "hashi.css". An unknown name is an error with
// CodeTemplate.
func StaticURL(name string) (string, error) {
	a, ok := assets[name]
	if !ok || a.name != name {
		return "", errorf(CodeTemplate, nil, "static: no asset %q", name)
	}
	return StaticPrefix + a.hashed, nil
}

// StaticHandler serves the embedded assets under StaticPrefix, for GET and HEAD only.
// Content-hashed names (from StaticURL) are served with Cache-Control: public,
// max-age=31536000, immutable; plain names with no-cache and an ETag. Anything else is 404.
// Mount it with e.GET("/static/*", echo.WrapHandler(webui.StaticHandler())) (HEAD is routed
// to GET handlers by Echo only if registered; add e.HEAD for it too).
func StaticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		p := req.URL.Path
		name, ok := strings.CutPrefix(p, StaticPrefix)
		a := assets[name]
		if !ok || len(p) > maxStaticPathLen || a == nil {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", a.etag)
		if name == a.hashed {
			h.Set("Cache-Control", cacheImmutable)
		} else {
			h.Set("Cache-Control", cacheRevalidate)
		}
		http.ServeContent(w, req, a.name, time.Time{}, bytes.NewReader(a.body))
	})
}

// Stylesheet is a page set's own CSS, served under a content-hashed file name with a long
// cache lifetime (a new build changes the name, so no browser keeps an old one).
type Stylesheet struct {
	// Name is the content-hashed file name, e.g. "desk.0123456789ab.css".
	Name string
	body []byte
}

// NewStylesheet names body after base and its SHA-256.
func NewStylesheet(base string, body []byte) Stylesheet {
	sum := sha256.Sum256(body)
	return Stylesheet{Name: base + "." + hex.EncodeToString(sum[:6]) + ".css", body: body}
}

// Serve answers with the stylesheet, cacheable for a year.
func (s Stylesheet) Serve(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, cacheImmutable)
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", s.body)
}
