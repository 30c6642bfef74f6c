package wallethttp

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	_ "image/gif"  // pictures of QR codes: GIF
	_ "image/jpeg" // phone cameras
	_ "image/png"  // screenshots
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/hashi-vc/hashi/internal/webui"
)

// Scanning a QR code works without JavaScript: the receive and present pages have a file
// field with accept="image/*" and capture="environment", which phone browsers open as the
// camera and other browsers as a file picker; the picture is posted and decoded here, and
// the link it holds is handled as if pasted.

// Limits of a scanned picture.
const (
	// MaxScanBody bounds the multipart post of a picture.
	MaxScanBody = 10 << 20
	// MaxScanPixels bounds the picture's size (a 16-megapixel phone photo), checked from
	// its header before it is decoded.
	MaxScanPixels = 16 << 20
	// maxScanDecoded bounds the memory of the decoded picture, from its header's colour
	// model (a 16-bit PNG takes 8 bytes a pixel).
	maxScanDecoded = 64 << 20
	// scanSide is the longest side a picture is reduced to before the QR code is looked
	// for: a phone photo is far larger than a code needs.
	scanSide = 1000
	// maxScanCentres bounds the finder-pattern candidates the decoder may collect; it
	// compares every triple of them, so a picture tiled with finder-like squares would
	// otherwise keep a core busy for minutes. A real code has three.
	maxScanCentres = 128
	// maxScanConcurrent is how many pictures are decoded at once; more get "busy".
	maxScanConcurrent = 2
)

// scanSlots limits concurrent decoding (CPU and memory) across the process.
var scanSlots = make(chan struct{}, maxScanConcurrent)

// errTooManyCentres stops the decoder from inside its callback.
type errTooManyCentres struct{}

// Why a picture yields no link; each is a message key.
var (
	errScanNotImage = errors.New("scan.not_image")
	errScanTooLarge = errors.New("scan.too_large")
	errScanNoCode   = errors.New("scan.no_code")
	errScanBusy     = errors.New("scan.busy")
	// errScanTooComplex: the decoder gave up after maxScanCentres candidates; the student
	// reads the same message as for no code.
	errScanTooComplex = errors.New("scan.no_code")
)

// decodeQR reads the text of the QR code in a JPEG, PNG or GIF picture.
func decodeQR(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxScanBody+1))
	if err != nil {
		return "", err
	}
	if len(b) > MaxScanBody {
		return "", errScanTooLarge
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", errScanNotImage
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || px > MaxScanPixels || px*bytesPerPixel(cfg.ColorModel) > maxScanDecoded {
		return "", errScanTooLarge
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return "", errScanNotImage
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(grayScaled(img, scanSide))
	if err != nil {
		return "", errScanNoCode
	}
	return findQR(bmp)
}

// findQR runs the QR reader with a bound on the finder-pattern candidates it collects.
func findQR(bmp *gozxing.BinaryBitmap) (text string, err error) {
	centres := 0
	hints := map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_TRY_HARDER: true,
		gozxing.DecodeHintType_NEED_RESULT_POINT_CALLBACK: gozxing.ResultPointCallback(func(gozxing.ResultPoint) {
			if centres++; centres > maxScanCentres {
				panic(errTooManyCentres{})
			}
		}),
	}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(errTooManyCentres); !ok {
				panic(p)
			}
			text, err = "", errScanTooComplex
		}
	}()
	res, derr := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if derr != nil || res.GetText() == "" {
		return "", errScanNoCode
	}
	return res.GetText(), nil
}

// bytesPerPixel is the memory a decoded pixel of colour model m takes (at most).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.YCbCrModel:
		return 3
	}
	return 4 // RGBA, NRGBA, CMYK, paletted (whose pixels are 1 byte, but be safe)
}

// grayScaled returns img in gray, its longest side reduced to at most side pixels by
// averaging boxes of pixels.
func grayScaled(img image.Image, side int) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	f := max((max(w, h)+side-1)/side, 1)
	luma := func(x, y int) int { return int(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y) }
	switch t := img.(type) { // JPEG and gray pictures: read the luma plane directly
	case *image.YCbCr:
		luma = func(x, y int) int { return int(t.Y[t.YOffset(x, y)]) }
	case *image.Gray:
		luma = func(x, y int) int { return int(t.Pix[t.PixOffset(x, y)]) }
	}
	out := image.NewGray(image.Rect(0, 0, (w+f-1)/f, (h+f-1)/f))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			var sum, n int
			for yy := y * f; yy < min((y+1)*f, h); yy++ {
				for xx := x * f; xx < min((x+1)*f, w); xx++ {
					sum += luma(b.Min.X+xx, b.Min.Y+yy)
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n) //nolint:gosec // G115: an average of values 0–255
		}
	}
	return out
}

// scannedLink decodes the picture posted in the form field "qr"; on failure it returns the
// flash to show.
func scannedLink(c echo.Context) (string, *webui.Flash, error) {
	fh, err := c.FormFile("qr")
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return "", nil, err // over MaxScanBody: 413 with the error page, as when the CSRF check reads the form
	}
	if err != nil {
		return "", &webui.Flash{Kind: webui.FlashError, Key: "scan.missing"}, nil
	}
	select {
	case scanSlots <- struct{}{}:
		defer func() { <-scanSlots }()
	default:
		return "", &webui.Flash{Kind: webui.FlashError, Key: errScanBusy.Error()}, nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer func() { _ = f.Close() }()
	link, err := decodeQR(f)
	switch {
	case errors.Is(err, errScanNotImage), errors.Is(err, errScanTooLarge), errors.Is(err, errScanNoCode), errors.Is(err, errScanTooComplex):
		return "", &webui.Flash{Kind: webui.FlashError, Key: err.Error()}, nil
	case err != nil:
		return "", nil, err
	}
	return link, nil, nil
}

// receiveScan is POST /receive/scan: the offer in a picture of its QR code.
func (h *Handler) receiveScan(c echo.Context) error {
	link, flash, err := scannedLink(c)
	if err != nil {
		return err
	}
	if flash != nil {
		return h.r.Render(c, scanStatus(flash), "receive.html", &webui.Page{Flash: []webui.Flash{*flash}, Data: linkView{frame: h.frame(c, "receive")}})
	}
	return h.openOffer(c, link)
}

// presentScan is POST /present/scan: the request in a picture of its QR code.
func (h *Handler) presentScan(c echo.Context) error {
	link, flash, err := scannedLink(c)
	if err != nil {
		return err
	}
	if flash != nil {
		return h.r.Render(c, scanStatus(flash), "present.html", &webui.Page{Flash: []webui.Flash{*flash}, Data: linkView{frame: h.frame(c, "present")}})
	}
	return h.openRequest(c, link)
}

// scanStatus is the HTTP status of a page that reports a picture it could not use: 503 when
// the decoders were busy, else 422.
func scanStatus(f *webui.Flash) int {
	if f.Key == errScanBusy.Error() {
		return http.StatusServiceUnavailable
	}
	return http.StatusUnprocessableEntity
}
