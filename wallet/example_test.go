package wallet_test

import (
	"fmt"

	"github.com/hashi-vc/hashi/wallet"
)

func ExampleParseOfferLink() {
	l, err := wallet.ParseOfferLink("openid-credential-offer://?credential_offer=" +
		"%7B%22credential_issuer%22%3A%22https%3A%2F%2Fissuer.univ.example%22%2C%22credential_configuration_ids%22%3A%5B%22diploma%22%5D%2C" +
		"%22grants%22%3A%7B%22urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code%22%3A%7B%22pre-authorized_code%22%3A%22abc%22%2C" +
		"%22tx_code%22%3A%7B%22length%22%3A6%2C%22description%22%3A%22Code%20sent%20by%20e-mail%22%7D%7D%7D%7D")
	if err != nil {
		fmt.Println(err)
		return
	}
	tc := l.Offer.PreAuthorizedCode.TxCode
	fmt.Println(l.Offer.CredentialIssuer, l.Offer.CredentialConfigurationIDs, tc.InputMode, tc.Length, tc.Description)
	// Output: https://issuer.univ.example [diploma] numeric 6 Code sent by e-mail
}

func ExampleParseRequestLink() {
	l, err := wallet.ParseRequestLink("openid4vp://?client_id=x509_hash%3AUvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk" +
		"&request_uri=https%3A%2F%2Fverifier.example%2Freq%2Fvapof4ql&request_uri_method=post")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.ClientID, l.RequestURI, l.RequestURIMethod)
	// Output: x509_hash:Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk https://verifier.example/req/vapof4ql post
}

func ExampleMessage() {
	fmt.Println(wallet.Message(wallet.CodeUnsatisfiable, "en"))
	fmt.Println(wallet.Message(wallet.CodeUnsatisfiable, "ja-JP"))
	// Output:
	// You have no credential that matches this request.
	// このリクエストに合う証明書がありません。
}

func ExampleTrustSummary_Message() {
	s := wallet.TrustSummary{Checked: true, Trusted: true, ListLabel: "JP pilot list", Territory: "JP",
		ProviderNames: wallet.Names{"en": "Sakura Trust"}}
	fmt.Println(s.Message("en"))
	fmt.Println(wallet.TrustSummary{Checked: true}.Message("en"))
	// Output:
	// Listed by JP pilot list as Sakura Trust (JP).
	// Warning: not listed by any trust list. Check who issued it before relying on it.
}
