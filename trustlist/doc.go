// Package trustlist reads and verifies trust lists: ETSI TS 119 612 XML trusted lists (the EU
// list of trusted lists, member-state lists, third-country MRA lists) and ETSI TS 119 602 JSON
// Lists of Trusted Entities (LoTE, such as the Japanese pilot list), in one model.
//
// The model (List, Pointer, Provider, Service, ServiceState, DigitalIdentity, Extensions)
// holds the scheme information (operator names per language, territory, TSL type, version,
// sequence number, issue date, NextUpdate), the pointers to other lists with the signer
// certificates each announces, and the providers' services with their type, status, status
// history (as [start, next start) windows, see Service.Windows and Service.StateAt), digital
// identities and the extensions that matter (AdditionalServiceInformation such as ForeSeals,
// Qualifications qualifiers, the Critical flag of the others).
//
// ParseXML is a strict, namespace-aware parser (elements are matched by namespace URI, never by
// prefix; DTDs, entity declarations and processing instructions are rejected; size, depth and
// element counts are bounded by limits.go). Its result is unauthenticated.
//
// VerifyXML verifies the enveloped XAdES signature (exclusive C14N, every ds:Reference including
// the XAdES SignedProperties one, whose SigningCertificate must name the KeyInfo certificate;
// RSA PKCS#1 v1.5 / RSA-PSS / ECDSA r||s) using
// github.com/russellhaering/goxmldsig's canonicalizers over a github.com/beevik/etree tree, and
// trusts the signer only by exact match against caller-supplied certificates (the configured
// Official Journal set for the EU LOTL, or the certificates a LOTL pointer announces for a
// national list; see List.XMLPointersTo). The signed reference must cover the document root,
// and the returned List is decoded from the canonical bytes that were digested, so signature
// wrapping cannot make the parser read unsigned content. goxmldsig's own ValidationContext is
// not used: it checks only the reference to the root (not SignedProperties), expects DER-encoded
// ECDSA signatures rather than XMLDSig's r||s, and reads the clock itself.
//
// ParseLoTE reads the JSON binding of TS 119 602 ({"LoTE": {...}}) strictly: no duplicate
// members or invalid UTF-8 (internal/jose.CheckJSON), the schema's exact member names with no
// unknown members where the schema forbids them, required members, types, RFC 3339 dates,
// absolute URIs, LoTEVersionIdentifier 1, a two-letter territory. Entities map onto Provider,
// their services onto Service; a service without ServiceStatus keeps an empty Status (never
// read as granted). PublicKeyValues JWKs go to DigitalIdentity.PublicKeys. VerifyLoTE verifies
// the compact JWS a LoTE is distributed as (ES256/ES384 only, "typ" absent, "JWT" or
// "application/jwt", signer = the x5c leaf, trusted only by exact match against the pinned
// certificates and only while valid) and parses the payload after the signature verifies.
//
// Policy.Freshness judges a list at a time: stale from NextUpdate on (plus Policy.Grace, zero
// by default); a list without NextUpdate is closed (TS 119 612 clause 5.3.15) and never fresh
// unless Policy.AcceptClosedLists. A Set (NewSet) indexes the certificates of verified lists,
// each with a caller-given provenance label, by SHA-256 of the DER, by SubjectKeyId and by
// subject name; Set.Lookup answers, for a decoded chain (leaf first), an issuance time and
// "now", whether the chain anchors directly (the leaf is listed) or through crypto/x509 path
// building (a listed certificate as the only root) in a service whose type and
// AdditionalServiceInformation the Policy accepts, whose status (Policy.Statuses, granted by
// default; a LoTE service without status only with Policy.AcceptNoStatus) was accepted at
// issuance and still is now, in a list fresh now. The Result carries both answers, a stable
// Reason when not trusted, and the trust path in words. A stale or closed list contributes no
// trust: there is no fallback to accepting.
//
// A Loader (NewLoader) fetches lists only through the *http.Client it is given: the EU LOTL
// (WithLOTL), anchored in the Official Journal certificates from configuration, optionally
// through the pivot LOTLs its SchemeInformationURI lists (walked oldest first, each verified
// at its own issue date with the set the previous one announces; a failed pivot keeps the
// previous set), the national lists its XML pointers name (each verified only against its own
// pointer's certificates, with a matching SchemeTerritory), and lists with pinned signers
// (WithList: the JP LoTE, standalone XML lists). Requests are conditional (If-None-Match,
// If-Modified-Since). A list with a lower sequence number than the last good copy is refused.
// When a fetch or its verification fails, the last good copy (in memory, then in the
// WithCacheDir disk cache, written atomically with mode 0600 and only after verification) is
// verified again and used, and the ListState reports why. A list with no verifiable copy
// contributes nothing. Load returns a Snapshot: a Set of the verified lists plus each list's
// state (origin, sequence, NextUpdate, a Stale flag, error Code). A Refresher is a Source over
// the latest Snapshot: Run reloads it on a schedule (at most the interval, earlier at the
// first NextUpdate, backing off after failures), with an injected clock and logger.
//
// Signing (for pilot operators): a Description (YAML via ParseDescription, or built in Go) is
// one source for both formats. SignXML writes a TS 119 612 XML list (version 5 or 6) with an
// enveloped XAdES baseline-B signature (exclusive C14N, SHA-256 references to the list and to
// the SignedProperties, SigningCertificate or SigningCertificateV2 by version, ECDSA P-256/P-384
// or RSA); SignLoTE writes a TS 119 602 LoTE as a compact JWS (ES256/ES384, x5c, JAdES sigT).
// Both verify their own output before returning it. Tests check the XML with xmlsec1 and the
// JWS with the npm jose library as independent verifiers.
//
// Time is always an input; the package never reads the clock. Errors are *Error values with a
// stable Code (see errors.go) and matching ErrXxx sentinels for errors.Is.
//
// Not in this package yet: the TS 119 602 XML binding, LoTEs in the JWS JSON serialization or
// with JAdES signing-certificate digests, RSA-signed LoTEs, TS 119 612 ".sha2" digest files,
// trust anchored in TS 119 602 PublicKeyValues (Set.Lookup matches certificates only), and
// revocation checking of listed certificates.
package trustlist
