package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// cliOwner owns every record of the CLI holder's local store.
const cliOwner = "local"

// holderOptions are the flags every `hashi wallet` subcommand shares.
type holderOptions struct {
	store         string
	tlsCA         string
	verifierRoots string
	lotl          string
	lotlSigners   string
	lists         []string
	lang          string
}

func (o *holderOptions) flags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.store, "store", "hashi-wallet", "folder of the local encrypted store (created on first use)")
	f.StringVar(&o.tlsCA, "tls-ca", "", "PEM file of extra TLS roots (e.g. the demo's TLS CA)")
	f.StringVar(&o.verifierRoots, "verifier-roots", "", "PEM file of CA certificates accepted for verifiers' access certificates")
	f.StringVar(&o.lotl, "lotl", "", "URL of a list of trusted lists (TS 119 612 XML) for trust summaries")
	f.StringVar(&o.lotlSigners, "lotl-signers", "", "PEM file of the LOTL's accepted signers")
	f.StringArrayVar(&o.lists, "list", nil, "URL=SIGNERS.pem of a list with pinned signers (.jwt/.jws: LoTE; else XML); repeatable")
	f.StringVar(&o.lang, "lang", "en", "language of messages: en or ja")
}

func newWalletCmd() *cobra.Command {
	var o holderOptions
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "The CLI holder: receive, list, show, present and delete credentials; collect deferred ones",
		Long: `A command-line wallet on the same core as the hosted student wallet. Credentials and their
keys live in a local store (--store, default ./hashi-wallet): an SQLite file with every secret
sealed with AES-256-GCM under a key file created there on first use (mode 0600).

Plain http is allowed to loopback addresses only (so it works against "hashi demo"); every
other URL must be https. Trust summaries of issuers and verifiers come from the trust lists
given with --lotl/--list (and --verifier-roots for verifiers); 'present' answers only a
verifier whose access certificate one of them vouches for.

A university that has not released a diploma yet defers it: 'receive' then reports it as
pending, 'pending' lists such issuances and 'collect ID' asks for the credential again.`,
	}
	o.flags(cmd)
	receive := &cobra.Command{
		Use:   "receive [--tx-code PIN] OFFER",
		Short: "Receive credentials from an openid-credential-offer:// link",
		Args:  withUsage(cobra.ExactArgs(1)),
	}
	var txCode string
	receive.Flags().StringVar(&txCode, "tx-code", "", "the PIN the issuer gave you, when the offer asks for one")
	receive.RunE = o.withHolder(func(cmd *cobra.Command, h *holder, args []string) error {
		offer, err := h.w.ParseOffer(cmd.Context(), args[0])
		if err != nil {
			return h.fail(err)
		}
		if tc := offer.TxCode(); tc != nil && txCode == "" {
			return usageError{fmt.Errorf("this offer needs a PIN (--tx-code): %s", tc.Description)}
		}
		rec, err := h.w.Receive(cmd.Context(), cliOwner, offer, txCode)
		if err != nil {
			return h.fail(err)
		}
		return writeReceipt(cmd, rec, o.lang)
	})
	list := &cobra.Command{
		Use:   "list",
		Short: "List stored credentials",
		Args:  withUsage(cobra.NoArgs),
		RunE: o.withHolder(func(cmd *cobra.Command, h *holder, _ []string) error {
			creds, err := h.w.Credentials(cmd.Context(), cliOwner)
			if err != nil {
				return h.fail(err)
			}
			return writeJSON(cmd.OutOrStdout(), summarizeCredentials(creds, o.lang))
		}),
	}
	pending := &cobra.Command{
		Use:   "pending",
		Short: "List deferred issuances: credentials the university has not released yet",
		Args:  withUsage(cobra.NoArgs),
		RunE: o.withHolder(func(cmd *cobra.Command, h *holder, _ []string) error {
			ps, err := h.w.PendingIssuances(cmd.Context(), cliOwner)
			if err != nil {
				return h.fail(err)
			}
			return writeJSON(cmd.OutOrStdout(), summarizePending(ps, o.lang))
		}),
	}
	collect := &cobra.Command{
		Use:   "collect ID",
		Short: "Ask the university once more for a deferred credential (an id from `pending`)",
		Long: `Asks the issuer's deferred credential endpoint for the credential of a pending issuance (an
id from 'hashi wallet pending'). When it is ready it is verified and stored, as 'receive' does;
when it is not, the issuance stays pending and next_poll_at says when to ask again. An issuer
that refuses it for good ends the pending issuance (exit 1).`,
		Args: withUsage(cobra.ExactArgs(1)),
		RunE: o.withHolder(func(cmd *cobra.Command, h *holder, args []string) error {
			rec, err := h.w.PollDeferred(cmd.Context(), cliOwner, args[0])
			if err != nil {
				return h.fail(err)
			}
			if len(rec.Credentials) == 0 {
				cmd.PrintErrln("not ready yet: the university has not released it")
			}
			return writeReceipt(cmd, rec, o.lang)
		}),
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one credential with every claim, and what its issuer's status list says of it now",
		Args:  withUsage(cobra.ExactArgs(1)),
		RunE: o.withHolder(func(cmd *cobra.Command, h *holder, args []string) error {
			d, err := h.w.Details(cmd.Context(), cliOwner, args[0])
			if err != nil {
				return h.fail(err)
			}
			st, err := h.w.StatusOf(cmd.Context(), d)
			if err != nil {
				return h.fail(err)
			}
			return writeJSON(cmd.OutOrStdout(), struct {
				*wallet.CredentialDetails
				Status *wallet.CredentialStatus `json:"status"`
			}{d, st})
		}),
	}
	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete one credential and its key",
		Args:  withUsage(cobra.ExactArgs(1)),
		RunE: o.withHolder(func(cmd *cobra.Command, h *holder, args []string) error {
			if err := h.w.DeleteCredential(cmd.Context(), cliOwner, args[0]); err != nil {
				return h.fail(err)
			}
			cmd.PrintErrln("deleted", args[0])
			return nil
		}),
	}
	var yes, decline bool
	var credID string
	present := &cobra.Command{
		Use:   "present [--yes | --decline] REQUEST",
		Short: "Answer an openid4vp:// request: show what would be disclosed and to whom, then send",
		Long: `Reads the verifier's request (checking its signature and client_id against the verifier's
access certificate), matches it against the stored credentials, and prints to standard error
who asks (and what the trust lists say of them) and exactly which claims would be disclosed.
Without --yes it asks for confirmation on standard input. The verifier's reply is printed as
JSON. With --decline it answers access_denied.`,
		Args: withUsage(cobra.ExactArgs(1)),
		RunE: o.withHolder(func(cmd *cobra.Command, h *holder, args []string) error {
			req, err := h.w.ParseRequest(cmd.Context(), args[0])
			if err != nil {
				if _, rerr := h.w.Reject(cmd.Context(), cliOwner, err); rerr == nil {
					cmd.PrintErrln("the verifier was told the request cannot be served")
				}
				return h.fail(err)
			}
			if decline {
				res, err := h.w.Decline(cmd.Context(), cliOwner, req)
				if err != nil {
					return h.fail(err)
				}
				return writeJSON(cmd.OutOrStdout(), res)
			}
			consent, err := h.w.Match(cmd.Context(), cliOwner, req)
			if err != nil {
				return h.fail(err)
			}
			// What is shown is what will be sent: the choice is made before asking.
			choice := consent.Default
			if credID != "" && consent.Satisfiable {
				if choice, err = chooseCredential(consent, credID); err != nil {
					return err
				}
			}
			statuses := map[string]*wallet.CredentialStatus{}
			for _, ids := range choice {
				for _, id := range ids {
					if statuses[id], err = h.w.Status(cmd.Context(), cliOwner, id); err != nil {
						return h.fail(err)
					}
				}
			}
			printConsent(cmd.ErrOrStderr(), consent, choice, statuses, o.lang)
			if !consent.Satisfiable {
				res, err := h.w.Decline(cmd.Context(), cliOwner, req)
				if err != nil {
					return h.fail(err)
				}
				_ = writeJSON(cmd.OutOrStdout(), res)
				return exitError{code: 1, msg: "no stored credential answers this request; declined (access_denied)"}
			}
			if !yes && !confirm(cmd.InOrStdin(), cmd.ErrOrStderr()) {
				res, err := h.w.Decline(cmd.Context(), cliOwner, req)
				if err != nil {
					return h.fail(err)
				}
				_ = writeJSON(cmd.OutOrStdout(), res)
				return exitError{code: 1, msg: "declined"}
			}
			res, err := h.w.Present(cmd.Context(), cliOwner, req, choice)
			if err != nil {
				return h.fail(err)
			}
			return writeJSON(cmd.OutOrStdout(), res)
		}),
	}
	present.Flags().BoolVar(&yes, "yes", false, "send without asking")
	present.Flags().BoolVar(&decline, "decline", false, "answer access_denied")
	present.Flags().StringVar(&credID, "credential", "", "present the stored credential `ID` (as 'hashi wallet list' prints it) where it answers, instead of the first match")
	present.MarkFlagsMutuallyExclusive("yes", "decline")
	cmd.AddCommand(receive, list, pending, collect, show, present, del, newWalletServeCmd())
	return cmd
}

// chooseCredential is the default choice with the credential id instead of the proposed one
// in every query it answers; an error when it answers none.
func chooseCredential(consent *wallet.Consent, id string) (wallet.Choice, error) {
	choice := wallet.Choice{}
	found := false
	for q, ids := range consent.Default {
		choice[q] = ids
	}
	for _, q := range consent.Queries {
		for _, c := range q.Candidates {
			if c.CredentialID == id {
				choice[q.ID], found = []string{id}, true
			}
		}
	}
	if !found {
		return nil, usageError{fmt.Errorf("--credential %s does not answer this request", id)}
	}
	return choice, nil
}

// holder is an opened CLI wallet.
type holder struct {
	w    *wallet.Wallet
	db   *sqldb.DB
	lang string
}

func (h *holder) close() { _ = h.db.Close() }

// fail turns a wallet error into its message in the chosen language.
func (h *holder) fail(err error) error {
	if e, ok := errors.AsType[*wallet.Error](err); ok {
		return fmt.Errorf("%s (%s)", e.Message(h.lang), e.Code)
	}
	return err
}

// localhostResolver resolves *.localhost to the loopback addresses (RFC 6761), as browsers do,
// so the demo's desk names work without /etc/hosts entries.
func localhostResolver(ctx context.Context, host string) ([]netip.Addr, error) {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// withHolder is a command's RunE that opens the local store (openHolder) for fn and closes
// it after.
func (o *holderOptions) withHolder(fn func(cmd *cobra.Command, h *holder, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		h, err := openHolder(cmd.Context(), o)
		if err != nil {
			return err
		}
		defer h.close()
		return fn(cmd, h, args)
	}
}

// openHolder opens (creating on first use) the local store and builds the wallet.
func openHolder(ctx context.Context, o *holderOptions) (*holder, error) {
	if o.lang != "en" && o.lang != "ja" {
		return nil, usageError{fmt.Errorf("--lang %q: want en or ja", o.lang)}
	}
	if err := os.MkdirAll(o.store, 0o700); err != nil {
		return nil, err
	}
	keyFile := filepath.Join(o.store, "wallet.key")
	if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
		k := make([]byte, walletstore.KeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if err := os.WriteFile(keyFile, k, 0o600); err != nil {
			return nil, err
		}
	}
	key, err := walletstore.LoadKey(keyFile, "")
	if err != nil {
		return nil, err
	}
	db, err := sqldb.Open(ctx, "sqlite:"+filepath.Join(o.store, "wallet.db"))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*holder, error) { _ = db.Close(); return nil, err }
	st, err := walletstore.New(ctx, db, key)
	if err != nil {
		return fail(err)
	}
	copts := []safehttp.Option{safehttp.WithLoopbackInsecure(), safehttp.WithResolver(localhostResolver)}
	if o.tlsCA != "" {
		pool, err := certPool(o.tlsCA)
		if err != nil {
			return fail(err)
		}
		copts = append(copts, safehttp.WithRootCAs(pool))
	}
	client, err := safehttp.New(copts...)
	if err != nil {
		return fail(err)
	}
	var wopts []wallet.Option
	if o.verifierRoots != "" {
		pool, err := certPool(o.verifierRoots)
		if err != nil {
			return fail(err)
		}
		wopts = append(wopts, wallet.WithVerifierRoots(pool))
	}
	if o.lotl != "" || len(o.lists) > 0 {
		src, err := holderTrust(ctx, o, client)
		if err != nil {
			return fail(err)
		}
		wopts = append(wopts,
			wallet.WithIssuerTrust(src, trustlist.Policy{ServiceTypes: defaultServiceTypes}),
			wallet.WithVerifierTrust(src, trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpAccessType}}}))
	}
	w, err := wallet.New(st, client, time.Now, wopts...)
	if err != nil {
		return fail(err)
	}
	return &holder{w: w, db: db, lang: o.lang}, nil
}

// holderTrust loads the trust lists named by the flags once (cached under the store folder).
func holderTrust(ctx context.Context, o *holderOptions, client *safehttp.Client) (trustlist.Source, error) {
	var lopts []trustlist.LoaderOption
	if o.lotl != "" {
		signers, err := readCertificates(o.lotlSigners)
		if err != nil {
			return nil, fmt.Errorf("--lotl-signers: %w", err)
		}
		lopts = append(lopts, trustlist.WithLOTL(trustlist.LOTLConfig{URL: o.lotl, Signers: signers}))
	}
	for _, l := range o.lists {
		u, pemFile, ok := strings.Cut(l, "=")
		if !ok {
			return nil, usageError{fmt.Errorf("--list %q: want URL=SIGNERS.pem", l)}
		}
		signers, err := readCertificates(pemFile)
		if err != nil {
			return nil, fmt.Errorf("--list %s: %w", u, err)
		}
		format := trustlist.FormatXML
		if strings.HasSuffix(u, ".jwt") || strings.HasSuffix(u, ".jws") {
			format = trustlist.FormatLoTE
		}
		lopts = append(lopts, trustlist.WithList(trustlist.ListConfig{Label: u, URL: u, Format: format, Signers: signers}))
	}
	lopts = append(lopts, trustlist.WithCacheDir(filepath.Join(o.store, "trust-cache")))
	loader, err := trustlist.NewLoader(client.HTTPClient(), lopts...)
	if err != nil {
		return nil, err
	}
	snap, err := loader.Load(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	return snap, nil
}

func certPool(file string) (*x509.CertPool, error) {
	certs, err := readCertificates(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// writeReceipt prints what receive and collect got: the credentials stored and the
// issuances still pending.
func writeReceipt(cmd *cobra.Command, rec *wallet.Receipt, lang string) error {
	return writeJSON(cmd.OutOrStdout(), map[string]any{
		"credentials": summarizeCredentials(rec.Credentials, lang),
		"pending":     summarizePending(rec.Pending, lang),
	})
}

// pendingSummary is what `pending`, `receive` and `collect` print for a deferred issuance.
type pendingSummary struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Issuer     string    `json:"issuer"`
	IssuerName string    `json:"issuer_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// NextPollAt is when the issuer asked to be asked again (its interval after the last try).
	NextPollAt      time.Time `json:"next_poll_at"`
	IntervalSeconds float64   `json:"interval_seconds"`
}

func summarizePending(ps []wallet.PendingIssuance, lang string) []pendingSummary {
	out := make([]pendingSummary, 0, len(ps))
	for _, p := range ps {
		typ := p.VCT
		if typ == "" && len(p.Types) > 0 {
			typ = p.Types[len(p.Types)-1]
		}
		out = append(out, pendingSummary{ID: p.ID, Name: pick(p.Display.Name, lang), Type: typ, Issuer: p.Issuer,
			IssuerName: pick(p.Display.IssuerName, lang), CreatedAt: p.CreatedAt, NextPollAt: p.NextPollAt,
			IntervalSeconds: p.Interval.Seconds()})
	}
	return out
}

// credentialSummary is what `list` and `receive` print for a credential.
type credentialSummary struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Format     string    `json:"format"`
	Type       string    `json:"type"`
	Issuer     string    `json:"issuer"`
	IssuerName string    `json:"issuer_name,omitempty"`
	Trust      string    `json:"trust"`
	ReceivedAt time.Time `json:"received_at"`
}

func summarizeCredentials(creds []wallet.Credential, lang string) []credentialSummary {
	out := make([]credentialSummary, 0, len(creds))
	for _, c := range creds {
		typ := c.VCT
		if typ == "" && len(c.Types) > 0 {
			typ = c.Types[len(c.Types)-1]
		}
		out = append(out, credentialSummary{ID: c.ID, Name: pick(c.Display.Name, lang), Format: c.Format, Type: typ,
			Issuer: c.Issuer, IssuerName: pick(c.Display.IssuerName, lang),
			Trust: c.Trust.Message(lang), ReceivedAt: c.ReceivedAt})
	}
	return out
}

func pick(n wallet.Names, lang string) string {
	if v := n[lang]; v != "" {
		return v
	}
	if v := n["en"]; v != "" {
		return v
	}
	for _, v := range n {
		return v
	}
	return ""
}

// printConsent says who asks and, query by query, exactly what choice would send, with a
// warning for a chosen credential its issuer revoked or suspended (statuses, by id).
func printConsent(w io.Writer, c *wallet.Consent, choice wallet.Choice, statuses map[string]*wallet.CredentialStatus, lang string) {
	fmt.Fprintf(w, "Request from %s\n  %s\n", orDash(pick(c.Verifier.Name, lang)), c.Verifier.Trust.Message(lang))
	for _, q := range c.Queries {
		chosen := choice[q.ID]
		switch {
		case len(q.Candidates) == 0 && !q.Optional:
			fmt.Fprintf(w, "  %s: no stored credential answers it\n", q.ID)
			continue
		case len(chosen) == 0:
			fmt.Fprintf(w, "  %s: nothing is shared\n", q.ID)
			continue
		}
		for _, cand := range q.Candidates {
			if !slices.Contains(chosen, cand.CredentialID) {
				continue
			}
			fmt.Fprintf(w, "  %s: %s from %s\n", q.ID, orDash(pick(cand.Name, lang)), orDash(pick(cand.IssuerName, lang)))
			switch st := statuses[cand.CredentialID]; {
			case st == nil:
			case st.State == wallet.StatusRevoked, st.State == wallet.StatusSuspended:
				fmt.Fprintf(w, "    WARNING: the issuer's status list says this credential is %s; the verifier will refuse it\n", st.State)
			case st.State == wallet.StatusUnknown:
				fmt.Fprintf(w, "    (whether the issuer revoked it could not be checked: %s)\n", st.Problem)
			}
			if cand.WholeCredential {
				fmt.Fprintln(w, "    the whole credential is shared")
			}
			for _, cl := range cand.Claims {
				label := pick(cl.Label, lang)
				if label == "" {
					label = cl.PathJSON
				}
				fmt.Fprintf(w, "    - %s: %v\n", label, cl.Value)
			}
		}
	}
}

// confirm asks on the terminal; anything but y/yes declines.
func confirm(in io.Reader, out io.Writer) bool {
	fmt.Fprint(out, "Share these claims? [y/N] ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
