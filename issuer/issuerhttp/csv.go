package issuerhttp

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/issuer"
)

// CSV import: the header names the columns graduate_id, approved and dotted JSON paths of
// academic.Diploma with array indexes (learner.native_names[0].family_name) and
// language-map keys (degree.title.en). Each data row becomes the nested JSON record: cells
// typed per the model (numbers for numeric fields, booleans for boolean ones, strings
// otherwise), empty cells left out, array elements compacted in index order.

// csvKind is the JSON type of a column's cells.
type csvKind int

const (
	kindString csvKind = iota + 1
	kindInt
	kindNumber
	kindBool
)

// csvSegment is one step of a column path: a member name, then optionally an array index.
type csvSegment struct {
	name  string
	index int // -1: no index
}

type csvColumn struct {
	name string
	path []csvSegment // nil for graduate_id and approved
	kind csvKind
}

var diplomaType = reflect.TypeFor[academic.Diploma]()

// parseCSVHeader resolves every column against academic.Diploma. An unknown or repeated
// column fails the whole import (CodeInvalidInput naming it).
func parseCSVHeader(header []string) ([]csvColumn, error) {
	if len(header) > maxCSVColumns {
		return nil, invalidInput("csv.header", "max", "has more than "+strconv.Itoa(maxCSVColumns)+" columns", "列が多すぎます")
	}
	cols := make([]csvColumn, len(header))
	seen := map[string]bool{}
	out := &issuer.Error{Code: issuer.CodeInvalidInput}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if seen[h] {
			out.Fields = append(out.Fields, academic.FieldError{Path: h, Rule: "repeated", Message: "column appears twice", MessageJA: "列が重複しています"})
			continue
		}
		seen[h] = true
		switch h {
		case "graduate_id":
			cols[i] = csvColumn{name: h, kind: kindString}
			continue
		case "approved":
			cols[i] = csvColumn{name: h, kind: kindBool}
			continue
		}
		path, kind, ok := resolveCSVPath(h)
		if !ok {
			out.Fields = append(out.Fields, academic.FieldError{Path: h, Rule: "unknown_column", Message: "is not a field of the diploma record", MessageJA: "学位記の項目ではありません"})
			continue
		}
		cols[i] = csvColumn{name: h, path: path, kind: kind}
	}
	if !seen["graduate_id"] {
		out.Fields = append(out.Fields, academic.FieldError{Path: "graduate_id", Rule: "required", Message: "column is required", MessageJA: "必須の列です"})
	}
	if len(out.Fields) > 0 {
		out.Description = "the CSV header is not valid: " + out.Fields[0].Path + " " + out.Fields[0].Message
		return nil, out
	}
	return cols, nil
}

// resolveCSVPath walks the Diploma type along a dotted path and returns the segments and
// the leaf's kind.
func resolveCSVPath(p string) ([]csvSegment, csvKind, bool) {
	parts := strings.Split(p, ".")
	if len(parts) > maxCSVPathDepth {
		return nil, 0, false
	}
	t := diplomaType
	segs := make([]csvSegment, 0, len(parts))
	for _, part := range parts {
		seg := csvSegment{name: part, index: -1}
		if name, idx, ok := strings.Cut(part, "["); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if !strings.HasSuffix(idx, "]") || err != nil || n < 0 || n > maxCSVIndex || strconv.Itoa(n)+"]" != idx {
				return nil, 0, false
			}
			seg = csvSegment{name: name, index: n}
		}
		if seg.name == "" {
			return nil, 0, false
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := fieldByJSONName(t, seg.name)
			if !ok {
				return nil, 0, false
			}
			t = f
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				return nil, 0, false
			}
			t = t.Elem()
		default:
			return nil, 0, false
		}
		if seg.index >= 0 {
			if t.Kind() != reflect.Slice {
				return nil, 0, false
			}
			t = t.Elem()
		}
		segs = append(segs, seg)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return segs, kindString, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return segs, kindInt, true
	case reflect.Float32, reflect.Float64:
		return segs, kindNumber, true
	case reflect.Bool:
		return segs, kindBool, true
	default:
		return nil, 0, false // a column must name a leaf
	}
}

func fieldByJSONName(t reflect.Type, name string) (reflect.Type, bool) {
	for f := range t.Fields() {
		if n := csvFieldName(f); n != "" && n == name {
			return f.Type, true
		}
	}
	return nil, false
}

// csvFieldName is the member name a column path uses for a struct field: its JSON name, or
// "" for a field no column can name (unexported, untagged or "-").
func csvFieldName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if n == "-" {
		return ""
	}
	return n
}

// sampleLangKeys are the language-map keys every sample CSV has a column for.
var sampleLangKeys = []string{"en", "ja"}

// sampleCSV is the sample import file: a header naming every field of academic.Diploma (in
// the model's order; arrays at index [0] and at every further index the example uses,
// language maps with en, ja and any other key the example uses) after graduate_id and
// approved, and one row holding example, a valid record. It walks the same type, by the
// same member names, as parseCSVHeader does, and fails if parseCSVHeader refuses its
// header, so the sample names the columns the import accepts. A UTF-8 byte order mark
// leads, so that Excel opens the Japanese text as UTF-8 (the import skips it).
func sampleCSV(graduateID string, approved bool, example academic.Diploma) ([]byte, error) {
	raw, err := json.Marshal(example)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	header := []string{"graduate_id", "approved"}
	row := []string{graduateID, strconv.FormatBool(approved)}
	walkCSVColumns(diplomaType, "", tree, func(col string, v any) {
		header = append(header, col)
		switch x := v.(type) {
		case nil:
			row = append(row, "")
		case string:
			row = append(row, x)
		case json.Number:
			row = append(row, x.String())
		case bool:
			row = append(row, strconv.FormatBool(x))
		default:
			row = append(row, fmt.Sprint(x))
		}
	})
	if _, err := parseCSVHeader(header); err != nil {
		return nil, fmt.Errorf("sample CSV header: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll([][]string{header, row}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// walkCSVColumns calls leaf with every column path under t (resolveCSVPath's syntax) and
// the value v holds there (nil when none), v being t's JSON decoded with UseNumber.
func walkCSVColumns(t reflect.Type, prefix string, v any, leaf func(path string, v any)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	member := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, _ := v.(map[string]any)
		for f := range t.Fields() {
			if n := csvFieldName(f); n != "" {
				walkCSVColumns(f.Type, member(n), obj[n], leaf)
			}
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return
		}
		obj, _ := v.(map[string]any)
		keys := slices.Clone(sampleLangKeys)
		var more []string
		for k := range obj {
			if !slices.Contains(keys, k) {
				more = append(more, k)
			}
		}
		slices.Sort(more)
		for _, k := range append(keys, more...) {
			walkCSVColumns(t.Elem(), member(k), obj[k], leaf)
		}
	case reflect.Slice:
		arr, _ := v.([]any)
		for i := range max(1, len(arr)) {
			var e any
			if i < len(arr) {
				e = arr[i]
			}
			walkCSVColumns(t.Elem(), prefix+"["+strconv.Itoa(i)+"]", e, leaf)
		}
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		leaf(prefix, v)
	default:
		// No column names it (resolveCSVPath refuses it).
	}
}

// csvRows reads a CSV import. A row with a CSV syntax error or a cell of the wrong type is
// reported as a rejected row and the others are imported; a bad header fails the request.
func csvRows(body []byte) ([]issuer.GraduateRow, []issuer.ImportResult, error) {
	if !utf8.Valid(body) {
		// Excel saves "CSV" in the system's code page (Shift_JIS in Japan, Windows-1252 in
		// much of the EU); read as UTF-8, names would be garbled, never refused.
		line := 1 + bytes.Count(body[:invalidUTF8At(body)], []byte{'\n'})
		return nil, nil, invalidInput("file", "encoding",
			"is not UTF-8 text (line "+strconv.Itoa(line)+"): save it as UTF-8 (in Excel: \"CSV UTF-8\")",
			"UTF-8 のテキストではありません（"+strconv.Itoa(line)+"行目）。UTF-8 で保存してください（Excel では「CSV UTF-8（コンマ区切り）」）")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if err != nil {
		return nil, nil, invalidInput("csv.header", "syntax", "cannot be read: "+csvErrText(err), "CSVのヘッダー行を読めません")
	}
	cols, err := parseCSVHeader(header)
	if err != nil {
		return nil, nil, err
	}
	var rows []issuer.GraduateRow
	var pre []issuer.ImportResult
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if n > issuer.MaxImportRows {
			return nil, nil, edgeError(issuer.CodeInvalidInput, "more than "+strconv.Itoa(issuer.MaxImportRows)+" rows in one import")
		}
		if err != nil {
			pre = append(pre, issuer.ImportResult{Row: n, Outcome: "rejected", Errors: []academic.FieldError{{Path: "csv", Rule: "syntax", Message: csvErrText(err), MessageJA: "CSVの構文が不正です"}}})
			continue
		}
		row, fields := csvRow(cols, rec)
		if fields != nil {
			pre = append(pre, issuer.ImportResult{Row: n, ID: row.ID, Outcome: "rejected", Errors: fields})
			continue
		}
		rows = append(rows, row)
	}
	return rows, pre, nil
}

// invalidUTF8At is the offset of the first byte of b that is not part of valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// csvErrText describes a CSV error without quoting the data.
func csvErrText(err error) string {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return "line " + strconv.Itoa(pe.Line) + ", column " + strconv.Itoa(pe.Column) + ": " + pe.Err.Error()
	}
	return err.Error()
}

// csvRow converts one data row.
func csvRow(cols []csvColumn, rec []string) (issuer.GraduateRow, []academic.FieldError) {
	var row issuer.GraduateRow
	var fields []academic.FieldError
	root := map[string]any{}
	for i, col := range cols {
		cell := strings.TrimSpace(rec[i])
		if cell == "" {
			continue
		}
		v, ok := csvValue(col.kind, cell)
		if !ok {
			path := col.name
			if col.path != nil {
				path = "record." + path // as the core names record fields
			}
			fields = append(fields, academic.FieldError{Path: path, Rule: "type", Message: "must be " + kindWord(col.kind), MessageJA: kindWordJA(col.kind)})
			continue
		}
		switch col.name {
		case "graduate_id":
			row.ID = cell
			continue
		case "approved":
			b := v.(bool)
			row.Approved = &b
			continue
		}
		setPath(root, col.path, v)
	}
	if fields != nil {
		return row, fields
	}
	rec2, err := json.Marshal(compact(root))
	if err != nil {
		return row, []academic.FieldError{{Path: "record", Rule: "invalid", Message: "cannot be encoded"}}
	}
	row.Record = rec2
	return row, nil
}

func csvValue(k csvKind, cell string) (any, bool) {
	switch k {
	case kindInt:
		if _, err := strconv.ParseInt(cell, 10, 64); err != nil || !json.Valid([]byte(cell)) {
			return nil, false
		}
		return json.Number(cell), true
	case kindNumber:
		if _, err := strconv.ParseFloat(cell, 64); err != nil || !json.Valid([]byte(cell)) {
			return nil, false
		}
		return json.Number(cell), true
	case kindBool:
		switch strings.ToLower(cell) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		return nil, false
	default:
		return cell, true
	}
}

func kindWord(k csvKind) string {
	switch k {
	case kindInt:
		return "an integer"
	case kindNumber:
		return "a number"
	case kindBool:
		return "true or false"
	default:
		return "text"
	}
}

func kindWordJA(k csvKind) string {
	switch k {
	case kindInt:
		return "整数で指定してください"
	case kindNumber:
		return "数値で指定してください"
	case kindBool:
		return "true または false で指定してください"
	default:
		return "文字列で指定してください"
	}
}

// indexed is an array under construction: elements by index, compacted at the end.
type indexed map[int]any

// setPath stores v at path in the tree: maps for members, indexed for arrays.
func setPath(node map[string]any, path []csvSegment, v any) {
	for i, seg := range path {
		last := i == len(path)-1
		if seg.index < 0 {
			if last {
				node[seg.name] = v
				return
			}
			next, _ := node[seg.name].(map[string]any)
			if next == nil {
				next = map[string]any{}
				node[seg.name] = next
			}
			node = next
			continue
		}
		arr, _ := node[seg.name].(indexed)
		if arr == nil {
			arr = indexed{}
			node[seg.name] = arr
		}
		if last {
			arr[seg.index] = v
			return
		}
		next, _ := arr[seg.index].(map[string]any)
		if next == nil {
			next = map[string]any{}
			arr[seg.index] = next
		}
		node = next
	}
}

// compact turns the tree into plain JSON values: indexed arrays become slices in index order.
func compact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = compact(e)
		}
		return x
	case indexed:
		idx := make([]int, 0, len(x))
		for i := range x {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		out := make([]any, 0, len(idx))
		for _, i := range idx {
			out = append(out, compact(x[i]))
		}
		return out
	default:
		return v
	}
}
