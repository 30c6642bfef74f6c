package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// maxCredentialInput bounds what the credential commands read from a file or stdin.
const maxCredentialInput = 4 << 20

// verifyAlgorithms are the signature algorithms `hashi credential verify` accepts.
var verifyAlgorithms = []jose.Algorithm{jose.ES256, jose.ES384, jose.EdDSA}

func newCredentialCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credential",
		Short: "Inspect and verify SD-JWT VC and jwt_vc_json credentials",
	}
	cmd.AddCommand(newInspectCmd(), newVerifyCmd())
	return cmd
}

func newInspectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Decode a credential (header, payload, disclosures) without any trust decision",
		Args:  withUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := readCredential(cmd.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			out, err := inspect(raw)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), out)
		},
	}
}

type inspection struct {
	Format string `json:"format"`
	Note   string `json:"note"`
	*sdjwt.Inspection
	Header  map[string]any `json:"header,omitempty"`
	Payload map[string]any `json:"payload,omitempty"`
}

const inspectNote = "decoded only: no signature, disclosure, time or trust check was made (use hashi credential verify)"

func inspect(raw string) (*inspection, error) {
	if isSDJWT(raw) {
		in, err := sdjwt.Peek(raw)
		if err != nil {
			return nil, err
		}
		format := "sd-jwt"
		if typ, _ := in.Header["typ"].(string); jose.TypeEqual(typ, sdjwt.VCType) || jose.TypeEqual(typ, sdjwt.LegacyVCType) {
			format = sdjwt.VCType
		}
		return &inspection{Format: format, Note: inspectNote, Inspection: in}, nil
	}
	j, err := jose.Parse(raw)
	if err != nil {
		return nil, err
	}
	out := &inspection{Format: "jwt", Note: inspectNote}
	if err := json.Unmarshal(j.Header.Raw(), &out.Header); err != nil {
		return nil, err
	}
	if err := jose.DecodeJSON(j.Payload, &out.Payload); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	switch {
	case out.Payload["vc"] != nil:
		out.Format = academic.FormatJWTVCJSON
	case out.Payload["vp"] != nil:
		out.Format = "jwt_vp_json"
	}
	return out, nil
}

func newVerifyCmd() *cobra.Command {
	var opts verifyOptions
	var at string
	cmd := &cobra.Command{
		Use:   "verify FILE|- [--issuer-jwk F] [--nonce N --aud A] [--at RFC3339]",
		Short: "Verify an SD-JWT VC or jwt_vc_json credential and list every check",
		Long: `Verifies an SD-JWT VC (dc+sd-jwt, optionally with a key-binding JWT) or a jwt_vc_json
credential (or a jwt_vc_json presentation): the signature with the key in --issuer-jwk (a JWK,
a JWK Set, or JWT VC Issuer Metadata) or else the x5c leaf certificate; the disclosures; the
key binding when --nonce and --aud are given; and every time claim, judged at --at (default:
now). Prints one JSON object listing every check and its outcome. Exit status 0 when all
checks pass, 1 with a one-line reason otherwise.

Trust is not evaluated here: an x5c chain is printed, not judged against trust lists.`,
		Args: withUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.nonce == "") != (opts.aud == "") {
				return usageError{errors.New("--nonce and --aud go together")}
			}
			opts.now = time.Now()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return usageError{fmt.Errorf("--at: %w", err)}
				}
				opts.now = t
			}
			if opts.keyFile != "" {
				b, err := os.ReadFile(opts.keyFile)
				if err != nil {
					return err
				}
				if opts.keys, err = jose.ParseKeys(b); err != nil {
					return fmt.Errorf("--issuer-jwk %s: %w", opts.keyFile, err)
				}
			}
			raw, err := readCredential(cmd.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			opts.keys = keysFor(raw, opts.keys)
			rep := verifyCredential(cmd.Context(), raw, opts)
			if err := writeJSON(cmd.OutOrStdout(), rep); err != nil {
				return err
			}
			if !rep.Valid {
				return exitError{code: 1, msg: "not valid: " + rep.Reason}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.keyFile, "issuer-jwk", "", "file with the issuer's public key: JWK, JWK Set or JWT VC Issuer Metadata")
	cmd.Flags().StringVar(&opts.nonce, "nonce", "", "expected key-binding nonce (with --aud)")
	cmd.Flags().StringVar(&opts.aud, "aud", "", "expected key-binding audience, e.g. the verifier's full client_id (with --nonce)")
	cmd.Flags().StringVar(&at, "at", "", "judge times at this RFC 3339 instant (default: now)")
	return cmd
}

type verifyOptions struct {
	keyFile    string
	keys       []jose.KeyEntry
	nonce, aud string
	now        time.Time
}

// report is what `hashi credential verify` prints.
type report struct {
	Format    string         `json:"format"`
	Valid     bool           `json:"valid"`
	Reason    string         `json:"reason,omitempty"`
	Code      string         `json:"code,omitempty"`
	At        time.Time      `json:"verified_at"`
	Checks    []reportCheck  `json:"checks"`
	Issuer    string         `json:"issuer,omitempty"`
	Type      any            `json:"type,omitempty"`
	KeySource string         `json:"key_source,omitempty"`
	X5C       []certSummary  `json:"x5c,omitempty"`
	Claims    map[string]any `json:"claims,omitempty"`
	Trust     string         `json:"trust"`
}

type reportCheck struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type certSummary struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	SHA256   string    `json:"sha256"`
}

const trustNote = "not evaluated: this command checks the credential itself; trust-list anchoring is the verifier's job"

func verifyCredential(ctx context.Context, raw string, o verifyOptions) *report {
	rep := &report{At: o.now.UTC(), Trust: trustNote}
	if isSDJWT(raw) {
		rep.Format = sdjwt.VCType
		verifySDJWT(ctx, raw, o, rep)
	} else {
		rep.Format = academic.FormatJWTVCJSON
		verifyJWTVC(raw, o, rep)
	}
	rep.Valid = rep.Reason == ""
	for _, c := range rep.Checks {
		if !c.OK {
			rep.Valid = false
		}
	}
	return rep
}

func (r *report) fail(code, reason string) {
	if r.Reason == "" {
		r.Code, r.Reason = code, reason
	}
}

func verifySDJWT(ctx context.Context, raw string, o verifyOptions, rep *report) {
	u, err := sdjwt.ParseUnverified(raw)
	if err != nil {
		rep.Checks = append(rep.Checks, reportCheck{Name: "parse", Code: string(sdjwt.CodeOf(err)), Detail: err.Error()})
		rep.fail(string(sdjwt.CodeOf(err)), err.Error())
		return
	}
	pol := sdjwt.VCPolicy{Policy: sdjwt.Policy{
		Algorithms: verifyAlgorithms, Now: o.now, ClockSkew: time.Minute,
		KeyBinding: sdjwt.KeyBindingForbidden,
	}}
	if o.nonce != "" {
		pol.KeyBinding, pol.Nonce, pol.Audience = sdjwt.KeyBindingRequired, o.nonce, o.aud
	} else if u.HasKeyBinding() {
		rep.Checks = append(rep.Checks, reportCheck{Name: "key_binding", Code: "invalid_key_binding",
			Detail: "the credential carries a key-binding JWT; give --nonce and --aud to verify it"})
		rep.fail("invalid_key_binding", "key-binding JWT present but --nonce and --aud not given")
		return
	}
	if len(o.keys) > 0 {
		pol.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
		pol.IssuerKeys = sdjwt.IssuerKeyResolverFunc(func(context.Context, string) ([]jose.KeyEntry, error) { return o.keys, nil })
		rep.KeySource = "issuer-jwk"
	} else {
		pol.KeySources = []sdjwt.KeySource{sdjwt.KeySourceX5C}
		rep.KeySource = string(sdjwt.KeySourceX5C)
	}
	cred, err := u.VerifyVC(ctx, pol)
	if err != nil {
		var e *sdjwt.Error
		if errors.As(err, &e) {
			rep.Checks = append(rep.Checks, sdChecks(e.Checks)...)
		}
		rep.fail(string(sdjwt.CodeOf(err)), err.Error())
		return
	}
	rep.Checks = append(rep.Checks, sdChecks(cred.Checks)...)
	rep.Issuer, rep.Type, rep.Claims = cred.Issuer, cred.VCT, cred.Claims
	rep.X5C = summarize(cred.X5C)
}

func sdChecks(cs []sdjwt.Check) []reportCheck {
	out := make([]reportCheck, len(cs))
	for i, c := range cs {
		out[i] = reportCheck{Name: c.Name, OK: c.OK, Code: string(c.Code), Detail: c.Detail}
	}
	return out
}

func vcChecks(cs []vcjwt.Check) []reportCheck {
	out := make([]reportCheck, len(cs))
	for i, c := range cs {
		out[i] = reportCheck{Name: c.Name, OK: c.OK, Code: string(c.Code), Detail: c.Detail}
	}
	return out
}

func verifyJWTVC(raw string, o verifyOptions, rep *report) {
	pol := vcjwt.Policy{Now: o.now, Algorithms: verifyAlgorithms, ClockSkew: time.Minute}
	if len(o.keys) > 0 {
		pol.Keys = o.keys
	} else {
		pol.AllowX5C = true
	}
	if o.nonce != "" {
		rep.Format = "jwt_vp_json"
		res, err := vcjwt.VerifyPresentation(raw, vcjwt.PresentationPolicy{
			Now: o.now, Audience: o.aud, Nonce: o.nonce, Algorithms: verifyAlgorithms, ClockSkew: time.Minute, Credential: pol,
		})
		if err != nil {
			if e, ok := errors.AsType[*vcjwt.Error](err); ok {
				rep.Checks = vcChecks(e.Checks)
			}
			rep.fail(string(vcjwt.CodeOf(err)), err.Error())
			return
		}
		rep.Checks = vcChecks(res.Checks)
		rep.Issuer = res.Holder
		for _, c := range res.Credentials {
			rep.Checks = append(rep.Checks, vcChecks(c.Checks)...)
		}
		return
	}
	res, err := vcjwt.Verify(raw, pol)
	if err != nil {
		if e, ok := errors.AsType[*vcjwt.Error](err); ok {
			rep.Checks = vcChecks(e.Checks)
		}
		rep.fail(string(vcjwt.CodeOf(err)), err.Error())
		return
	}
	rep.Checks = vcChecks(res.Checks)
	rep.Issuer, rep.Type, rep.Claims = res.Issuer, res.Types, res.Credential
	rep.KeySource = string(res.KeySource)
	rep.X5C = summarize(res.Chain)
}

func summarize(certs []*x509.Certificate) []certSummary {
	out := make([]certSummary, len(certs))
	for i, c := range certs {
		sum := sha256.Sum256(c.Raw)
		out[i] = certSummary{Subject: pki.NameString(c.Subject), Issuer: pki.NameString(c.Issuer), NotAfter: c.NotAfter.UTC(), SHA256: hex.EncodeToString(sum[:])}
	}
	return out
}

// keysFor adapts the keys given with --issuer-jwk to the credential: a single key without
// "kid" is the one the user vouches for, so it stands for whatever kid the token names.
func keysFor(raw string, keys []jose.KeyEntry) []jose.KeyEntry {
	if len(keys) != 1 || keys[0].Kid != "" {
		return keys
	}
	jwt, _, _ := strings.Cut(raw, "~")
	j, err := jose.Parse(jwt)
	if err != nil {
		return keys
	}
	k := keys[0]
	k.Kid = j.Header.Kid
	return []jose.KeyEntry{k}
}

// isSDJWT tells an SD-JWT (issuer JWT, "~", disclosures) from a plain compact JWT.
func isSDJWT(raw string) bool { return strings.Contains(raw, "~") }

func readCredential(stdin io.Reader, name string) (string, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxCredentialInput+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxCredentialInput {
		return "", fmt.Errorf("input is larger than %d bytes", maxCredentialInput)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", errors.New("input is empty")
	}
	return s, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
