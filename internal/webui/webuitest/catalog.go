package webuitest

import (
	"testing"

	"github.com/hashi-vc/hashi/internal/webui"
)

// CheckCatalog fails t for every key that one served language defines and another does
// not, and for every message that does not translate with no arguments (a broken message
// template). Call it in each service's tests with the service's Catalog.
func CheckCatalog(t testing.TB, c *webui.Catalog) {
	t.Helper()
	langs := webui.Languages()
	all := map[string]bool{}
	for _, tag := range langs {
		for _, k := range c.Keys(tag) {
			all[k] = true
		}
	}
	for _, tag := range langs {
		for k := range all {
			if !c.Has(tag, k) {
				t.Errorf("webuitest: message %q is missing for %s", k, tag)
				continue
			}
			if _, err := c.Translate(tag, k); err != nil {
				t.Errorf("webuitest: message %q (%s) does not translate: %v", k, tag, err)
			}
		}
	}
}
