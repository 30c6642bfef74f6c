package verifier_test

import (
	"context"
	"testing"

	"github.com/hashi-vc/hashi/verifier"
)

// FuzzVerify feeds arbitrary vp_tokens to Verify under a valid policy. Properties: no panic, no
// error (the policy is valid, so everything about the input is a Result), a rejected Result
// always carries a Reason, and an accepted one has no failed check.
func FuzzVerify(f *testing.F) {
	p := getPilot()
	cred, _ := pocFiles()
	f.Add(vpToken("diploma", euPres(p, nil)))
	f.Add(vpToken("diploma", cred))
	f.Add([]byte(`{"diploma":["eyJhbGciOiJFUzI1NiJ9.e30.sig~"]}`))
	f.Add([]byte(`{"diploma":[]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	v := must1(verifier.New(p.trustSet(granted(), granted()), defaultStatus(p, presentedAt), verifier.WithTrustCacheTTL(verifier.MaxTrustCacheTTL)))
	pol := jpDeskPolicy(presentedAt)
	f.Fuzz(func(t *testing.T, tok []byte) {
		res, err := v.Verify(context.Background(), tok, pol)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		switch res.Verdict {
		case verifier.VerdictRejected:
			if res.Reason == "" {
				t.Fatal("rejected without a reason")
			}
		case verifier.VerdictAccepted:
			for _, cr := range res.Credentials {
				for _, c := range cr.Checks {
					if !c.OK {
						t.Fatalf("accepted with failed check %+v", c)
					}
				}
			}
		default:
			t.Fatalf("verdict %q", res.Verdict)
		}
	})
}
