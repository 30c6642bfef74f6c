package wallet_test

import (
	"net/url"
	"testing"

	"github.com/hashi-vc/hashi/wallet"
)

func FuzzParseOfferLink(f *testing.F) {
	f.Add("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.univ.example%2Foffer%2FGkurKxf5T0Y")
	f.Add("openid-credential-offer://?credential_offer=" + url.QueryEscape(`{"credential_issuer":"https://issuer.univ.example","credential_configuration_ids":["diploma_sd_jwt"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"oaKazRN8I0IbtZ0C7JuMn5","tx_code":{"input_mode":"numeric","length":6,"description":"Code sent by e-mail"}}}}`))
	f.Add("haip-vci://?credential_offer_uri=x&credential_offer=y")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := wallet.ParseOfferLink(s)
		if err != nil {
			if wallet.CodeOf(err) != wallet.CodeInvalidOffer {
				t.Fatalf("code %q", wallet.CodeOf(err))
			}
			return
		}
		if (l.Offer == nil) == (l.OfferURI == "") {
			t.Fatalf("link %+v", l)
		}
	})
}

func FuzzParseCredentialOffer(f *testing.F) {
	f.Add([]byte(`{"credential_issuer":"https://issuer.univ.example/t","credential_configuration_ids":["a","b"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"x","tx_code":{}},"authorization_code":{"issuer_state":"s"}}}`))
	f.Add([]byte(`{"credential_issuer":"https://a","credential_configuration_ids":["a","a"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := wallet.ParseCredentialOffer(b)
		if err == nil && (len(o.CredentialConfigurationIDs) == 0 || o.CredentialIssuer == "") {
			t.Fatalf("accepted %+v", o)
		}
	})
}

func FuzzParseRequestLink(f *testing.F) {
	f.Add("openid4vp://?client_id=x509_hash%3AUvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk&request_uri=https%3A%2F%2Fverifier.example%2Freq%2Fvapof4ql&request_uri_method=post")
	f.Add("openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fv.example%2Fpost&response_type=vp_token&nonce=n&state=s&dcql_query=%7B%7D")
	f.Add("openid4vp://?client_id=a&client_id=b")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := wallet.ParseRequestLink(s)
		if err == nil && (l.ClientID == "" || l.Request != "" && l.RequestURI != "") {
			t.Fatalf("accepted %+v", l)
		}
	})
}

func FuzzVerifyRequestObject(f *testing.F) {
	e := newEnv(f)
	f.Add(e.ver.RequestObject(""), e.ver.ClientID)
	e.ver.Tamper = true
	f.Add(e.ver.RequestObject(""), e.ver.ClientID)
	f.Add("eyJhbGciOiJub25lIn0.e30.", "x509_hash:abc")
	f.Fuzz(func(t *testing.T, jwt, clientID string) {
		r, err := e.wallet.VerifyRequestObject(jwt, clientID, "")
		if err == nil && (!r.Signed || r.ClientID != clientID || r.Query == nil) {
			t.Fatalf("accepted %+v", r)
		}
	})
}
