package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// The demo's status lists: one 1-bit list of 2^17 entries per university, so a credential's
// index says nothing about how many diplomas a university has issued.
const (
	fixtureStatusListBits = 1
	fixtureStatusListSize = 1 << 17
	fixtureStatusTTL      = 12 * time.Hour
)

// runSealFixtures is the foundation walk-through the first demo was: it generates the pilot
// PKI into dir (reused on later runs), seals a diploma per university as SD-JWT VC and
// jwt_vc_json with status lists, presents each to the desk of the other jurisdiction with a
// key-binding JWT, and verifies it there. The CLI tests check `credential verify` and
// `credential inspect` on what it writes.
func runSealFixtures(ctx context.Context, w io.Writer, dir string, now time.Time) error {
	fmt.Fprintf(w, "sealed credentials\ndata folder: %s\n\n", dir)

	pkiDir := filepath.Join(dir, "pki")
	_, statErr := os.Stat(filepath.Join(pkiDir, pki.ManifestFile))
	m, err := pki.Init(pkiDir, pki.DefaultConfig(""), now)
	if err != nil {
		return fmt.Errorf("pilot PKI: %w", err)
	}
	p, err := pki.Load(pkiDir)
	if err != nil {
		return fmt.Errorf("pilot PKI: %w", err)
	}
	verb := "generated"
	if statErr == nil {
		verb = "reused"
	}
	fmt.Fprintf(w, "1. Pilot PKI %s in %s: %d certificates (trusted-list signers, seal and access CAs, university seals, desk access certificates, TLS).\n",
		verb, pkiDir, len(m.Entities))

	anchors := x509.NewCertPool()
	for _, e := range p.Entities() {
		if e.Info.Role == pki.RoleSealCA {
			anchors.AddCert(e.Certificate)
		}
	}

	issued := make(map[string]demoIssued)
	for _, u := range m.Config.Universities {
		out, err := demoIssue(dir, p, u, now)
		if err != nil {
			return fmt.Errorf("%s issues: %w", u.Name.EN, err)
		}
		issued[u.ID] = out
		fmt.Fprintf(w, "\n2. %s (%s) seals a diploma for %s:\n", u.Name.EN, u.Country, out.learner)
		for _, f := range out.files {
			fmt.Fprintf(w, "   %s\n", f)
		}
	}

	var failed []string
	for _, u := range m.Config.Universities {
		desk, ok := otherDesk(m.Config, u.Jurisdiction)
		if !ok {
			continue
		}
		res, err := demoPresentAndVerify(ctx, w, dir, issued[u.ID], u, desk, anchors, now)
		if err != nil {
			return err
		}
		if !res {
			failed = append(failed, u.ID)
		}
	}

	if len(failed) > 0 {
		return exitError{code: 1, msg: "verification failed for " + strings.Join(failed, ", ")}
	}
	return nil
}

type demoIssued struct {
	learner     string
	diploma     string // SD-JWT VC, urn:hashi:diploma:1
	statusToken string
	holder      *ecdsa.PrivateKey
	files       []string
}

func otherDesk(cfg pki.Config, jurisdiction string) (pki.Verifier, bool) {
	for _, v := range cfg.Verifiers {
		if v.Jurisdiction != jurisdiction {
			return v, true
		}
	}
	return pki.Verifier{}, false
}

// demoDiploma picks the sample record of the university's country and makes the university
// its awarding body, with the names and identifier of its seal certificate.
func demoDiploma(u pki.University) (academic.Diploma, error) {
	d := academic.SampleEUMaster()
	if u.Country == "JP" {
		d = academic.SampleJPMedicalBachelor()
	}
	body := academic.AwardingBody{Name: academic.LangMap{"en": u.Name.EN}, Country: u.Country}
	if u.Name.JA != "" {
		body.Name["ja"] = u.Name.JA
	}
	scheme, value, _ := strings.Cut(u.OrganizationIdentifier, "-")
	switch scheme {
	case "NTRJP":
		body.Identifiers = []academic.Identifier{{Scheme: academic.SchemeJPCorporateNumber, Value: value}}
	default:
		body.Identifiers = []academic.Identifier{{Scheme: academic.SchemeEIDASLegalIdentifier, Value: u.Country + "/" + u.Country + "/" + value}}
	}
	d.AwardingBody = body
	return d, d.Validate()
}

func demoIssue(dir string, p *pki.PKI, u pki.University, now time.Time) (demoIssued, error) {
	var out demoIssued
	seal, err := p.Entity(pki.RoleSeal, u.ID)
	if err != nil {
		return out, err
	}
	d, err := demoDiploma(u)
	if err != nil {
		return out, err
	}
	out.learner = d.Learner.GivenName + " " + d.Learner.FamilyName

	holder, err := demoHolderKey(filepath.Join(dir, "holder", u.ID+".key.jwk.json"))
	if err != nil {
		return out, err
	}
	out.holder = holder
	cnf, err := jose.PublicJWK(&holder.PublicKey)
	if err != nil {
		return out, err
	}

	// Status list: every credential gets a random index in its university's list.
	statusURI := u.IssuerURL + "/status/1"
	list, err := statuslist.New(fixtureStatusListBits, fixtureStatusListSize)
	if err != nil {
		return out, err
	}
	idx, err := statuslist.PickIndex(list.Len(), func(int) bool { return false }, rand.Reader)
	if err != nil {
		return out, err
	}
	status := map[string]any{"status_list": map[string]any{"idx": idx, "uri": statusURI}}

	// urn:hashi:diploma:1 as SD-JWT VC, sealed with the university's certificate (x5c).
	cs, err := d.HashiDiplomaClaims()
	if err != nil {
		return out, err
	}
	claims := cs.Claims
	claims["iss"], claims["vct"], claims["iat"] = u.IssuerURL, cs.VCT, now.Unix()
	claims["cnf"], claims["status"] = map[string]any{"jwk": cnf}, status
	vcIssuer, err := sdjwt.NewVCIssuer(seal.Signer(), jose.SignHeader{X5C: seal.Chain}, sdjwt.WithDecoys(3))
	if err != nil {
		return out, err
	}
	if out.diploma, err = vcIssuer.Issue(claims, paths(cs.Disclosable)); err != nil {
		return out, err
	}

	// The EUDI learning credential from the same record (what the EU–JP PoC exchanges).
	lc, err := d.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: now, ExpiryDate: now.AddDate(50, 0, 0)})
	if err != nil {
		return out, err
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	lclaims := lc.Claims
	lclaims["iss"], lclaims["vct"], lclaims["iat"], lclaims["exp"] = u.IssuerURL, lc.VCT, now.Unix(), now.AddDate(50, 0, 0).Unix()
	lclaims["jti"], lclaims["cnf"] = "urn:uuid:"+uuidString(jti), map[string]any{"jwk": cnf}
	learning, err := vcIssuer.Issue(lclaims, paths(lc.Disclosable))
	if err != nil {
		return out, err
	}

	// The jwt_vc_json (VCDM 1.1) view, bound to the holder's did:jwk.
	did, err := vcjwt.DIDJWK(&holder.PublicKey)
	if err != nil {
		return out, err
	}
	vc, err := d.VCDM11(academic.VCDM11Options{IssuerID: u.IssuerURL, SubjectID: did, IssuanceDate: now})
	if err != nil {
		return out, err
	}
	vcSigner, err := jose.NewSigner(seal.Signer(), vcjwt.IssuerHeader("", seal.Chain))
	if err != nil {
		return out, err
	}
	jwtVC, err := vcjwt.Issue(vcSigner, vc, vcjwt.IssueOptions{IssuedAt: now})
	if err != nil {
		return out, err
	}

	// The status list token, signed with the same seal (x5c), valid for a day.
	slSigner, err := jose.NewSigner(seal.Signer(), jose.SignHeader{Typ: statuslist.TokenType, X5C: seal.Chain})
	if err != nil {
		return out, err
	}
	out.statusToken, err = statuslist.Sign(slSigner, &statuslist.Token{
		Issuer: u.IssuerURL, Subject: statusURI, IssuedAt: now, ExpiresAt: now.Add(24 * time.Hour),
		TTL: fixtureStatusTTL, List: list,
	})
	if err != nil {
		return out, err
	}

	for _, f := range []struct{ name, body, what string }{
		{u.ID + ".diploma.sd-jwt", out.diploma, "urn:hashi:diploma:1, dc+sd-jwt"},
		{u.ID + ".learning.sd-jwt", learning, "EUDI learning credential, dc+sd-jwt"},
		{u.ID + ".diploma.jwt", jwtVC, "jwt_vc_json (VCDM 1.1)"},
	} {
		path := filepath.Join(dir, "credentials", f.name)
		if err := writeFile(path, f.body, 0o600); err != nil {
			return out, err
		}
		out.files = append(out.files, fmt.Sprintf("%-42s %s", path, f.what))
	}
	path := filepath.Join(dir, "status", u.ID+".statuslist.jwt")
	if err := writeFile(path, out.statusToken, 0o644); err != nil {
		return out, err
	}
	out.files = append(out.files, fmt.Sprintf("%-42s status list token for %s (index %d: VALID)", path, statusURI, idx))
	return out, nil
}

// demoPresentAndVerify has the student present the diploma to the desk of the other
// jurisdiction and the desk verify it. It reports whether every check passed.
func demoPresentAndVerify(ctx context.Context, w io.Writer, dir string, in demoIssued, u pki.University, desk pki.Verifier, anchors *x509.CertPool, now time.Time) (bool, error) {
	clientID := "x509_san_dns:" + desk.DNSName
	nonceBytes := make([]byte, 16)
	_, _ = rand.Read(nonceBytes)
	nonce := base64.RawURLEncoding.EncodeToString(nonceBytes)

	holder, err := sdjwt.NewHolder(in.holder)
	if err != nil {
		return false, err
	}
	share := []sdjwt.Path{{"family_name"}, {"given_name"}, {"degree", "title"}, {"degree", "type"},
		{"degree", "level"}, {"degree", "credits"}, {"degree", "award_date"}}
	pres, err := holder.Present(in.diploma, share, sdjwt.KBClaims{Nonce: nonce, Audience: clientID, IssuedAt: now})
	if err != nil {
		return false, err
	}
	presPath := filepath.Join(dir, "presentations", u.ID+".to."+desk.ID+".sd-jwt")
	if err := writeFile(presPath, pres, 0o600); err != nil {
		return false, err
	}
	fmt.Fprintf(w, "\n3. The student presents the %s diploma to %s (%s), sharing %d of its claims with a key-binding JWT:\n   %s\n",
		u.Country, desk.Name.EN, desk.Country, len(share), presPath)

	fmt.Fprintf(w, "4. %s verifies it:\n", desk.Name.EN)
	ok := true
	check := func(name string, err error, detail string) {
		mark := "ok  "
		if err != nil {
			mark, detail, ok = "FAIL", err.Error(), false
		}
		fmt.Fprintf(w, "   [%s] %-16s %s\n", mark, name, detail)
	}

	un, err := sdjwt.ParseUnverified(pres)
	if err != nil {
		check("parse", err, "")
		return false, nil
	}
	cred, err := un.VerifyVC(ctx, sdjwt.VCPolicy{
		Policy: sdjwt.Policy{
			Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingRequired,
			Nonce: nonce, Audience: clientID, Now: now, ClockSkew: time.Minute,
		},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
	})
	if err != nil {
		check("credential", err, "")
		return false, nil
	}
	check("signature", nil, "ES256, key from x5c leaf "+cred.X5C[0].Subject.CommonName)
	check("disclosures", nil, fmt.Sprintf("%d disclosed, digests match", len(cred.Disclosures)))
	check("key binding", nil, "nonce and aud "+clientID+" match, signed by cnf.jwk")

	inter := x509.NewCertPool()
	for _, c := range cred.X5C[1:] {
		inter.AddCert(c)
	}
	_, err = cred.X5C[0].Verify(x509.VerifyOptions{Roots: anchors, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	check("certificate", err, "chain builds to "+cred.X5C[0].Issuer.CommonName+" (pilot PKI anchor)")
	uris := cred.X5C[0].URIs
	if len(uris) == 0 || uris[0].String() != cred.Issuer {
		check("issuer", errors.New("iss "+cred.Issuer+" is not the seal certificate's SAN URI"), "")
	} else {
		check("issuer", nil, "iss equals the seal certificate's SAN URI")
	}

	st, err := demoStatus(in.statusToken, cred, now)
	check("status", err, st)

	q, err := academic.QualificationFromClaims(cred.VCT, cred.Claims)
	if err != nil {
		check("qualification", err, "")
	} else {
		fmt.Fprintf(w, "   result: %s\n", map[bool]string{true: "ACCEPTED", false: "REJECTED"}[ok])
		fmt.Fprintf(w, "   qualification: %s", q.Title)
		if en := q.TitleTranslations["en"]; en != "" && en != q.Title {
			fmt.Fprintf(w, " (%s)", en)
		}
		fmt.Fprintf(w, ", %s, ISCED %s, EQF %d (%s; %s)\n", q.DegreeType.Label("en"), q.ISCED, q.EQFLevel, q.LevelBasis, academic.ComparabilityNote)
		if q.Credits != nil {
			fmt.Fprintf(w, "   credits: %g %s ≈ %g ECTS (%s)\n", q.Credits.Value, q.Credits.Framework, q.Credits.ECTS, q.Credits.ECTSMethod)
		}
	}
	return ok, nil
}

func demoStatus(token string, cred *sdjwt.Credential, now time.Time) (string, error) {
	if cred.Status == nil {
		return "", errors.New("credential has no status reference")
	}
	ut, err := statuslist.ParseToken(token)
	if err != nil {
		return "", err
	}
	tok, err := ut.Verify(cred.X5C[0].PublicKey, statuslist.Policy{
		URI: cred.Status.URI, Algorithms: []jose.Algorithm{jose.ES256}, Now: now, ClockSkew: time.Minute,
	})
	if err != nil {
		return "", err
	}
	if cred.Status.Index > math.MaxInt32 {
		return "", fmt.Errorf("status index %d is out of range", cred.Status.Index)
	}
	s, err := tok.Status(statuslist.Reference{Idx: int(cred.Status.Index), URI: cred.Status.URI})
	if err != nil {
		return "", err
	}
	if s != statuslist.Valid {
		return "", fmt.Errorf("status list says %s", s)
	}
	return fmt.Sprintf("index %d is %s in the status list token", cred.Status.Index, s), nil
}

func paths(ps [][]any) []sdjwt.Path {
	out := make([]sdjwt.Path, len(ps))
	for i, p := range ps {
		out[i] = sdjwt.Path(p)
	}
	return out
}

// demoHolderKey loads the student's holder key from path, or creates it there (mode 0600).
func demoHolderKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s, err := jose.ParsePrivateJWK(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		k, ok := s.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: not an EC key", path)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	b, err = jose.MarshalPrivateJWK(k, "")
	if err != nil {
		return nil, err
	}
	return k, writeFile(path, string(b), 0o600)
}

var _ crypto.Signer = (*ecdsa.PrivateKey)(nil)

func writeFile(path, body string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(body), mode)
}

func uuidString(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
