// Package webuitest holds test helpers for pages built on internal/webui: CheckCatalog, which
// fails a test when the English and Japanese catalogues do not define the same keys, and
// Browser, a headless Chromium driven with chromedp for end-to-end tests.
//
// Browser looks for Chromium at $HASHI_CHROMIUM, else /usr/bin/chromium (Debian's
// package). When it is absent the test is skipped with a message, unless
// HASHI_TEST_BROWSER=1, which turns the absence into a failure (set it in CI). Each Browser
// is a fresh Chromium process with its own profile directory, headless, without network
// services of its own (no QUIC, no background networking, no component updates, no sync),
// stopped when the test ends. When a test fails, a screenshot of the page is written into
// t.TempDir() and its path is logged; set HASHI_SCREENSHOTS to a directory to keep the
// screenshots after the test (t.TempDir is removed when the test ends).
//
// This package is for tests only.
package webuitest
