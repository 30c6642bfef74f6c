package wallethttp_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
)

// postPicture posts a picture to a scan endpoint as the page's form does.
func (b *browserish) postPicture(path string, picture []byte) page {
	b.e.t.Helper()
	if b.cookie(webui.CSRFCookie) == "" {
		b.get("/wallet/sign-in")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField(webui.CSRFField, b.cookie(webui.CSRFCookie))
	if picture != nil {
		fw, err := mw.CreateFormFile("qr", "code.png")
		if err != nil {
			b.e.t.Fatal(err)
		}
		_, _ = fw.Write(picture)
	}
	_ = mw.Close()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, b.e.srv.URL+path, &body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

// TestScanPages: a picture of the offer's QR code opens the offer page as the pasted link
// does; pictures without a code, without a file or too large explain themselves in the
// page's language; both scan endpoints need a session.
func TestScanPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	wantStatus(t, "unsigned receive", b.postPicture("/wallet/receive/scan", nil), http.StatusSeeOther)
	wantStatus(t, "unsigned present", b.postPicture("/wallet/present/scan", nil), http.StatusSeeOther)
	b.signUp("kenji")

	p := b.postPicture("/wallet/receive/scan", wallethttp.QRPNG(t, e.iss.OfferLink()))
	wantStatus(t, "scanned offer", p, http.StatusOK)
	wantBody(t, "scanned offer", p, "Sakuragaoka University", `id="accept-offer"`)

	p = b.postPicture("/wallet/receive/scan", grayPNG(t, 50, 50))
	wantStatus(t, "no code", p, http.StatusUnprocessableEntity)
	wantBody(t, "no code", p, "No QR code could be read in this picture")
	p = b.postPicture("/wallet/present/scan", nil)
	wantStatus(t, "no file", p, http.StatusUnprocessableEntity)
	wantBody(t, "no file", p, "Choose or take a picture of the QR code first.", `id="scan-request"`)
	ja := e.browser("ja")
	ja.signUp("hanako")
	p = ja.postPicture("/wallet/present/scan", []byte(strings.Repeat("x", 100)))
	wantStatus(t, "not a picture", p, http.StatusUnprocessableEntity)
	wantBody(t, "not a picture", p, "このファイルはウォレットが読める画像")
	p = ja.postPicture("/wallet/receive/scan", make([]byte, wallethttp.MaxScanBody+1024))
	wantStatus(t, "too large", p, http.StatusRequestEntityTooLarge)
	wantBody(t, "too large", p, "データが大きすぎます")
}

func grayPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestScanLimits: a picture over MaxScanBody is refused with 413 also when the CSRF token
// comes in its header (the form is then first read by the handler), and a post without a
// session is redirected to sign-in from its headers alone, without waiting for its body.
func TestScanLimits(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.signUp("aiko")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("qr", "code.png")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(make([]byte, wallethttp.MaxScanBody+1024))
	_ = mw.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/wallet/receive/scan", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(webui.CSRFHeader, b.cookie(webui.CSRFCookie))
	p := b.send(req)
	wantStatus(t, "too large, token in header", p, http.StatusRequestEntityTooLarge)
	wantBody(t, "too large, token in header", p, "too large")

	// No session: the body never ends, and the answer must not wait for it.
	anon := e.browser("en")
	anon.get("/wallet/sign-in") // a CSRF cookie, as a browser would have
	pr, pw := io.Pipe()
	defer pw.Close()
	slow := multipart.NewWriter(pw)
	go func() {
		mw := slow
		_ = mw.WriteField(webui.CSRFField, anon.cookie(webui.CSRFCookie))
		fw, _ := mw.CreateFormFile("qr", "code.png")
		// More than net/http discards of an unread body before answering (256 KiB), and
		// then nothing more.
		_, _ = fw.Write(make([]byte, 512<<10))
	}()
	// Should the server wait for the body, end it after a while so the test fails on the
	// answer instead of hanging.
	gaveUp := time.AfterFunc(5*time.Second, func() { _ = pw.CloseWithError(errors.New("the test stopped waiting")) })
	defer gaveUp.Stop()
	req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/wallet/present/scan", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", slow.FormDataContentType())
	res, err := anon.c.Do(req)
	if err != nil {
		t.Fatalf("no answer before the body ended: %v", err)
	}
	_ = res.Body.Close()
	if !gaveUp.Stop() {
		t.Fatal("the answer came only after the body ended")
	}
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/wallet/sign-in") {
		t.Fatalf("got %d to %q, want 303 to sign-in", res.StatusCode, res.Header.Get("Location"))
	}
}
