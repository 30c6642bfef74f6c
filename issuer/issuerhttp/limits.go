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

	// maxNameScanPages bounds the lookups that put names on a registrar page: the issuer has
	// no lookup by id for the pages, so the names of a page's graduates (and the offers and
	// credentials its audit events refer to) are found by reading their lists,
	// issuer.MaxPageSize at a time, newest offers and credentials first: at most 10 pages
	// (5,000 graduates, offers or credentials) per list and page view. A row beyond them
	// shows its id alone.
	maxNameScanPages = 10

	// maxQueryLength bounds a query parameter value of the registrar API.
	maxQueryLength = 256
)
