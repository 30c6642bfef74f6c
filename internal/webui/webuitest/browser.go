package webuitest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// actionTimeout bounds each helper call (navigate, click, …).
const actionTimeout = 15 * time.Second

// B is one headless Chromium tab bound to a test. Its methods fail the test on error.
type B struct {
	t     testing.TB
	ctx   context.Context
	shots atomic.Int32
	dir   string
}

// Browser starts a fresh headless Chromium for t and returns its tab. It skips t when
// Chromium is absent, unless HASHI_TEST_BROWSER=1, which makes that a failure. The browser
// stops when t ends; a failed test leaves a screenshot in t.TempDir() (or in
// $HASHI_SCREENSHOTS when set, which outlives the test) and logs its path.
func Browser(t testing.TB) *B {
	t.Helper()
	path := os.Getenv("HASHI_CHROMIUM")
	if path == "" {
		path = DefaultChromium
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() { //nolint:gosec // G703: the developer names the browser
		msg := fmt.Sprintf("webuitest: no Chromium at %s (install Debian's chromium package or set HASHI_CHROMIUM)", path)
		if os.Getenv("HASHI_TEST_BROWSER") == "1" {
			t.Fatal(msg + "; HASHI_TEST_BROWSER=1 requires the browser")
		}
		t.Skip(msg + "; set HASHI_TEST_BROWSER=1 to make this a failure")
	}
	shotDir := os.Getenv("HASHI_SCREENSHOTS")
	if shotDir == "" {
		shotDir = t.TempDir()
	} else if err := os.MkdirAll(shotDir, 0o750); err != nil { //nolint:gosec // G703: the developer names the directory
		t.Fatalf("webuitest: HASHI_SCREENSHOTS: %v", err)
	}
	// Chromium's helper processes may still write into the profile after the main process
	// exits, so the profile is not a t.TempDir (whose cleanup would fail the test); it is
	// removed with retries instead.
	profile, err := os.MkdirTemp("", "hashi-chromium-")
	if err != nil {
		t.Fatalf("webuitest: profile dir: %v", err)
	}
	t.Cleanup(func() { removeWithRetry(profile) })

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 768),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &B{t: t, ctx: ctx, dir: shotDir}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// Registered after the browser's cleanup, so it runs first, while the tab is alive.
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot("failure")
		}
	})
	// The first call starts the browser; its context must have no timeout, or the timeout
	// would stop the browser (see chromedp.Run).
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("webuitest: start Chromium %s: %v", path, err)
	}
	return b
}

func removeWithRetry(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Context returns the tab's chromedp context, for actions the helpers do not cover:
// chromedp.Do(b.Context(), …).
func (b *B) Context() context.Context { return b.ctx }

// Do runs chromedp actions with the helper timeout and fails the test (with a screenshot)
// on error.
func (b *B) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

func (b *B) fail(what string, err error) {
	b.t.Helper()
	b.screenshot("failed-" + what)
	b.t.Fatalf("webuitest: %s: %v", what, err)
}

// Navigate loads url, waits for the page to load and returns the HTTP status of the
// document.
func (b *B) Navigate(url string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.fail("navigate "+url, err)
	}
	return int(resp.Status)
}

// SetAcceptLanguage makes every following request of the tab send Accept-Language: value.
func (b *B) SetAcceptLanguage(value string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": value}}); err != nil {
		b.fail("set Accept-Language", err)
	}
}

// Fill sets the value of the form field matched by the CSS selector.
func (b *B) Fill(selector, value string) {
	b.t.Helper()
	b.Do("fill "+selector, chromedp.WaitVisible(chromedp.CSS(selector)), chromedp.SetValue(chromedp.CSS(selector), value))
}

// Click clicks the element matched by the CSS selector, for clicks that do not load a page.
func (b *B) Click(selector string) {
	b.t.Helper()
	b.Do("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// ClickNavigate clicks the element matched by the CSS selector (a link or a submit
// button), waits for the page it loads and returns that page's HTTP status.
func (b *B) ClickNavigate(selector string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil {
		b.fail("click "+selector, err)
	}
	return int(resp.Status)
}

// Text returns the visible text of the first element matched by the CSS selector.
func (b *B) Text(selector string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil {
		b.fail("text of "+selector, err)
	}
	return strings.TrimSpace(s)
}

// Attr returns an attribute of the first element matched by the CSS selector, or "".
func (b *B) Attr(selector, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		b.fail("attribute "+name+" of "+selector, err)
	}
	return r.Value
}

// Location returns the tab's current URL.
func (b *B) Location() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fail("location", err)
	}
	return u
}

// EvalString evaluates a JavaScript expression that yields a string in the page.
func (b *B) EvalString(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.fail("eval", err)
	}
	return s
}

// Cookie returns the value of the browser's cookie name for the current page, and whether
// there is one (HttpOnly cookies included).
func (b *B) Cookie(name string) (string, bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		b.fail("cookies", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// Screenshot writes a PNG of the whole page into the test's temporary directory, logs its
// path and returns it ("" when that fails).
func (b *B) Screenshot(name string) string {
	b.t.Helper()
	return b.screenshot(name)
}

func (b *B) screenshot(name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			b.t.Logf("webuitest: screenshot %s: %v", name, err)
		}
		return ""
	}
	n := b.shots.Add(1)
	p := filepath.Join(b.dir, fmt.Sprintf("%s-%02d-%s.png", sanitize(b.t.Name()), n, sanitize(name)))
	if err := os.WriteFile(p, buf, 0o600); err != nil {
		b.t.Logf("webuitest: write screenshot: %v", err)
		return ""
	}
	b.t.Logf("webuitest: screenshot %s", p)
	return p
}

func sanitize(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
		if sb.Len() >= 40 {
			break
		}
	}
	return sb.String()
}
