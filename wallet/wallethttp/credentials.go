package wallethttp

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
)

// card is a credential as a list entry, in the page's language.
type card struct {
	ID   string
	Name string
	// Title and Holder tell apart credentials of one type from one issuer: the degree
	// title and the holder's name, when the credential states them.
	Title     string
	Holder    string
	Issuer    string
	IssuerURL string
	Trust     string
	Trusted   bool
	Received  string
	Expires   string
	// Status is the message key suffix: expired; for a credential with a status list
	// valid, revoked, suspended or unchecked (the list could not be read: not expired, but
	// whether it was revoked is unknown); without one not_expired or no_expiry.
	Status string
	Format string
}

// withStatus sets k.Status from what the issuer's status list says (st), unless the
// credential has expired, which says enough.
func withStatus(k *card, st *wallet.CredentialStatus) {
	if k.Status == "expired" || st == nil || st.State == wallet.StatusNone {
		return
	}
	switch st.State {
	case wallet.StatusValid, wallet.StatusRevoked, wallet.StatusSuspended:
		k.Status = st.State
	default:
		k.Status = "unchecked"
	}
}

// statusOf asks the issuer's status list about the credential of d (wallet.StatusOf bounds
// the fetch and remembers failures); unreadable details, or a failure to ask (logged),
// read as unknown, so the card says the revocation could not be checked.
func (h *Handler) statusOf(c echo.Context, d *wallet.CredentialDetails) *wallet.CredentialStatus {
	if d == nil {
		return &wallet.CredentialStatus{State: wallet.StatusUnknown}
	}
	ctx := c.Request().Context()
	st, err := h.w.StatusOf(ctx, d)
	if err != nil {
		h.cfg.logger.InfoContext(ctx, "credential status", "request_id", httpx.RequestID(ctx), "err", err.Error())
		return &wallet.CredentialStatus{State: wallet.StatusUnknown}
	}
	return st
}

// card is cr as a list entry, with the title and holder read from claims (its Details).
func (h *Handler) card(c echo.Context, cr wallet.Credential, claims []wallet.ClaimDisclosure, now time.Time) card {
	lang := h.r.LangOf(c)
	l := lang.String()
	k := card{ID: cr.ID, Name: cr.Display.Name.In(l), Title: cardTitle(claims, l), Holder: cardHolder(claims, l),
		Issuer: cr.Display.IssuerName.In(l), IssuerURL: cr.Issuer, Trust: cr.Trust.Message(l), Trusted: cr.Trust.Trusted,
		Received: webui.FormatDate(lang, cr.ReceivedAt), Status: "no_expiry", Format: cr.Format}
	if k.Name == "" {
		k.Name = cr.ConfigurationID
	}
	if k.Issuer == "" {
		k.Issuer = cr.Issuer
	}
	if !cr.ExpiresAt.IsZero() {
		k.Expires = webui.FormatDate(lang, cr.ExpiresAt)
		k.Status = "not_expired"
		if !now.Before(cr.ExpiresAt) {
			k.Status = "expired"
		}
	}
	return k
}

// cards are creds as list entries, each with the claims its Details read (a credential
// whose details cannot be read shows no title or holder) and what its status list says.
func (h *Handler) cards(c echo.Context, creds []wallet.Credential) []card {
	now := h.cfg.now()
	out := make([]card, 0, len(creds))
	for _, cr := range creds {
		d := h.detailsOf(c, cr.ID)
		var claims []wallet.ClaimDisclosure
		if d != nil {
			claims = d.Claims
		}
		k := h.card(c, cr, claims, now)
		if cr.Status != nil {
			withStatus(&k, h.statusOf(c, d))
		}
		out = append(out, k)
	}
	return out
}

// detailsOf returns the details of the owner's credential id, or nil (logged) when they
// cannot be read.
func (h *Handler) detailsOf(c echo.Context, id string) *wallet.CredentialDetails {
	d, err := h.w.Details(c.Request().Context(), owner(c), id)
	if err != nil {
		h.cfg.logger.InfoContext(c.Request().Context(), "credential details", "request_id", httpx.RequestID(c.Request().Context()), "err", err.Error())
		return nil
	}
	return d
}

type pendingCard struct {
	ID, Name, Issuer, Since, Next string
}

type credentialsView struct {
	frame
	Cards   []card
	Pending []pendingCard
}

func (h *Handler) credentialsPage(c echo.Context, status int, flash ...webui.Flash) error {
	ctx := c.Request().Context()
	creds, err := h.w.Credentials(ctx, owner(c))
	if err != nil {
		return err
	}
	pend, err := h.w.PendingIssuances(ctx, owner(c))
	if err != nil {
		return err
	}
	lang := h.r.LangOf(c)
	v := credentialsView{frame: h.frame(c, "credentials"), Cards: h.cards(c, creds)}
	for _, p := range pend {
		name := p.Display.Name.In(lang.String())
		if name == "" {
			name = p.ConfigurationID
		}
		issuer := p.Display.IssuerName.In(lang.String())
		if issuer == "" {
			issuer = p.Issuer
		}
		v.Pending = append(v.Pending, pendingCard{ID: p.ID, Name: name, Issuer: issuer, Since: webui.FormatDate(lang, p.CreatedAt), Next: webui.FormatDate(lang, p.NextPollAt)})
	}
	return h.r.Render(c, status, "credentials.html", &webui.Page{Flash: flash, Data: v})
}

func (h *Handler) credentials(c echo.Context) error {
	var flash []webui.Flash
	if c.QueryParam("deleted") == "1" {
		flash = append(flash, webui.Flash{Kind: webui.FlashSuccess, Key: "credentials.deleted"})
	}
	return h.credentialsPage(c, http.StatusOK, flash...)
}

// claimRow is one claim value on a page. The student reads Label and Value; Path (the
// claims path) and Code (the value as the credential states it, when Value puts a code in
// words) are there for the curious, as tooltips.
type claimRow struct {
	// Label is the claim's name in the page's language; "" when the type metadata has
	// none, and the page shows Path instead.
	Label string
	Path  string
	Value string
	Code  string
}

type detailsView struct {
	frame
	Card       card
	Valid      bool
	Problem    string // the verification code, shown as technical detail
	ProblemKey string // the message that explains it to the student
	Claims     []claimRow
	Types      string
}

// problemKey is the message explaining a verification code to the student.
func problemKey(code string) string {
	switch code {
	case "expired", "not_yet_valid":
		return "problem." + code
	default:
		return "problem.other"
	}
}

// claimRows turns claim disclosures of a credential of type vct into rows in lang: the
// label where the type metadata has one, else the claims path. An object or array value
// becomes one row per leaf (its members in key order), so a student reads values, not
// JSON; a leaf is labelled by the type metadata, else by its parent's label and its key
// ("Degree title › value"). A value that is a code of the academic model (degree type,
// credit framework, language tag, …) or an English phrase of hashi's reads as words in
// lang, the code kept in Code. The JWT times iat, nbf and exp read as a date and time.
func claimRows(cds []wallet.ClaimDisclosure, vct string, lang language.Tag) []claimRow {
	l := lang.String()
	rows := make([]claimRow, 0, len(cds))
	for _, cd := range cds {
		path := cd.Path
		if path == nil {
			path = parsePath(cd.PathJSON)
		}
		label := cd.Label.In(l)
		if label == "" && vct != "" {
			label, _ = academic.ClaimLabel(vct, path, l)
		}
		if t, ok := jwtTime(path, cd.Value); ok {
			rows = append(rows, claimRow{Label: label, Path: pathText(path), Value: dateTime(lang, t)})
			continue
		}
		rows = appendLeafRows(rows, vct, l, label, path, cd.Value, 0)
	}
	return rows
}

// parsePath is a claims path pointer from its JSON form (numbers as float64), or nil.
func parsePath(pathJSON string) dcql.Path {
	var p []any
	if err := json.Unmarshal([]byte(pathJSON), &p); err != nil {
		return nil
	}
	return p
}

// jwtTime returns the time of a top-level iat, nbf or exp claim: a NumericDate, seconds
// since 1970 (UTC).
func jwtTime(p dcql.Path, v any) (time.Time, bool) {
	if len(p) != 1 || !slices.Contains([]any{"iat", "nbf", "exp"}, p[0]) {
		return time.Time{}, false
	}
	var f float64
	switch t := v.(type) {
	case float64:
		f = t
	case json.Number:
		var err error
		if f, err = t.Float64(); err != nil {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	// Between 1970 and 9999, so the date formats as four digits.
	if f < 0 || f > 253402300799 || f != math.Trunc(f) {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

// dateTime is t's date in lang and its time of day in UTC: "28 November 2026 09:30 UTC".
func dateTime(lang language.Tag, t time.Time) string {
	t = t.UTC()
	return webui.FormatDate(lang, t) + " " + t.Format("15:04 UTC")
}

// maxClaimRowDepth bounds how deep appendLeafRows expands values; deeper ones are shown as
// JSON.
const maxClaimRowDepth = 4

func appendLeafRows(rows []claimRow, vct, lang, label string, path dcql.Path, v any, depth int) []claimRow {
	child := func(key any) (string, dcql.Path) {
		p := append(slices.Clone(path), key)
		if l, ok := academic.ClaimLabel(vct, p, lang); ok && vct != "" {
			return l, p
		}
		if label == "" {
			return "", p
		}
		return label + " › " + fmt.Sprint(key), p
	}
	if depth < maxClaimRowDepth {
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 0 {
				break
			}
			keys := slices.Sorted(maps.Keys(t))
			for _, k := range keys {
				l, p := child(k)
				rows = appendLeafRows(rows, vct, lang, l, p, t[k], depth+1)
			}
			return rows
		case []any:
			if len(t) == 0 {
				break
			}
			for i, x := range t {
				l, p := child(i)
				rows = appendLeafRows(rows, vct, lang, l, p, x, depth+1)
			}
			return rows
		}
	}
	row := claimRow{Label: label, Path: pathText(path), Value: valueText(v)}
	if words, ok := academic.ClaimValueText(vct, path, v, lang); ok && vct != "" && words != row.Value {
		row.Value, row.Code = words, row.Value
	}
	return append(rows, row)
}

// pathText is a claims path pointer in words: ["degree","type"] → degree › type, nil (any
// array element) → *.
func pathText(p dcql.Path) string {
	parts := make([]string, len(p))
	for i, x := range p {
		switch t := x.(type) {
		case string:
			parts[i] = t
		case nil:
			parts[i] = "*"
		case float64:
			parts[i] = strconv.FormatFloat(t, 'f', -1, 64)
		default:
			parts[i] = fmt.Sprint(t)
		}
	}
	return strings.Join(parts, " › ")
}

// sharedClaim is a disclosed claim as the history and the outcome page name it: its label
// in the page's language, and its claims path in words (shown when there is no label,
// else a tooltip).
type sharedClaim struct {
	Label, Path string
}

// disclosedNames returns a function naming the claims of a disclosed credential in the
// page's language: labels from the type metadata of the credential, while it is stored (a
// deleted one shows paths).
func (h *Handler) disclosedNames(c echo.Context) (func(wallet.DisclosedCredential) []sharedClaim, error) {
	creds, err := h.w.Credentials(c.Request().Context(), owner(c))
	if err != nil {
		return nil, err
	}
	vct := map[string]string{}
	for _, cr := range creds {
		vct[cr.ID] = cr.VCT
	}
	l := h.lang(c)
	return func(dc wallet.DisclosedCredential) []sharedClaim {
		out := make([]sharedClaim, 0, len(dc.Claims))
		for _, p := range dc.Claims {
			out = append(out, claimName(vct[dc.CredentialID], p, l))
		}
		return out
	}, nil
}

// claimName is a disclosed claim's label in lang (none when the type metadata has none)
// and its path in words.
func claimName(vct, pathJSON, lang string) sharedClaim {
	p := parsePath(pathJSON)
	if p == nil {
		return sharedClaim{Path: pathJSON}
	}
	n := sharedClaim{Path: pathText(p)}
	if vct != "" {
		n.Label, _ = academic.ClaimLabel(vct, p, lang)
	}
	return n
}

func valueText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case float64:
		// Plain digits, never 1.795916747e+09.
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool, json.Number:
		return fmt.Sprint(t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		return string(b)
	}
}

func (h *Handler) credential(c echo.Context) error {
	d, err := h.w.Details(c.Request().Context(), owner(c), c.Param("id"))
	if err != nil {
		return err
	}
	k := h.card(c, d.Credential, d.Claims, h.cfg.now())
	if d.Credential.Status != nil {
		withStatus(&k, h.statusOf(c, d))
	}
	v := detailsView{frame: h.frame(c, "credentials"), Card: k, Valid: d.Valid, Problem: d.Problem,
		ProblemKey: problemKey(d.Problem), Claims: claimRows(d.Claims, d.Credential.VCT, h.r.LangOf(c)), Types: strings.Join(append([]string{d.Credential.VCT}, d.Credential.Types...), " ")}
	return h.r.Render(c, http.StatusOK, "credential.html", &webui.Page{Data: v})
}

func (h *Handler) deleteCredential(c echo.Context) error {
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(http.StatusSeeOther, h.cfg.base+"/credentials/"+c.Param("id"))
	}
	if err := h.w.DeleteCredential(c.Request().Context(), owner(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.cfg.base+"/credentials?deleted=1")
}

// poll asks the issuer again for a deferred credential.
func (h *Handler) poll(c echo.Context) error {
	rec, err := h.w.PollDeferred(c.Request().Context(), owner(c), c.Param("id"))
	if err != nil {
		if wallet.CodeOf(err) == wallet.CodeNotFound || !h.walletFailed(c, "poll deferred", err) {
			return err
		}
		return h.credentialsPage(c, http.StatusOK, h.walletFlash(c, err))
	}
	if len(rec.Credentials) == 0 {
		return h.credentialsPage(c, http.StatusOK, webui.Flash{Kind: webui.FlashInfo, Key: "pending.not_yet"})
	}
	return h.receivedPage(c, rec)
}

type historyEntry struct {
	When, Verifier, ClientID, Trust, Outcome, Error string
	Trusted                                         bool
	Credentials                                     []historyCredential
}

type historyCredential struct {
	Name   string
	Claims []sharedClaim
}

type historyView struct {
	frame
	Entries []historyEntry
}

func (h *Handler) history(c echo.Context) error {
	recs, err := h.w.History(c.Request().Context(), owner(c))
	if err != nil {
		return err
	}
	lang := h.r.LangOf(c)
	l := lang.String()
	names, err := h.disclosedNames(c)
	if err != nil {
		return err
	}
	v := historyView{frame: h.frame(c, "history")}
	for _, r := range recs {
		e := historyEntry{When: dateTime(lang, r.At), Verifier: r.VerifierName.In(l), ClientID: r.ClientID,
			Trust: r.VerifierTrust.Message(l), Trusted: r.VerifierTrust.Trusted, Outcome: r.Outcome, Error: r.Error}
		for _, dc := range r.Credentials {
			hc := historyCredential{Name: dc.Name.In(l)}
			if hc.Name == "" {
				hc.Name = dc.QueryID
			}
			hc.Claims = names(dc)
			e.Credentials = append(e.Credentials, hc)
		}
		v.Entries = append(v.Entries, e)
	}
	return h.r.Render(c, http.StatusOK, "history.html", &webui.Page{Data: v})
}
