package issuerhttp

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// DefaultImportBodyLimit is the body limit of a graduate import: 8 MiB holds
	// issuer.MaxImportRows rows of about 1.5 KiB each.
	DefaultImportBodyLimit = 8 << 20

	// maxCSVColumns bounds the header of a CSV import (a diploma record has about 40 leaf
	// fields; language maps and arrays add a few columns each).
	maxCSVColumns = 512

	// maxCSVPathDepth bounds the segments of one CSV column path
	// (learner.native_names[0].family_name has three).
	maxCSVPathDepth = 8

	// maxCSVIndex bounds an array index in a CSV column path (academic arrays hold at most 8).
	maxCSVIndex = 63

	// maxQueryLength bounds a query parameter value of the registrar API.
	maxQueryLength = 256
)
