package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/trustlist"
)

func newTrustlistCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trustlist",
		Short: "Sign, verify, show and query trust lists (ETSI TS 119 612 XML, TS 119 602 LoTE)",
	}
	cmd.AddCommand(newTLSignCmd(), newTLVerifyCmd(), newTLShowCmd(), newTLLookupCmd())
	return cmd
}

func newTLSignCmd() *cobra.Command {
	var in, keyFile, certFile, format, out, at string
	cmd := &cobra.Command{
		Use:   "sign --in list.yaml --key K --cert C --format xml|lote [--out FILE] [--at RFC3339]",
		Short: "Build and sign a trust list from a YAML description",
		Long: `Builds a trust list from one YAML description (operator, territory, sequence, NextUpdate,
pointers, providers, services with certificates, status and history; see
trustlist.Description) and signs it with the scheme operator's key and certificate:

  --format xml   ETSI TS 119 612 XML with an enveloped XAdES-B signature (version 6 unless the
                 description says version: 5)
  --format lote  ETSI TS 119 602 JSON LoTE as a compact JWS (ES256/ES384, x5c)

Certificates in the description are PEM text or paths relative to the YAML file. --key is a
PEM private key (PKCS #8, SEC 1 or PKCS #1); --cert the signer certificate (PEM). The signing
time is --at (default: now). The signed list is checked with hashi's own verifier before it is
written to --out (default: standard output).`,
		Args: withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in == "" || keyFile == "" || certFile == "" {
				return usageError{errors.New("--in, --key and --cert are required")}
			}
			if format != "xml" && format != "lote" {
				return usageError{fmt.Errorf("--format %q: want xml or lote", format)}
			}
			now, err := atFlag(at)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(in) //nolint:gosec // the operator names the file
			if err != nil {
				return err
			}
			d, err := trustlist.ParseDescription(data, os.DirFS(filepath.Dir(in)))
			if err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
			key, err := readPrivateKey(keyFile)
			if err != nil {
				return err
			}
			certs, err := readCertificates(certFile)
			if err != nil {
				return err
			}
			s := trustlist.ListSigner{Key: key, Certificate: certs[0], Time: now}
			var signed []byte
			if format == "xml" {
				signed, err = trustlist.SignXML(d, s)
			} else {
				signed, err = trustlist.SignLoTE(d, s)
				signed = append(signed, '\n')
			}
			if err != nil {
				return err
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(signed)
				return err
			}
			if err := os.WriteFile(out, signed, 0o644); err != nil { //nolint:gosec // a published list is public
				return err
			}
			cmd.PrintErrf("signed %s list (territory %s, sequence %d, next update %s) → %s\n",
				format, d.Territory, d.Sequence, d.NextUpdate.UTC().Format(time.RFC3339), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in, "in", "", "YAML description of the list")
	f.StringVar(&keyFile, "key", "", "signer private key (PEM)")
	f.StringVar(&certFile, "cert", "", "signer certificate (PEM)")
	f.StringVar(&format, "format", "xml", "output format: xml (TS 119 612) or lote (TS 119 602 JWS)")
	f.StringVar(&out, "out", "", "output file (default: standard output)")
	f.StringVar(&at, "at", "", "signing time, RFC 3339 (default: now)")
	return cmd
}

func newTLVerifyCmd() *cobra.Command {
	var signerFile, at string
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "verify FILE|URL --signer-cert PEM [--at RFC3339] [--grace DURATION]",
		Short: "Check a trust list's signature and freshness",
		Long: `Verifies a TS 119 612 XML list or a TS 119 602 LoTE (compact JWS), read from FILE or
fetched from URL: the signature, with the signer certificate one of those in --signer-cert (a
PEM file may hold several accepted certificates, e.g. the Official Journal set for the EU
LOTL), valid at --at; then freshness at --at (default: now): a list is stale from its
NextUpdate on, plus --grace. Exit status 0 when authentic and fresh, 1 with the reason
otherwise.`,
		Args: withUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if signerFile == "" {
				return usageError{errors.New("--signer-cert is required")}
			}
			if grace < 0 {
				return usageError{errors.New("--grace must not be negative")}
			}
			now, err := atFlag(at)
			if err != nil {
				return err
			}
			signers, err := readCertificates(signerFile)
			if err != nil {
				return err
			}
			data, err := readList(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			l, err := verifyList(data, signers, now)
			if err != nil {
				return exitError{code: 1, msg: "not authentic: " + err.Error()}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "authentic: %s list, territory %s, sequence %d\n", l.Format, orDash(l.Territory), l.SequenceNumber)
			fmt.Fprintf(w, "  signed by %s (%s)", l.Signature.Signer.Subject, l.Signature.Method)
			if !l.Signature.SigningTime.IsZero() {
				fmt.Fprintf(w, " at %s", l.Signature.SigningTime.Format(time.RFC3339))
			}
			fmt.Fprintln(w)
			switch reason := (trustlist.Policy{Grace: grace}).Freshness(l, now); reason {
			case "":
				fmt.Fprintf(w, "fresh at %s: next update %s\n", now.UTC().Format(time.RFC3339), l.NextUpdate.Format(time.RFC3339))
				return nil
			case trustlist.ReasonClosedList:
				return exitError{code: 1, msg: "closed_list: the list has no NextUpdate (its scheme has ceased operation)"}
			default:
				return exitError{code: 1, msg: fmt.Sprintf("%s: next update was %s, judged at %s (grace %s)", reason,
					l.NextUpdate.Format(time.RFC3339), now.UTC().Format(time.RFC3339), grace)}
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&signerFile, "signer-cert", "", "PEM file with the accepted signer certificate(s)")
	f.StringVar(&at, "at", "", "judge signature and freshness at this RFC 3339 instant (default: now)")
	f.DurationVar(&grace, "grace", 0, "accept a list this long after its NextUpdate (default: 0)")
	return cmd
}

func newTLShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "Print a readable summary of a trust list (signature NOT checked)",
		Long: `Prints the operator, territory, type, sequence, issue date and next update of a TS 119 612
XML list or a TS 119 602 LoTE (JSON or compact JWS), its pointers to other lists, and each
provider with its services, their status and status history. The signature is not checked:
use "hashi trustlist verify" before relying on what it shows.`,
		Args: withUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readList(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			l, err := parseList(data)
			if err != nil {
				return err
			}
			printList(cmd.OutOrStdout(), l)
			return nil
		},
	}
}

// lookupReport is what `hashi trustlist lookup` prints.
type lookupReport struct {
	Trusted           bool              `json:"trusted"`
	TrustedAtIssuance bool              `json:"trusted_at_issuance"`
	Reason            string            `json:"reason,omitempty"`
	Detail            string            `json:"detail,omitempty"`
	Match             string            `json:"match,omitempty"`
	Path              string            `json:"path,omitempty"`
	ServiceType       string            `json:"service_type,omitempty"`
	StatusAtIssuance  string            `json:"status_at_issuance,omitempty"`
	StatusNow         string            `json:"status_now,omitempty"`
	ProviderNames     map[string]string `json:"provider_names,omitempty"`
	Anchor            *certSummary      `json:"anchor,omitempty"`
	Issued            time.Time         `json:"issued"`
	At                time.Time         `json:"at"`
	Lists             []lookupList      `json:"lists"`
}

type lookupList struct {
	File       string    `json:"file"`
	Label      string    `json:"label,omitempty"`
	Territory  string    `json:"territory,omitempty"`
	Sequence   uint64    `json:"sequence,omitempty"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	Error      string    `json:"error,omitempty"`
}

func newTLLookupCmd() *cobra.Command {
	var lists, types []string
	var lotl, lotlSigners, at, issued string
	var acceptNoStatus bool
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "lookup --list FILE[=SIGNERS.pem]... [--lotl FILE --lotl-signers PEM] CHAIN.pem",
		Short: "Decide whether a certificate chain anchors in a trust list, and print the path",
		Long: `Loads and verifies the lists, then asks whether CHAIN.pem (leaf first) anchors in a service
of an accepted type that was granted at --issued and still is at --at, in a list fresh at --at.

Each --list names a list file and, after "=", a PEM file with its accepted signers. A list
given without signers is authenticated through the LOTL (--lotl, itself verified against
--lotl-signers): it must be signed by a certificate the LOTL's pointer announces for the
list's territory. A list that does not verify contributes no trust and is reported.

--service-type may be repeated (default: CA/QC with ForeSeals, EAA/Q and the EU–JP pilot's
EAA/Issuance). Prints the decision as JSON; exit status 0 when trusted now, 1 otherwise.`,
		Args: withUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(lists) == 0 {
				return usageError{errors.New("at least one --list is required")}
			}
			if (lotl == "") != (lotlSigners == "") {
				return usageError{errors.New("--lotl and --lotl-signers go together")}
			}
			now, err := atFlag(at)
			if err != nil {
				return err
			}
			iss := now
			if issued != "" {
				if iss, err = time.Parse(time.RFC3339, issued); err != nil {
					return usageError{fmt.Errorf("--issued: %w", err)}
				}
			}
			chain, err := readCertificates(args[0])
			if err != nil {
				return err
			}
			pol := trustlist.Policy{AcceptNoStatus: acceptNoStatus, Grace: grace}
			for _, t := range types {
				pol.ServiceTypes = append(pol.ServiceTypes, trustlist.ServiceTypeRule{URI: t})
			}
			if len(pol.ServiceTypes) == 0 {
				pol.ServiceTypes = defaultServiceTypes
			}
			rep := lookupReport{Issued: iss.UTC(), At: now.UTC()}
			set, err := loadLists(cmd.Context(), lotl, lotlSigners, lists, now, &rep)
			if err != nil {
				return err
			}
			r := set.Lookup(chain, iss, now, pol)
			rep.Trusted, rep.TrustedAtIssuance = r.TrustedNow, r.TrustedAtIssuance
			rep.Reason, rep.Detail, rep.Match, rep.Path = string(r.Reason), r.Detail, string(r.Match), r.Path
			rep.ServiceType, rep.StatusAtIssuance, rep.StatusNow = r.ServiceType, r.StatusAtIssuance, r.StatusNow
			for _, n := range r.ProviderNames {
				if rep.ProviderNames == nil {
					rep.ProviderNames = map[string]string{}
				}
				rep.ProviderNames[n.Lang] = n.Value
			}
			if r.Anchor != nil {
				rep.Anchor = &summarize([]*x509.Certificate{r.Anchor})[0]
			}
			if err := writeJSON(cmd.OutOrStdout(), rep); err != nil {
				return err
			}
			if !rep.Trusted {
				return exitError{code: 1, msg: fmt.Sprintf("not trusted: %s: %s", r.Reason, r.Detail)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&lists, "list", nil, "list file, optionally =PEM file of its accepted signers (repeatable)")
	f.StringVar(&lotl, "lotl", "", "list of trusted lists (TS 119 612 XML) that announces the signers of lists given without signers")
	f.StringVar(&lotlSigners, "lotl-signers", "", "PEM file with the accepted LOTL signer certificates")
	f.StringArrayVar(&types, "service-type", nil, "accepted service type URI (repeatable)")
	f.BoolVar(&acceptNoStatus, "accept-no-status", false, "accept LoTE services that carry no status")
	f.DurationVar(&grace, "grace", 0, "accept lists this long after their NextUpdate")
	f.StringVar(&at, "at", "", `"now" for the decision, RFC 3339 (default: now)`)
	f.StringVar(&issued, "issued", "", "issuance time of the credential, RFC 3339 (default: --at)")
	return cmd
}

// jpIssuanceType is the EU–JP proof of concept's scheme-local service type for direct trust in
// listed issuers (docs/trust.md, hashi's decision 3).
const jpIssuanceType = "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"

var defaultServiceTypes = []trustlist.ServiceTypeRule{
	{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}},
	{URI: trustlist.ServiceTypeEAAQ},
	{URI: jpIssuanceType},
}

// loadLists verifies the LOTL (if any) and every list, recording each in rep; lists that fail
// are reported and left out.
func loadLists(ctx context.Context, lotlFile, lotlSignersFile string, specs []string, now time.Time, rep *lookupReport) (*trustlist.Set, error) {
	var lotl *trustlist.List
	if lotlFile != "" {
		signers, err := readCertificates(lotlSignersFile)
		if err != nil {
			return nil, err
		}
		data, err := readList(ctx, lotlFile)
		if err != nil {
			return nil, err
		}
		entry := lookupList{File: lotlFile}
		if lotl, err = trustlist.VerifyXML(data, trustlist.VerifyOptions{Signers: signers, At: now}); err != nil {
			entry.Error = err.Error()
		} else {
			entry.Label, entry.Territory, entry.Sequence, entry.NextUpdate = "LOTL", lotl.Territory, lotl.SequenceNumber, lotl.NextUpdate
		}
		rep.Lists = append(rep.Lists, entry)
	}
	var verified []trustlist.Labeled
	for _, spec := range specs {
		file, signerFile, _ := strings.Cut(spec, "=")
		entry := lookupList{File: file}
		l, label, err := loadOne(ctx, file, signerFile, lotl, now)
		if err != nil {
			entry.Error = err.Error()
		} else {
			entry.Label, entry.Territory, entry.Sequence, entry.NextUpdate = label, l.Territory, l.SequenceNumber, l.NextUpdate
			verified = append(verified, trustlist.Labeled{Label: label, List: l})
		}
		rep.Lists = append(rep.Lists, entry)
	}
	return trustlist.NewSet(verified...)
}

func loadOne(ctx context.Context, file, signerFile string, lotl *trustlist.List, now time.Time) (*trustlist.List, string, error) {
	data, err := readList(ctx, file)
	if err != nil {
		return nil, "", err
	}
	name := filepath.Base(file)
	if signerFile != "" {
		signers, err := readCertificates(signerFile)
		if err != nil {
			return nil, "", err
		}
		l, err := verifyList(data, signers, now)
		return l, name, err
	}
	if lotl == nil {
		return nil, "", errors.New("no signer certificates given and no verified LOTL to announce them")
	}
	unverified, err := parseList(data)
	if err != nil {
		return nil, "", err
	}
	ptrs := lotl.XMLPointersTo(unverified.Territory)
	if len(ptrs) == 0 {
		return nil, "", fmt.Errorf("the LOTL has no pointer for territory %q", unverified.Territory)
	}
	var signers []*x509.Certificate
	for _, p := range ptrs {
		signers = append(signers, p.Signers...)
	}
	l, err := verifyList(data, signers, now)
	if err != nil {
		return nil, "", err
	}
	if l.Territory != unverified.Territory {
		return nil, "", fmt.Errorf("territory changed between parse and verify")
	}
	return l, "LOTL → " + l.Territory + " trusted list", nil
}

// isXML reports whether data looks like an XML document rather than a JWS or JSON.
func isXML(data []byte) bool {
	b := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	return bytes.HasPrefix(b, []byte("<"))
}

func verifyList(data []byte, signers []*x509.Certificate, at time.Time) (*trustlist.List, error) {
	opts := trustlist.VerifyOptions{Signers: signers, At: at}
	if isXML(data) {
		return trustlist.VerifyXML(data, opts)
	}
	return trustlist.VerifyLoTE(data, opts)
}

// parseList parses without verifying: XML, LoTE JSON, or the payload of a LoTE JWS.
func parseList(data []byte) (*trustlist.List, error) {
	b := bytes.TrimSpace(data)
	switch {
	case isXML(b):
		return trustlist.ParseXML(b)
	case bytes.HasPrefix(b, []byte("{")):
		return trustlist.ParseLoTE(b)
	}
	jws, err := jose.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("neither XML, JSON nor a compact JWS: %w", err)
	}
	return trustlist.ParseLoTE(jws.Payload)
}

// readList reads a list from a file or, for an http(s) URL, fetches it (bounded, 30 s).
func readList(ctx context.Context, src string) ([]byte, error) {
	if !strings.HasPrefix(src, "https://") && !strings.HasPrefix(src, "http://") {
		return os.ReadFile(src) //nolint:gosec // the operator names the file
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // the operator names the URL
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, trustlist.MaxXMLSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > trustlist.MaxXMLSize {
		return nil, fmt.Errorf("GET %s: body larger than %d bytes", src, trustlist.MaxXMLSize)
	}
	return b, nil
}

func atFlag(at string) (time.Time, error) {
	if at == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--at: %w", err)}
	}
	return t, nil
}

// readCertificates reads every CERTIFICATE block of a PEM file (at least one).
func readCertificates(file string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(file) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", file)
	}
	return out, nil
}

// readPrivateKey reads a PEM private key: PKCS #8, SEC 1 (EC) or PKCS #1 (RSA).
func readPrivateKey(file string) (crypto.Signer, error) {
	b, err := os.ReadFile(file) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: no PEM private key", file)
		}
		var key any
		switch blk.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s: unsupported key type %T", file, key)
		}
		return s, nil
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func langs(ls []trustlist.LangString) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, l.Value+" ["+l.Lang+"]")
	}
	return orDash(strings.Join(parts, " / "))
}

// lastSegment shortens a URI to its last path segment for display.
func lastSegment(uri string) string {
	if i := strings.LastIndex(strings.TrimSuffix(uri, "/"), "/"); i >= 0 {
		return strings.TrimSuffix(uri[i+1:], "/")
	}
	return uri
}

func printList(w io.Writer, l *trustlist.List) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	date := func(t time.Time) string {
		if t.IsZero() {
			return "- (closed list)"
		}
		return t.Format(time.RFC3339)
	}
	fmt.Fprintln(tw, "NOT VERIFIED\tshown as parsed; run `hashi trustlist verify` before relying on it")
	fmt.Fprintf(tw, "format\t%s (version %d)\n", l.Format, l.Version)
	fmt.Fprintf(tw, "operator\t%s\n", langs(l.OperatorNames))
	fmt.Fprintf(tw, "territory\t%s\n", orDash(l.Territory))
	fmt.Fprintf(tw, "type\t%s\n", orDash(l.Type))
	fmt.Fprintf(tw, "sequence\t%d\n", l.SequenceNumber)
	fmt.Fprintf(tw, "issued\t%s\n", date(l.IssueDate))
	fmt.Fprintf(tw, "next update\t%s\n", date(l.NextUpdate))
	_ = tw.Flush()
	if len(l.Pointers) > 0 {
		fmt.Fprintf(w, "\npointers (%d):\n", len(l.Pointers))
		for _, p := range l.Pointers {
			fmt.Fprintf(w, "  %-3s %s  %s  (%d signer certificates)\n", orDash(p.Territory), lastSegment(p.MimeType), p.Location, len(p.Signers)+len(p.UnparsedSigners))
		}
	}
	fmt.Fprintf(w, "\nproviders (%d):\n", len(l.Providers))
	for _, p := range l.Providers {
		fmt.Fprintf(w, "  %s\n", langs(p.Names))
		for _, s := range p.Services {
			status := lastSegment(s.Status)
			if s.Status == "" {
				status = "(no status)"
			}
			fmt.Fprintf(w, "    - %s [%s] %s", langs(s.Names), s.Type, status)
			if !s.StatusStart.IsZero() {
				fmt.Fprintf(w, " since %s", s.StatusStart.Format("2006-01-02"))
			}
			fmt.Fprintln(w)
			for _, h := range s.History {
				fmt.Fprintf(w, "        was %s since %s\n", lastSegment(h.Status), h.StatusStart.Format("2006-01-02"))
			}
		}
	}
}
