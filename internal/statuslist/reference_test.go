package statuslist_test

import (
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/statuslist"
)

func TestParseReference(t *testing.T) {
	const uri = "https://example.com/statuslists/1"
	tests := []struct {
		name     string
		in       string
		want     statuslist.Reference
		wantCode statuslist.Code
	}{
		{name: "ok/spec-example", in: `{"status_list":{"idx":0,"uri":"https://example.com/statuslists/1"}}`, want: statuslist.Reference{Idx: 0, URI: uri}},
		{name: "ok/idx-4711", in: `{"status_list":{"idx":4711,"uri":"https://issuer.univ.example/statuslists/1"}}`, want: statuslist.Reference{Idx: 4711, URI: "https://issuer.univ.example/statuslists/1"}},
		{name: "ok/whitespace-and-other-members", in: " {\"other_mechanism\":{},\"status_list\":{\"uri\":\"" + uri + "\",\"idx\":7,\"x\":true}}\n", want: statuslist.Reference{Idx: 7, URI: uri}},
		{name: "ok/urn", in: `{"status_list":{"idx":1,"uri":"urn:example:statuslist:1"}}`, want: statuslist.Reference{Idx: 1, URI: "urn:example:statuslist:1"}},
		{name: "fail/not-json", in: `{"status_list":`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/status-array", in: `[{"status_list":{"idx":0,"uri":"` + uri + `"}}]`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/no-status_list", in: `{"other":{"idx":0,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/status_list-string", in: `{"status_list":"` + uri + `"}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/status_list-null", in: `{"status_list":null}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/duplicate-idx", in: `{"status_list":{"idx":0,"idx":1,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/duplicate-status_list", in: `{"status_list":{"idx":0,"uri":"` + uri + `"},"status_list":{"idx":1,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/missing-idx", in: `{"status_list":{"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-negative", in: `{"status_list":{"idx":-1,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-fraction", in: `{"status_list":{"idx":1.5,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-1.0", in: `{"status_list":{"idx":1.0,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-exponent", in: `{"status_list":{"idx":1e2,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-string", in: `{"status_list":{"idx":"1","uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-overflow", in: `{"status_list":{"idx":99999999999999999999,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/idx-name-case", in: `{"status_list":{"IDX":1,"uri":"` + uri + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/missing-uri", in: `{"status_list":{"idx":0}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/uri-empty", in: `{"status_list":{"idx":0,"uri":""}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/uri-number", in: `{"status_list":{"idx":0,"uri":1}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/uri-relative", in: `{"status_list":{"idx":0,"uri":"/statuslists/1"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/uri-space", in: `{"status_list":{"idx":0,"uri":"https://example.com/status lists/1"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/uri-non-ascii", in: `{"status_list":{"idx":0,"uri":"https://例え.jp/statuslists/1"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/uri-too-long", in: `{"status_list":{"idx":0,"uri":"https://example.com/` + strings.Repeat("a", 2048) + `"}}`, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/too-large", in: `{"status_list":{"idx":0,"uri":"` + uri + `"},"pad":"` + strings.Repeat("a", 16<<10) + `"}`, wantCode: statuslist.CodeInvalidReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := statuslist.ParseReference([]byte(tt.in))
			checkCode(t, err, tt.wantCode)
			if err == nil && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReferenceValidate(t *testing.T) {
	tests := []struct {
		name     string
		ref      statuslist.Reference
		wantCode statuslist.Code
	}{
		{name: "ok/zero-idx", ref: statuslist.Reference{Idx: 0, URI: "https://example.com/statuslists/1"}},
		{name: "fail/negative-idx", ref: statuslist.Reference{Idx: -5, URI: "https://example.com/statuslists/1"}, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/no-scheme", ref: statuslist.Reference{Idx: 0, URI: "example.com/statuslists/1"}, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/control-char", ref: statuslist.Reference{Idx: 0, URI: "https://example.com/\x00"}, wantCode: statuslist.CodeInvalidReference},
		{name: "fail/unparseable", ref: statuslist.Reference{Idx: 0, URI: "https://[::1/x"}, wantCode: statuslist.CodeInvalidReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCode(t, tt.ref.Validate(), tt.wantCode)
		})
	}
}
