package pki

// Named limits. Raise a limit only with evidence, and say why next to it.
const (
	// maxJurisdictions bounds Config.Jurisdictions; the pilot has two.
	maxJurisdictions = 32

	// maxUniversities and maxVerifiers bound the entities of one pilot PKI; each costs one
	// key generation and six small files.
	maxUniversities = 1000
	maxVerifiers    = 1000

	// maxTLSHosts bounds Config.TLSHosts, and maxNamesPerHost the DNS names plus IP
	// addresses of one host.
	maxTLSHosts     = 100
	maxNamesPerHost = 100

	// maxIDLen bounds an entity id; ids become directory names.
	maxIDLen = 63

	// maxNameLen is the upper bound of X.520 name attributes (ub-organization-name and
	// ub-common-name are 64 characters, RFC 5280 Appendix A), counted in characters.
	maxNameLen = 64

	// maxOrgIDLen bounds an organizationIdentifier (EN 319 412-1 §5.1.4 gives no bound;
	// real ones are well under this).
	maxOrgIDLen = 128

	// maxURLLen bounds an issuer URL placed in a SAN URI.
	maxURLLen = 2048

	// maxDNSNameLen is the longest DNS name (RFC 1035 §2.3.4).
	maxDNSNameLen = 253

	// maxManifestSize bounds pki.json read by Load and ParseManifest. 2000 entities at about
	// 1.5 KiB each stay far below it.
	maxManifestSize = 8 << 20

	// maxFileSize bounds one PEM or JWK file read by Load.
	maxFileSize = 64 << 10

	// maxChainLength bounds the certificates in chain.pem (the pilot's chains hold one).
	maxChainLength = 10
)
