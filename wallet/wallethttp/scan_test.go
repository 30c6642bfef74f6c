package wallethttp_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

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

	p := b.postPicture("/wallet/receive/scan", wallethttp.QRPNG(t, e.iss.offerLink()))
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
