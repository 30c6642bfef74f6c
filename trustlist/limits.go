package trustlist

// Named limits for the XML and JSON parsers. Raise one only with evidence, and say why next to it.
const (
	// MaxXMLSize bounds an XML list accepted by ParseXML and VerifyXML (8 MiB). The largest
	// national lists seen are about 2 MB (IT) and 4 MiB (DE, DSS lotlCache); this leaves room
	// for growth while bounding memory (the tree and its canonical copy are held at once).
	// HTTP clients fetching lists should cap the body at this size.
	MaxXMLSize = 8 << 20

	// MaxDepth bounds element nesting. The deepest real path (an MRA pointer's
	// TrustServiceEquivalenceInformation, or a Qualifications CriteriaList) is under 20.
	MaxDepth = 48

	// MaxElements bounds the number of elements in one list. A 2 MB list has roughly 40 000
	// elements; this allows several times that.
	MaxElements = 500_000

	// MaxAttributes bounds the attributes (namespace declarations included) of one element.
	MaxAttributes = 64

	// MaxReferences bounds the ds:Reference elements of the list signature (real lists have 2).
	MaxReferences = 8

	// MaxLoTESize bounds a TS 119 602 JSON list accepted by ParseLoTE (3 MiB): the payload of
	// the largest compact JWS internal/jose accepts (4 MiB of base64url). The EC mock PID
	// providers list with 17 certificates is 48 KB. JSON nesting is bounded by
	// jose.MaxJSONDepth.
	MaxLoTESize = 3 << 20

	// MaxLoTEJWSSize bounds a compact JWS accepted by VerifyLoTE (jose.MaxCompactSize).
	MaxLoTEJWSSize = 4 << 20

	// MaxPivots bounds the pivot LOTLs walked for one LOTL. The EU LOTL listed 4 in 2024
	// (282, 300, 335, 341); each new Official Journal notice adds one.
	MaxPivots = 16
	// MaxPointedLists bounds the national lists loaded from one LOTL (the EU LOTL points to
	// about 31 XML lists).
	MaxPointedLists = 128
)
