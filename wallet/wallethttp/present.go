package wallethttp

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/labstack/echo/v4"
)

type candidateView struct {
	CredentialID string
	Name         string
	Issuer       string
	Trust        string
	Trusted      bool
	Claims       []claimRow
	Always       string
	Whole        bool
	Checked      bool
	// Title and Holder tell apart credentials of one type (see card).
	Title, Holder string
	// Withdrawn is "revoked" or "suspended" when the issuer's status list says so: the
	// verifier will refuse the credential.
	Withdrawn string
}

type queryView struct {
	ID         string
	Optional   bool
	Selectable bool // has an include checkbox (credential sets)
	Included   bool
	Multiple   bool
	Candidates []candidateView
}

type consentView struct {
	frame
	ID          string
	Verifier    string
	ClientID    string
	Subject     string
	DNSNames    string
	Trust       string
	Trusted     bool
	Signed      bool
	ResponseTo  string
	Satisfiable bool
	Queries     []queryView
}

type outcomeView struct {
	frame
	Verifier    string
	Outcome     string
	Message     string
	RedirectURI string
	Shared      []historyCredential
}

// presentForm is the paste form, or, with ?link=LINK or the request parameters themselves
// (the wallet's same-device URL), the consent page.
func (h *Handler) presentForm(c echo.Context) error {
	q := c.QueryParams()
	switch {
	case q.Get("link") != "":
		return h.openRequest(c, q.Get("link"))
	case q.Has("client_id"):
		q.Del(webui.LangParam)
		return h.openRequest(c, "openid4vp://?"+q.Encode())
	}
	return h.r.Render(c, http.StatusOK, "present.html", &webui.Page{Data: linkView{frame: h.frame(c, "present")}})
}

func (h *Handler) presentLink(c echo.Context) error { return h.openRequest(c, c.FormValue("link")) }

// openRequest fetches and verifies the request, holds it server-side and shows the consent
// page.
func (h *Handler) openRequest(c echo.Context, link string) error {
	v := linkView{frame: h.frame(c, "present"), Link: link}
	if link == "" {
		return h.r.Render(c, http.StatusUnprocessableEntity, "present.html", &webui.Page{Errors: webui.FieldErrors{{Field: "link", Rule: "required"}}, Data: v})
	}
	req, err := h.w.ParseRequest(c.Request().Context(), link)
	if err != nil {
		if !h.walletFailed(c, "parse request", err) {
			return err
		}
		// An authenticated request the wallet cannot serve may be answered with its error.
		if we, ok := errors.AsType[*wallet.Error](err); ok && we.ReplyTo != nil && we.OAuth != "" {
			rid, perr := h.held.put(&held{owner: owner(c), req: we.ReplyTo, rejectErr: we}, h.cfg.now())
			if perr != nil {
				return perr
			}
			v.RejectID = rid
			v.Verifier = we.ReplyTo.Verifier.Name.In(h.lang(c))
		}
		return h.r.Render(c, http.StatusUnprocessableEntity, "present.html", &webui.Page{Flash: []webui.Flash{h.walletFlash(c, err)}, Data: v})
	}
	id, err := h.held.put(&held{owner: owner(c), req: req}, h.cfg.now())
	if err != nil {
		return err
	}
	return h.consentPage(c, http.StatusOK, id, req, nil)
}

func (h *Handler) consentPage(c echo.Context, status int, id string, req *wallet.Request, chosen url.Values, flash ...webui.Flash) error {
	cons, err := h.w.Match(c.Request().Context(), owner(c), req)
	if err != nil {
		return err
	}
	lang := h.r.LangOf(c)
	l := lang.String()
	v := consentView{frame: h.frame(c, "present"), ID: id, Verifier: req.Verifier.Name.In(l), ClientID: req.ClientID, Subject: req.Verifier.Subject,
		DNSNames: strings.Join(req.Verifier.DNSNames, ", "), Trust: req.Verifier.Trust.Message(l), Trusted: req.Verifier.Trust.Trusted,
		Signed: req.Signed, Satisfiable: cons.Satisfiable}
	if u, err := url.Parse(req.ResponseURI); err == nil {
		v.ResponseTo = u.Host
	}
	sel := selectable(req)
	for _, q := range cons.Queries {
		def, inDefault := cons.Default[q.ID]
		qv := queryView{ID: q.ID, Optional: q.Optional, Selectable: sel[q.ID], Included: inDefault, Multiple: q.Multiple}
		if chosen != nil {
			qv.Included = slices.Contains(chosen["include"], q.ID)
			def = chosen["cred."+q.ID]
		}
		for i, cd := range q.Candidates {
			var stored []wallet.ClaimDisclosure
			var vct string
			d := h.detailsOf(c, cd.CredentialID)
			if d != nil {
				stored, vct = d.Claims, d.Credential.VCT
			}
			cv := candidateView{CredentialID: cd.CredentialID, Name: cd.Name.In(l), Title: cardTitle(stored, l), Holder: cardHolder(stored, l),
				Issuer: cd.IssuerName.In(l), Trust: cd.IssuerTrust.Message(l),
				Trusted: cd.IssuerTrust.Trusted, Claims: claimRows(cd.Claims, vct, lang), Always: h.alwaysText(c, vct, cd.AlwaysDisclosed), Whole: cd.WholeCredential,
				Checked: slices.Contains(def, cd.CredentialID) || (len(def) == 0 && i == 0)}
			if cv.Issuer == "" {
				cv.Issuer = cd.Issuer
			}
			if st := h.statusOf(c, d); st.State == wallet.StatusRevoked || st.State == wallet.StatusSuspended {
				cv.Withdrawn = st.State
			}
			qv.Candidates = append(qv.Candidates, cv)
		}
		if chosen == nil && !q.Multiple {
			preferValid(qv.Candidates)
		}
		v.Queries = append(v.Queries, qv)
	}
	return h.r.Render(c, status, "consent.html", &webui.Page{Flash: flash, Data: v})
}

// preferValid moves the proposed choice off a candidate its issuer revoked or suspended,
// to the first one that is not, when there is one: the verifier would refuse it.
func preferValid(cands []candidateView) {
	for i := range cands {
		if !cands[i].Checked || cands[i].Withdrawn == "" {
			continue
		}
		for j := range cands {
			if cands[j].Withdrawn == "" {
				cands[i].Checked, cands[j].Checked = false, true
				return
			}
		}
	}
}

// selectable returns the credential queries the student ticks in or out: those of optional
// credential sets and those of required sets with alternatives. The others (no credential
// sets, or the only option of a required set) are always answered.
func selectable(req *wallet.Request) map[string]bool {
	sel := map[string]bool{}
	for _, s := range req.Query.CredentialSets {
		if s.IsRequired() && len(s.Options) == 1 {
			continue
		}
		for _, o := range s.Options {
			for _, id := range o {
				sel[id] = true
			}
		}
	}
	for _, s := range req.Query.CredentialSets {
		if s.IsRequired() && len(s.Options) == 1 {
			for _, id := range s.Options[0] {
				delete(sel, id)
			}
		}
	}
	return sel
}

func (h *Handler) heldRequest(c echo.Context) (string, *wallet.Request, error) {
	id := c.FormValue("id")
	hd := h.held.claim(owner(c), id, h.cfg.now())
	if hd != nil && hd.req == nil {
		h.held.release(id)
		hd = nil
	}
	if hd == nil {
		return "", nil, h.r.Render(c, http.StatusGone, "present.html", &webui.Page{Flash: []webui.Flash{{Kind: webui.FlashError, Key: "present.expired"}},
			Data: linkView{frame: h.frame(c, "present")}})
	}
	return id, hd.req, nil
}

// reject tells the verifier of an authenticated request that it cannot be served.
func (h *Handler) reject(c echo.Context) error {
	id := c.FormValue("id")
	hd := h.held.claim(owner(c), id, h.cfg.now())
	if hd != nil && hd.rejectErr == nil {
		h.held.release(id)
		hd = nil
	}
	if hd == nil {
		return h.r.Render(c, http.StatusGone, "present.html", &webui.Page{Flash: []webui.Flash{{Kind: webui.FlashError, Key: "present.expired"}},
			Data: linkView{frame: h.frame(c, "present")}})
	}
	res, err := h.w.Reject(c.Request().Context(), owner(c), hd.rejectErr)
	return h.outcome(c, id, hd.req, wallet.OutcomeError, res, err)
}

// share presents what the student chose: per query (when included) the credentials ticked.
func (h *Handler) share(c echo.Context) error {
	id, req, err := h.heldRequest(c)
	if req == nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		h.held.release(id)
		return err
	}
	sel := selectable(req)
	choice := wallet.Choice{}
	for _, cq := range req.Query.Credentials {
		if sel[cq.ID] && !slices.Contains(form["include"], cq.ID) {
			continue
		}
		if ids := form["cred."+cq.ID]; len(ids) > 0 {
			choice[cq.ID] = ids
		}
	}
	res, err := h.w.Present(c.Request().Context(), owner(c), req, choice)
	if err != nil {
		if code := wallet.CodeOf(err); code == wallet.CodeInvalidChoice || code == wallet.CodeUnsatisfiable {
			h.held.release(id)
			return h.consentPage(c, http.StatusUnprocessableEntity, id, req, form, h.walletFlash(c, err))
		}
		return h.outcome(c, id, req, wallet.OutcomeSent, res, err)
	}
	return h.outcome(c, id, req, wallet.OutcomeSent, res, nil)
}

// decline sends access_denied.
func (h *Handler) decline(c echo.Context) error {
	id, req, err := h.heldRequest(c)
	if req == nil {
		return err
	}
	res, err := h.w.Decline(c.Request().Context(), owner(c), req)
	return h.outcome(c, id, req, wallet.OutcomeDeclined, res, err)
}

// outcome forgets the request and sends the browser to the verifier's redirect_uri (303,
// after the student's own form submission) or shows the outcome of what the student did
// (intent: sent, declined, or error for a request the wallet cannot serve).
func (h *Handler) outcome(c echo.Context, id string, req *wallet.Request, intent string, res *wallet.Result, err error) error {
	h.held.drop(id)
	l := h.lang(c)
	v := outcomeView{frame: h.frame(c, "present"), Verifier: req.Verifier.Name.In(l)}
	if err != nil {
		if !h.walletFailed(c, "present", err) && res == nil {
			return err
		}
		v.Message = wallet.Message(wallet.CodeOf(err), l)
		switch {
		case intent != wallet.OutcomeSent:
			// Nothing was shared; only telling the verifier failed.
			v.Outcome = intent + "_undelivered"
		case wallet.CodeOf(err) == wallet.CodeResponseRejected:
			v.Outcome = wallet.OutcomeRejected
		default:
			v.Outcome = wallet.OutcomeFailed
		}
		if res == nil {
			return h.r.Render(c, http.StatusBadGateway, "outcome.html", &webui.Page{Data: v})
		}
	}
	if res.RedirectURI != "" {
		return c.Redirect(http.StatusSeeOther, res.RedirectURI)
	}
	v.Outcome = res.Record.Outcome
	names, err := h.disclosedNames(c)
	if err != nil {
		return err
	}
	for _, dc := range res.Record.Credentials {
		v.Shared = append(v.Shared, historyCredential{Name: dc.Name.In(l), Claims: names(dc)})
	}
	return h.r.Render(c, http.StatusOK, "outcome.html", &webui.Page{Data: v})
}

// alwaysText says in words what every presentation of a credential of type vct carries in
// plain text: the standard claims (iss, vct, cnf, iat, exp, status, …) by what they mean
// to the student, any other claim by its label in the type metadata (in English in lower
// case, as it sits in a sentence), and claims without a label as "other information",
// once. Never a claim's raw name.
func (h *Handler) alwaysText(c echo.Context, vct string, names []string) string {
	tag := h.r.LangOf(c)
	l := tag.String()
	ja := strings.HasPrefix(l, "ja")
	out := make([]string, 0, len(names))
	other := false
	for _, n := range names {
		if h.r.Catalog().Has(tag, "always."+n) {
			if s, err := h.r.Catalog().Translate(tag, "always."+n); err == nil {
				out = append(out, s)
				continue
			}
		}
		if label, ok := academic.ClaimLabel(vct, []any{n}, l); ok && vct != "" {
			if !ja {
				label = inSentence(label)
			}
			out = append(out, label)
			continue
		}
		other = true
	}
	if other {
		if s, err := h.r.Catalog().Translate(tag, "always.other"); err == nil {
			out = append(out, s)
		}
	}
	if ja {
		return strings.Join(out, "、")
	}
	return strings.Join(out, ", ")
}

// inSentence lower-cases the capitalised words of an English label ("Awarding body",
// "Date of Issuance"), so it reads inside a sentence; acronyms and words with other
// characters ("EQF", "Name(s)") stay as they are.
func inSentence(label string) string {
	words := strings.Split(label, " ")
	for i, w := range words {
		if len(w) > 1 && w[0] >= 'A' && w[0] <= 'Z' && strings.IndexFunc(w[1:], func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}
