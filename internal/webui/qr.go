package webui

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QRSVG encodes content as a QR code (error correction level M, with the standard four-module
// quiet zone) and returns it as an inline SVG element: one white background rectangle and
// one black path, one unit per module, with role="img" and label as its aria-label. It uses
// no script, no style attribute and no data: URL, so it renders under the default
// Content-Security-Policy of internal/httpx. The SVG scales with CSS; give it a width.
// Content longer than 2048 bytes, or beyond what a QR code holds, is an error with
// CodeQRTooLong.
func QRSVG(content, label string) (template.HTML, error) {
	if len(content) > maxQRContentLen {
		return "", errorf(CodeQRTooLong, nil, "QR content of %d bytes exceeds %d", len(content), maxQRContentLen)
	}
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", errorf(CodeQRTooLong, err, "QR encode")
	}
	bm := q.Bitmap()
	n := strconv.Itoa(len(bm))
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 `)
	b.WriteString(n + " " + n)
	b.WriteString(`" role="img" aria-label="`)
	b.WriteString(html.EscapeString(label))
	b.WriteString(`" shape-rendering="crispEdges"><rect width="`)
	b.WriteString(n + `" height="` + n)
	b.WriteString(`" fill="#fff"/><path fill="#000" d="`)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			// One rectangle per horizontal run of dark modules.
			b.WriteString("M" + strconv.Itoa(x) + " " + strconv.Itoa(y) + "h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil //nolint:gosec // built here from numbers and an escaped label
}
