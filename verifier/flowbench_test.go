package verifier_test

import (
	"net/url"
	"testing"

	"github.com/hashi-vc/hashi/verifier"
)

// BenchmarkHandleResponse measures one direct_post response end to end on a real store:
// request lookup by state, Verify (trust looked up, status cached), and the completion
// transaction with the presentation digest. Requests and presentations are made outside the
// timer.
func BenchmarkHandleResponse(b *testing.B) {
	f := getPilot()
	cred := f.issue(f.euDiploma())
	for _, mode := range []string{verifier.ResponseModeDirectPost, verifier.ResponseModeDirectPostJWT} {
		b.Run(mode, func(b *testing.B) {
			d := newDesk(b, sqliteDB(b), "", nil)
			w := newTestWallet(cred)
			forms := make([]url.Values, b.N)
			for i := range forms {
				_, r := d.create(b, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: mode})
				forms[i] = w.form(r, w.present(r, "", ""))
			}
			b.ResetTimer()
			for i := range forms {
				if _, err := d.flow.HandleResponse(b.Context(), forms[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
