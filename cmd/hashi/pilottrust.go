package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"path"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/trustlist"
)

// The pilot's trust lists, as `hashi demo` publishes them: the EU LOTL, the NL trusted list it
// points to, and the Japanese LoTE (with its XML rendering for XML-only verifiers).
const (
	pilotLOTLFile = "eu-lotl.xml"
	pilotNLFile   = "tl-nl.xml"
	pilotJPFile   = "jp-lote.jwt"
	pilotJPXML    = "jp-list.xml"
)

// Service types the pilot lists use (docs/trust.md, hashi's decisions 2 and 3).
const (
	jpAccessType = "http://tl.eujp.ownd-project.com/19602/SvcType/WRPAC/Issuance"
)

// pilotLists describes the pilot's lists for a demo published at trustBase (e.g.
// http://127.0.0.1:8080/trust), listing the PKI's seal CAs (university seals chain to them)
// and access CAs (verifier access certificates chain to them). issued..next is the lists'
// validity; withdrawnJP, when not zero, withdraws the JP university's seal CA from then on;
// nextNL, when not zero, is the NL list's own NextUpdate (to let only that list go stale).
type pilotLists struct {
	trustBase   string
	issued      time.Time
	next        time.Time
	sequence    uint64
	withdrawnJP time.Time
	nextNL      time.Time
}

func pemCert(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func (pl pilotLists) descriptions(p *pki.PKI) (lotl, nl, jp *trustlist.Description, err error) {
	get := func(role pki.Role, id string) *x509.Certificate {
		if err != nil {
			return nil
		}
		e, gerr := p.Entity(role, id)
		if gerr != nil {
			err = gerr
			return nil
		}
		return e.Certificate
	}
	lotlSigner, euSigner := get(pki.RoleLOTLSigner, "eu"), get(pki.RoleTLSigner, "eu")
	euSeal, jpSeal := get(pki.RoleSealCA, "eu"), get(pki.RoleSealCA, "jp")
	euAccess, jpAccess := get(pki.RoleAccessCA, "eu"), get(pki.RoleAccessCA, "jp")
	if err != nil {
		return nil, nil, nil, err
	}
	since := pl.issued.AddDate(0, -1, 0)
	lotl = &trustlist.Description{
		Territory: "EU", Sequence: pl.sequence, Issued: pl.issued, NextUpdate: pl.next,
		Operator: trustlist.Party{
			Names:   trustlist.Names{"en": "hashi pilot LOTL operator"},
			Address: trustlist.Address{Street: "Rue de la Loi 200", Locality: "Brussels", PostalCode: "1049", Country: "BE", URI: pl.trustBase + "/"},
		},
		DistributionPoints: []string{pl.trustBase + "/" + pilotLOTLFile},
		Pointers: []trustlist.PointerDescription{
			{Location: pl.trustBase + "/" + pilotLOTLFile, Territory: "EU", Type: trustlist.TSLTypeEUListOfLists,
				OperatorNames: trustlist.Names{"en": "hashi pilot LOTL operator"}, Signers: []string{pemCert(lotlSigner)}},
			{Location: pl.trustBase + "/" + pilotNLFile, Territory: "NL",
				OperatorNames: trustlist.Names{"en": "hashi pilot scheme operator NL"}, Signers: []string{pemCert(euSigner)}},
		},
	}
	nlNext := pl.next
	if !pl.nextNL.IsZero() {
		nlNext = pl.nextNL
	}
	nl = &trustlist.Description{
		Territory: "NL", Sequence: pl.sequence, Issued: pl.issued, NextUpdate: nlNext,
		Operator: trustlist.Party{
			Names:   trustlist.Names{"en": "hashi pilot scheme operator NL", "nl": "hashi pilot toezichthouder NL"},
			Address: trustlist.Address{Street: "Bezuidenhoutseweg 30", Locality: "Den Haag", Country: "NL", URI: pl.trustBase + "/"},
		},
		DistributionPoints: []string{pl.trustBase + "/" + pilotNLFile},
		Providers: []trustlist.ProviderDescription{
			{
				Party: trustlist.Party{
					Names:   trustlist.Names{"en": "hashi Pilot Trust Services NL", "nl": "hashi Pilot Vertrouwensdiensten NL"},
					Address: trustlist.Address{Street: "Rapenburg 70", Locality: "Leiden", Country: "NL", URI: pl.trustBase + "/"},
				},
				Services: []trustlist.ServiceDescription{
					{StateDescription: trustlist.StateDescription{
						Type: "CA/QC", Names: trustlist.Names{"en": "Pilot qualified e-seal CA for universities", "nl": "Pilot gekwalificeerde zegel-CA voor universiteiten"},
						Certificates: []string{pemCert(euSeal)}, Status: "granted", StatusStart: since,
						AdditionalInformation: []string{trustlist.AdditionalInfoForeSeals},
					}},
					{StateDescription: trustlist.StateDescription{
						Type: jpAccessType, Names: trustlist.Names{"en": "Pilot relying-party access CA (EU desks)"},
						Certificates: []string{pemCert(euAccess)}, Status: "granted", StatusStart: since,
					}},
				},
			},
		},
	}
	jpService := trustlist.ServiceDescription{StateDescription: trustlist.StateDescription{
		Type: "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance", Names: trustlist.Names{"en": "Pilot e-seal CA for universities", "ja": "大学向けパイロット電子印CA"},
		Certificates: []string{pemCert(jpSeal)}, Status: "granted", StatusStart: since,
	}}
	if !pl.withdrawnJP.IsZero() {
		jpService.History = []trustlist.StateDescription{{Status: "granted", StatusStart: since}}
		jpService.Status, jpService.StatusStart = "withdrawn", pl.withdrawnJP
	}
	jp = &trustlist.Description{
		Territory: "JP", Sequence: pl.sequence, Issued: pl.issued, NextUpdate: pl.next,
		LoTEType:                    "http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList",
		StatusDeterminationApproach: "http://tl.eujp.ownd-project.com/19602/StatusDetn/pilot",
		Operator: trustlist.Party{
			Names:   trustlist.Names{"en": "hashi pilot operator Japan", "ja": "hashi パイロット運営者"},
			Address: trustlist.Address{Street: "1-1 Chiyoda", Locality: "Chiyoda-ku", Country: "JP", URI: pl.trustBase + "/"},
		},
		DistributionPoints: []string{pl.trustBase + "/" + pilotJPFile},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{
				Names:   trustlist.Names{"en": "hashi Pilot Trust Services JP", "ja": "hashi パイロットトラストサービス"},
				Address: trustlist.Address{Street: "1 Sakuragaoka", Locality: "Kyoto", Country: "JP", URI: pl.trustBase + "/"},
			},
			Services: []trustlist.ServiceDescription{
				jpService,
				{StateDescription: trustlist.StateDescription{
					Type: jpAccessType, Names: trustlist.Names{"en": "Pilot relying-party access CA (JP desks)", "ja": "パイロット利用者アクセスCA"},
					Certificates: []string{pemCert(jpAccess)}, Status: "granted", StatusStart: since,
				}},
			},
		}},
	}
	return lotl, nl, jp, nil
}

// sign signs every pilot list with its operator's key from the PKI, at signedAt.
func (pl pilotLists) sign(p *pki.PKI, signedAt time.Time) (map[string][]byte, error) {
	lotl, nl, jp, err := pl.descriptions(p)
	if err != nil {
		return nil, err
	}
	signer := func(role pki.Role, id string) (trustlist.ListSigner, error) {
		e, err := p.Entity(role, id)
		if err != nil {
			return trustlist.ListSigner{}, err
		}
		return trustlist.ListSigner{Key: e.Signer(), Certificate: e.Certificate, Time: signedAt}, nil
	}
	out := map[string][]byte{}
	for _, l := range []struct {
		file string
		d    *trustlist.Description
		role pki.Role
		id   string
		lote bool
	}{
		{pilotLOTLFile, lotl, pki.RoleLOTLSigner, "eu", false},
		{pilotNLFile, nl, pki.RoleTLSigner, "eu", false},
		{pilotJPFile, jp, pki.RoleTLSigner, "jp", true},
		{pilotJPXML, jp, pki.RoleTLSigner, "jp", false},
	} {
		s, err := signer(l.role, l.id)
		if err != nil {
			return nil, err
		}
		var b []byte
		if l.lote {
			b, err = trustlist.SignLoTE(l.d, s)
		} else {
			b, err = trustlist.SignXML(l.d, s)
		}
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", l.file, err)
		}
		out[l.file] = b
	}
	return out, nil
}

// trustHandler serves signed lists with their media types and validators (ETag, Last-Modified)
// so clients can refresh them with conditional requests.
func trustHandler(files func() map[string][]byte, modified func() time.Time) http.Handler {
	types := map[string]string{pilotLOTLFile: "application/vnd.etsi.tsl+xml", pilotNLFile: "application/vnd.etsi.tsl+xml",
		pilotJPXML: "application/vnd.etsi.tsl+xml", pilotJPFile: "application/jwt"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		b, ok := files()[name]
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", types[name])
		w.Header().Set("Cache-Control", "no-cache")
		sum := sha256.Sum256(b)
		w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sum[:8]))
		http.ServeContent(w, r, name, modified(), bytes.NewReader(b))
	})
}
