package wallet

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEveryCodeHasMessages reads the Code constants from errors.go so that a new code
// without an English and a Japanese message fails here.
func TestEveryCodeHasMessages(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || vs.Type == nil || len(vs.Values) != 1 {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		code, _ := strconv.Unquote(lit.Value)
		n++
		m, ok := messages[Code(code)]
		if !ok || m.en == "" || m.ja == "" {
			t.Errorf("code %s has no en/ja message", code)
		}
		if Message(Code(code), "ja") == Message(Code(code), "en") {
			t.Errorf("code %s: ja equals en", code)
		}
		return true
	})
	if n < 20 {
		t.Fatalf("found only %d codes", n)
	}
}
