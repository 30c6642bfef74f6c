package wallethttp

import (
	"net/http"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/labstack/echo/v4"
)

type linkView struct {
	frame
	Link string
	// RejectID holds an authenticated request that cannot be served, so the student may
	// tell its Verifier.
	RejectID string
	Verifier string
}

type offeredView struct {
	Name, Description, Format string
}

type offerView struct {
	frame
	ID          string
	Issuer      string
	IssuerURL   string
	Offered     []offeredView
	TxCode      bool
	TxLength    int
	TxNumeric   bool
	TxDesc      string
	TxMaxLength int
}

// receiveForm is the paste form, or, with ?offer=LINK or the offer parameters themselves
// (the wallet's same-device offer URL), the offer page.
func (h *Handler) receiveForm(c echo.Context) error {
	q := c.QueryParams()
	switch {
	case q.Get("offer") != "":
		return h.openOffer(c, q.Get("offer"))
	case q.Has("credential_offer") || q.Has("credential_offer_uri"):
		q.Del(webui.LangParam)
		return h.openOffer(c, "openid-credential-offer://?"+q.Encode())
	}
	return h.r.Render(c, http.StatusOK, "receive.html", &webui.Page{Data: linkView{frame: h.frame(c, "receive")}})
}

func (h *Handler) receiveLink(c echo.Context) error {
	return h.openOffer(c, c.FormValue("link"))
}

// openOffer resolves the offer and shows what is offered, with the PIN field when asked.
func (h *Handler) openOffer(c echo.Context, link string) error {
	v := linkView{frame: h.frame(c, "receive"), Link: link}
	if link == "" {
		return h.r.Render(c, http.StatusUnprocessableEntity, "receive.html", &webui.Page{Errors: webui.FieldErrors{{Field: "link", Rule: "required"}}, Data: v})
	}
	o, err := h.w.ParseOffer(c.Request().Context(), link)
	if err != nil {
		if !h.walletFailed(c, "parse offer", err) {
			return err
		}
		return h.r.Render(c, http.StatusUnprocessableEntity, "receive.html", &webui.Page{Flash: []webui.Flash{h.walletFlash(c, err)}, Data: v})
	}
	id, err := h.held.put(&held{owner: owner(c), offer: o}, h.cfg.now())
	if err != nil {
		return err
	}
	return h.offerPage(c, http.StatusOK, id, o)
}

func (h *Handler) offerPage(c echo.Context, status int, id string, o *wallet.Offer, flash ...webui.Flash) error {
	l := h.lang(c)
	v := offerView{frame: h.frame(c, "receive"), ID: id, Issuer: o.IssuerName.In(l), IssuerURL: o.CredentialOffer.CredentialIssuer, TxMaxLength: wallet.MaxTxCodeLength}
	if v.Issuer == "" {
		v.Issuer = v.IssuerURL
	}
	for _, oc := range o.Credentials {
		ov := offeredView{Name: oc.Display.Name.In(l), Description: oc.Display.Description.In(l), Format: oc.Format}
		if ov.Name == "" {
			ov.Name = oc.ConfigurationID
		}
		v.Offered = append(v.Offered, ov)
	}
	if tc := o.TxCode(); tc != nil {
		v.TxCode, v.TxLength, v.TxNumeric, v.TxDesc = true, tc.Length, tc.InputMode != "text", tc.Description
		if tc.Length > 0 {
			v.TxMaxLength = tc.Length
		}
	}
	return h.r.Render(c, status, "offer.html", &webui.Page{Flash: flash, Data: v})
}

// receiveAccept redeems the held offer with the PIN. A wallet error (a wrong PIN) shows
// the offer page again with the message; the offer stays held for another try.
func (h *Handler) receiveAccept(c echo.Context) error {
	id := c.FormValue("id")
	hd := h.held.get(owner(c), id, h.cfg.now())
	if hd == nil || hd.offer == nil {
		return h.r.Render(c, http.StatusGone, "receive.html", &webui.Page{Flash: []webui.Flash{{Kind: webui.FlashError, Key: "receive.expired"}},
			Data: linkView{frame: h.frame(c, "receive")}})
	}
	rec, err := h.w.Receive(c.Request().Context(), owner(c), hd.offer, c.FormValue("tx_code"))
	if err != nil {
		if !h.walletFailed(c, "receive", err) {
			return err
		}
		return h.offerPage(c, http.StatusUnprocessableEntity, id, hd.offer, h.walletFlash(c, err))
	}
	h.held.drop(id)
	return h.receivedPage(c, rec)
}

type receivedView struct {
	frame
	Cards   []card
	Pending int
	NoCards bool
}

func (h *Handler) receivedPage(c echo.Context, rec *wallet.Receipt) error {
	v := receivedView{frame: h.frame(c, "receive"), Cards: h.cards(c, rec.Credentials), Pending: len(rec.Pending), NoCards: len(rec.Credentials) == 0}
	return h.r.Render(c, http.StatusOK, "received.html", &webui.Page{Data: v})
}
