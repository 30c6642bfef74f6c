package verifier_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierstore"
)

// A JP desk asks for a diploma; the student's wallet fetches the signed request object,
// presents her EU diploma encrypted to the request's key (direct_post.jwt), and the desk
// reads the verified result.
func ExampleFlow() {
	ctx := context.Background()
	p := getPilot()
	dir := must1(os.MkdirTemp("", "flow-example-"))
	defer func() { _ = os.RemoveAll(dir) }()
	db := must1(sqldb.Open(ctx, "sqlite:"+filepath.ToSlash(filepath.Join(dir, "verifier.db"))))
	defer func() { _ = db.Close() }()
	st := must1(verifierstore.New(ctx, db))

	status := &memStatus{}
	status.set(statusURI(p.euIssuer), statusToken(p.euSeal, statusURI(p.euIssuer), presentedAt))
	v := must1(verifier.New(p.trustSet(granted(), granted()), status))
	access := must1(p.p.Entity(pki.RoleAccess, "jp-desk"))
	flow := must1(verifier.NewFlow(st, v, verifier.FlowConfig{
		Key: access.Signer(), Chain: access.Chain, BaseURL: "https://jp-desk.localhost",
		ClientIDPrefix: verifier.PrefixX509SANDNS, Policies: deskPolicies(), DefaultPolicy: "default",
		Now: func() time.Time { return presentedAt },
	}))

	created := must1(flow.CreateRequest(ctx, verifier.RequestInput{Profile: verifier.ProfileDiploma, SameDevice: true}))
	fmt.Println(strings.SplitAfter(created.Request, "&")[0])

	wallet := newTestWallet(p.issue(p.euDiploma()))
	req := must1(wallet.fetch(ctx, &desk{flow: flow, base: "https://jp-desk.localhost"}, created.Request, `{"client_id_prefixes_supported":["x509_san_dns"]}`))
	resp := must1(flow.HandleResponse(ctx, wallet.form(req, wallet.present(req, "", ""))))
	fmt.Println("redirect:", strings.HasPrefix(resp.RedirectURI, "https://jp-desk.localhost/requests/done/"))

	rep := must1(flow.Status(ctx, created.ID))
	q := rep.Result.Credentials[0].Qualification
	fmt.Println(rep.Status, rep.Result.Verdict, rep.Result.Credentials[0].Issuer.NameEN, "EQF", q.EQFLevel)
	// Output:
	// openid4vp://?client_id=x509_san_dns%3Ajp-desk.localhost&
	// redirect: true
	// verified accepted Oostland University EQF 7
}
