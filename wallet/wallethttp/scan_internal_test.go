package wallethttp

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// qrPicture draws text as a QR code of module pixels per module, with a white margin, on
// a canvas of at least minSide pixels, as a photo or screenshot would show it.
func qrPicture(t testing.TB, text string, module, minSide int) *image.Gray {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 4})
	if err != nil {
		t.Fatal(err)
	}
	side := max(m.GetWidth()*module, minSide)
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	off := (side - m.GetWidth()*module) / 2
	for y := range m.GetHeight() * module {
		for x := range m.GetWidth() * module {
			if m.Get(x/module, y/module) {
				img.SetGray(off+x, off+y, color.Gray{Y: 0x10})
			}
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const scanLink = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fsakuragaoka%2Foffers%2F7Q3KX2"

func TestDecodeQR(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	tests := []struct {
		name    string
		picture []byte
		want    string
		err     error
	}{
		{"ok/screenshot png", encodePNG(t, qrPicture(t, scanLink, 6, 0)), scanLink, nil},
		{"ok/phone-sized jpeg (reduced before decoding)", encodeJPEG(t, qrPicture(t, scanLink, 40, 3200)), scanLink, nil},
		{"ok/small code in a large picture", encodeJPEG(t, qrPicture(t, scanLink, 12, 2400)), scanLink, nil},
		{"fail/no code", encodePNG(t, blank), "", errScanNoCode},
		{"fail/not a picture", []byte("%PDF-1.7 not an image"), "", errScanNotImage},
		{"fail/truncated png", encodePNG(t, qrPicture(t, scanLink, 6, 0))[:200], "", errScanNotImage},
		{"fail/too many pixels", encodePNG(t, image.NewGray(image.Rect(0, 0, 5000, 4000))), "", errScanTooLarge},
		{"fail/too many bytes", append([]byte("\x89PNG"), make([]byte, MaxScanBody)...), "", errScanTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeQR(bytes.NewReader(tc.picture))
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("decodeQR = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

// finderTiles draws a picture tiled with QR finder patterns of mixed sizes: hostile input
// whose candidate centres the decoder would otherwise compare triple by triple.
func finderTiles(side int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	y := 0
	for row := 0; y < side; row++ {
		m := 2 + row%3 // pixels per module
		for x := 0; x+9*m <= side; x += 9 * m {
			for dy := range 7 * m {
				for dx := range 7 * m {
					mx, my := dx/m, dy/m
					ring := mx == 0 || my == 0 || mx == 6 || my == 6
					core := mx >= 2 && mx <= 4 && my >= 2 && my <= 4
					if (ring || core) && y+dy < side {
						img.SetGray(x+dx, y+dy, color.Gray{})
					}
				}
			}
		}
		y += 9 * m
	}
	return img
}

// TestDecodeQRHostile: a picture full of finder-like squares stops at maxScanCentres
// candidates instead of keeping the decoder busy; a 16-bit picture over the memory budget
// is refused from its header.
func TestDecodeQRHostile(t *testing.T) {
	if _, err := decodeQR(bytes.NewReader(encodePNG(t, finderTiles(1000)))); !errors.Is(err, errScanTooComplex) {
		t.Fatalf("finder tiles: %v, want the candidate bound to stop the decoder", err)
	}
	deep := image.NewNRGBA64(image.Rect(0, 0, 3000, 3000)) // 9 Mpx × 8 bytes > maxScanDecoded
	if _, err := decodeQR(bytes.NewReader(encodePNG(t, deep))); !errors.Is(err, errScanTooLarge) {
		t.Fatalf("16-bit picture: %v", err)
	}
}

func FuzzDecodeQR(f *testing.F) {
	f.Add(encodePNG(f, qrPicture(f, scanLink, 2, 0)))
	f.Add(encodeJPEG(f, qrPicture(f, "openid4vp://?client_id=x", 2, 0)))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		text, err := decodeQR(bytes.NewReader(b))
		if err == nil && text == "" {
			t.Fatal("no error and no text")
		}
	})
}

// QRPNG is a PNG of text as a QR code, for the package's external tests.
func QRPNG(t testing.TB, text string) []byte { return encodePNG(t, qrPicture(t, text, 6, 0)) }
