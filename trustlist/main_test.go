package trustlist_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (a Refresher loop, an HTTP
// connection) outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
