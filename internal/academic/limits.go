package academic

// MaxDiplomaJSONBytes is the largest registrar document ParseDiplomaJSON
// accepts. A full diploma record is about 3 KiB; raise with evidence.
const MaxDiplomaJSONBytes = 64 << 10

// maxJSONDepth bounds nesting in ParseDiplomaJSON. The record itself nests
// four levels deep (diploma → degree → field → name); unknown members are
// skipped but still bounded by this depth.
const maxJSONDepth = 8

// Field-level limits live in the validate tags of diploma.go, where
// validator/v10 needs them as literals: names 128 characters, titles and
// names of bodies 256, identifiers 64–128, at most 8 languages, titles,
// identifiers and quality-assurance entries, 32 learning outcomes, credits at
// most 1000, programme length at most 12 years.

// maxFieldErrors bounds the field errors ParseDiplomaJSON lists; past it, one
// "too_many_errors" entry ends the list.
const maxFieldErrors = 100
