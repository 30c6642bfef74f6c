package wallet

import (
	"errors"
	"fmt"
)

// Code classifies why a wallet operation failed. Codes are stable and safe to show to users;
// Message gives the text a student sees, in English or Japanese.
type Code string

// The error codes of this package.
const (
	// Receiving (OpenID4VCI).
	CodeInvalidOffer          Code = "invalid_offer"           // the offer link or offer object is malformed
	CodeInvalidIssuerMetadata Code = "invalid_issuer_metadata" // issuer or authorization-server metadata is malformed or names another issuer
	CodeUnsupportedOffer      Code = "unsupported_offer"       // the offer needs a grant, format or proof type the wallet does not support
	CodeTxCodeRequired        Code = "tx_code_required"        // the offer asks for a transaction code and none was given
	CodeInvalidTxCode         Code = "invalid_tx_code"         // the transaction code does not have the form the offer announced
	CodeTokenRejected         Code = "token_rejected"          // the token endpoint refused the code (wrong or expired code, wrong tx_code)
	CodeIssuanceFailed        Code = "issuance_failed"         // the credential endpoint refused or answered nonsense
	CodeIssuanceDenied        Code = "issuance_denied"         // the issuer denied the (deferred) credential for good
	CodeInvalidCredential     Code = "invalid_credential"      // a received credential does not verify or is not bound to the wallet's key

	// Presenting (OpenID4VP).
	CodeInvalidRequest             Code = "invalid_request"              // the presentation request is malformed or incomplete
	CodeInvalidRequestObject       Code = "invalid_request_object"       // the signed request object is malformed, mistyped or its signature fails
	CodeClientIDMismatch           Code = "client_id_mismatch"           // the client_id does not match the certificate, the response_uri or the query
	CodeUntrustedVerifier          Code = "untrusted_verifier"           // the verifier's certificate chain does not lead to a trusted root or list
	CodeUnsupportedClientID        Code = "unsupported_client_id"        // the client_id prefix is not one the wallet supports
	CodeUnsupportedResponseMode    Code = "unsupported_response_mode"    // response_mode or response_type is not supported
	CodeInvalidRequestURIMethod    Code = "invalid_request_uri_method"   // request_uri_method is neither get nor post
	CodeUnsatisfiable              Code = "unsatisfiable"                // no stored credential answers the query
	CodeInvalidChoice              Code = "invalid_choice"               // the chosen credentials do not answer the query
	CodeResponseRejected           Code = "response_rejected"            // the verifier refused the response
	CodeUnsupportedTransactionData Code = "unsupported_transaction_data" // the request carries transaction_data the wallet does not support

	// Both directions.
	CodeUnreachable Code = "unreachable" // a counterpart could not be reached, timed out, redirected or answered too much
	CodeBlockedURL  Code = "blocked_url" // a URL is not https (or loopback http in development) or points at a refused address
	CodeNotFound    Code = "not_found"   // no such credential or pending issuance for this owner
	CodeStore       Code = "store"       // the store failed
	CodeInternal    Code = "internal"    // a bug or an unusable configuration
)

// Error is the error type of this package.
type Error struct {
	Code Code
	// OAuth is the OAuth / OpenID4VP "error" value to send to the counterpart for this failure
	// (e.g. "invalid_request", "access_denied"), or "" when nothing should be sent.
	OAuth string
	Msg   string
	Err   error // underlying cause, if any
	// ReplyTo is set when a presentation request was authenticated (signed, bound to a
	// trusted certificate) but cannot be served: the counterpart may then be told with
	// Wallet.Reject. It is nil for unauthenticated requests, which the wallet never answers.
	ReplyTo *Request
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("wallet: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("wallet: %s: %s", e.Code, e.Msg)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err,
// wallet.ErrUnsatisfiable) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Code == e.Code
}

// Message returns the text for the student in lang ("ja" or anything else for English).
func (e *Error) Message(lang string) string { return Message(e.Code, lang) }

// Sentinels, one per Code, for errors.Is.
var (
	ErrInvalidOffer               = &Error{Code: CodeInvalidOffer}
	ErrInvalidIssuerMetadata      = &Error{Code: CodeInvalidIssuerMetadata}
	ErrUnsupportedOffer           = &Error{Code: CodeUnsupportedOffer}
	ErrTxCodeRequired             = &Error{Code: CodeTxCodeRequired}
	ErrInvalidTxCode              = &Error{Code: CodeInvalidTxCode}
	ErrTokenRejected              = &Error{Code: CodeTokenRejected}
	ErrIssuanceFailed             = &Error{Code: CodeIssuanceFailed}
	ErrIssuanceDenied             = &Error{Code: CodeIssuanceDenied}
	ErrInvalidCredential          = &Error{Code: CodeInvalidCredential}
	ErrInvalidRequest             = &Error{Code: CodeInvalidRequest}
	ErrInvalidRequestObject       = &Error{Code: CodeInvalidRequestObject}
	ErrClientIDMismatch           = &Error{Code: CodeClientIDMismatch}
	ErrUntrustedVerifier          = &Error{Code: CodeUntrustedVerifier}
	ErrUnsupportedClientID        = &Error{Code: CodeUnsupportedClientID}
	ErrUnsupportedResponseMode    = &Error{Code: CodeUnsupportedResponseMode}
	ErrInvalidRequestURIMethod    = &Error{Code: CodeInvalidRequestURIMethod}
	ErrUnsatisfiable              = &Error{Code: CodeUnsatisfiable}
	ErrInvalidChoice              = &Error{Code: CodeInvalidChoice}
	ErrResponseRejected           = &Error{Code: CodeResponseRejected}
	ErrUnsupportedTransactionData = &Error{Code: CodeUnsupportedTransactionData}
	ErrUnreachable                = &Error{Code: CodeUnreachable}
	ErrBlockedURL                 = &Error{Code: CodeBlockedURL}
	ErrNotFound                   = &Error{Code: CodeNotFound}
	ErrStore                      = &Error{Code: CodeStore}
	ErrInternal                   = &Error{Code: CodeInternal}
)

// oauthFor is the OpenID4VP error a wallet sends for a request it could parse far enough to
// answer (OpenID4VP 1.0 §8.5).
var oauthFor = map[Code]string{
	CodeInvalidRequest:             "invalid_request",
	CodeUnsupportedResponseMode:    "invalid_request",
	CodeInvalidRequestURIMethod:    "invalid_request_uri_method",
	CodeUnsatisfiable:              "access_denied",
	CodeInvalidChoice:              "access_denied",
	CodeUnsupportedTransactionData: "invalid_transaction_data",
	CodeUnsupportedClientID:        "invalid_client",
	CodeClientIDMismatch:           "invalid_client",
	CodeUntrustedVerifier:          "invalid_client",
	CodeInvalidRequestObject:       "invalid_request_object",
}

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, OAuth: oauthFor[code], Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of a wallet error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

type text struct{ en, ja string }

var messages = map[Code]text{
	CodeInvalidOffer:               {"This credential offer is not valid. Ask your university for a new link.", "この証明書の受け取りリンクは無効です。大学に新しいリンクを依頼してください。"},
	CodeInvalidIssuerMetadata:      {"The issuer's information could not be read or does not belong to this offer.", "発行者の情報を読み取れないか、この受け取りリンクのものではありません。"},
	CodeUnsupportedOffer:           {"This wallet cannot receive this kind of credential.", "このウォレットはこの種類の証明書を受け取れません。"},
	CodeTxCodeRequired:             {"Enter the PIN your university gave you.", "大学から受け取ったPINを入力してください。"},
	CodeInvalidTxCode:              {"The PIN does not have the expected form. Check it and try again.", "PINの形式が正しくありません。確認してもう一度入力してください。"},
	CodeTokenRejected:              {"The university did not accept the PIN or the link. The PIN may be wrong, or the link expired.", "大学がPINまたはリンクを受け付けませんでした。PINが間違っているか、リンクの期限が切れている可能性があります。"},
	CodeIssuanceFailed:             {"The university could not issue the credential. Try again later.", "大学が証明書を発行できませんでした。しばらくしてからもう一度お試しください。"},
	CodeIssuanceDenied:             {"The university declined to issue this credential.", "大学はこの証明書の発行を取りやめました。"},
	CodeInvalidCredential:          {"The received credential failed its checks and was not stored.", "受け取った証明書は検証に失敗したため、保存されませんでした。"},
	CodeInvalidRequest:             {"This presentation request is not valid.", "この提示リクエストは無効です。"},
	CodeInvalidRequestObject:       {"The presentation request is not properly signed. Nothing was shared.", "提示リクエストに正しい署名がありません。何も提示されていません。"},
	CodeClientIDMismatch:           {"The requester's identity does not match its certificate. Nothing was shared.", "依頼者の識別子が証明書と一致しません。何も提示されていません。"},
	CodeUntrustedVerifier:          {"The requester is not recognised by any trusted list. Nothing was shared.", "依頼者はどの信頼リストにも登録されていません。何も提示されていません。"},
	CodeUnsupportedClientID:        {"This wallet cannot verify who sent this request.", "このウォレットではリクエストの送信者を確認できません。"},
	CodeUnsupportedResponseMode:    {"This wallet cannot answer this kind of request.", "このウォレットはこの種類のリクエストに応答できません。"},
	CodeInvalidRequestURIMethod:    {"This presentation request is not valid.", "この提示リクエストは無効です。"},
	CodeUnsatisfiable:              {"You have no credential that matches this request.", "このリクエストに合う証明書がありません。"},
	CodeInvalidChoice:              {"The selected credentials do not answer the request.", "選択した証明書ではリクエストに応えられません。"},
	CodeResponseRejected:           {"The requester did not accept the answer.", "依頼者が応答を受け付けませんでした。"},
	CodeUnsupportedTransactionData: {"This wallet cannot sign the transaction details this request carries.", "このウォレットはリクエストに含まれる取引データに対応していません。"},
	CodeUnreachable:                {"The other party could not be reached. Check your connection and try again.", "相手のサーバーに接続できませんでした。接続を確認してもう一度お試しください。"},
	CodeBlockedURL:                 {"The link points to an address the wallet does not contact.", "このリンクはウォレットが接続しないアドレスを指しています。"},
	CodeNotFound:                   {"Not found.", "見つかりません。"},
	CodeStore:                      {"The wallet could not save or read your data. Try again.", "データを保存または読み込みできませんでした。もう一度お試しください。"},
	CodeInternal:                   {"Something went wrong in the wallet.", "ウォレットで問題が発生しました。"},
}

// Message returns the student-facing text for code in lang: Japanese for "ja" and its
// regional forms ("ja-JP"), English otherwise.
func Message(code Code, lang string) string {
	m, ok := messages[code]
	if !ok {
		m = messages[CodeInternal]
	}
	if isJA(lang) {
		return m.ja
	}
	return m.en
}

func isJA(lang string) bool { return lang == "ja" || len(lang) > 3 && lang[:3] == "ja-" }
