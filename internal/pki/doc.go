// Package pki makes and loads the pilot PKI of the EU–Japan pilot: the certificates and
// keys behind the trusted lists, the university seals, the verifiers' access certificates
// and the demo's TLS.
//
// [Init] generates, for each [Jurisdiction] of a [Config]:
//
//   - a trusted-list signer for the scheme operator (self-signed, ECDSA P-256, keyUsage
//     digitalSignature and nonRepudiation, extended key usage id-tsl-kp-tslSigning
//     0.4.0.2231.3.0, subject C = territory, O = scheme operator; ETSI TS 119 612 §5.7.1),
//     and, when LOTLOperator is set, the same for the pilot list of trusted lists (C=EU),
//     standing in for the signer certificates the EU announces in the Official Journal;
//   - a seal CA and a separate relying-party access CA (self-signed roots, basicConstraints
//     CA:TRUE pathlen 0, keyUsage keyCertSign and cRLSign). They are separate so that a
//     trusted list can publish them as different services — the seal CA as the issuers'
//     CA (EU: …/Svctype/CA/QC or EAA; JP: EAA issuance), the access CA as a WRPAC
//     provider (the EU–JP proof of concept lists "WRPAC/Issuance" CAs on their own) — and a
//     verifier's certificate can never pass for a university seal;
//   - per university, a seal certificate from the seal CA: subject C, O (legal name),
//     organizationIdentifier (2.5.4.97, ETSI EN 319 412-1 §5.1.4, e.g. "NTRJP-" + 法人番号),
//     CN; SAN URI = the credential issuer URL, so an SD-JWT VC's "iss" matches its x5c
//     leaf (SD-JWT VC §2.5, OpenID4VP's draft -09 rule); keyUsage digitalSignature and
//     nonRepudiation; not a CA; authority and subject key identifiers;
//   - per verifier, an access certificate from the access CA: SAN dNSName = the host name
//     used as the OpenID4VP "x509_san_dns" client identifier (its "x509_hash" value is in
//     the manifest); keyUsage digitalSignature.
//
// and, when TLS hosts are configured, a demo TLS CA (name-constrained to the configured
// names and addresses) with one server certificate per host (serverAuth).
//
// All keys are ECDSA P-256, serial numbers random 128-bit, subject key identifiers per
// RFC 7093 method 1. Issued certificates chain to their root directly, so chain.pem (the
// "x5c" chain) holds the leaf alone: HAIP and SD-JWT VC forbid the trust anchor in x5c and
// a self-signed signing certificate, and neither occurs.
//
// Layout under the directory (one folder per entity; files of self-signed entities lack
// chain.pem and ca.pem):
//
//	pki.json                                    manifest (no secrets)
//	<jurisdiction>/lotl-signer/                 when LOTLOperator is set
//	<jurisdiction>/tl-signer/
//	<jurisdiction>/seal-ca/  <jurisdiction>/access-ca/
//	<jurisdiction>/universities/<id>/  <jurisdiction>/verifiers/<id>/
//	tls/ca/  tls/hosts/<id>/
//	    cert.pem  chain.pem  ca.pem  key.pem (PKCS#8, 0600)  key.jwk.json (0600)  pub.jwk.json
//
// [Load] reads such a directory back and checks it (see Load for the list), returning
// certificates and [crypto.Signer] keys by role and id. Types holding keys redact them in
// String and LogValue.
//
// What this package does not do: it publishes no trusted list and signs none (package
// trustlist does, with the signer keys loaded here); it makes no CRLs or OCSP responses;
// it does not renew certificates (Init refuses an expired PKI: remove the directory to
// start over); it does not check that host names resolve.
//
// Specifications: RFC 5280 (profile), RFC 7093 (key identifiers), RFC 7638 (kid),
// ETSI TS 119 612 §5.7.1 and Annex C (TL signer), ETSI EN 319 412-1 §5.1.4 (semantics
// identifier), OpenID4VP 1.0 §5.9.3 (x509_san_dns, x509_hash), SD-JWT VC draft-18 §2.5 and
// HAIP 1.0 (x5c rules).
package pki
