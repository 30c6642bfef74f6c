package wallethttp

import (
	"crypto/tls"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet"
	"golang.org/x/text/language"
)

func TestLocalNext(t *testing.T) {
	h := &Handler{cfg: config{base: "/wallet"}}
	tests := []struct{ name, in, want string }{
		{"ok/page", "/wallet/present?client_id=x", "/wallet/present?client_id=x"},
		{"fail/empty", "", "/wallet/credentials"},
		{"fail/other site", "https://evil.example/wallet/", "/wallet/credentials"},
		{"fail/scheme-relative", "//evil.example/wallet/", "/wallet/credentials"},
		{"fail/outside the base", "/admin", "/wallet/credentials"},
		{"fail/base prefix only", "/walletx/", "/wallet/credentials"},
		{"fail/backslash", "/wallet/\\evil.example", "/wallet/credentials"},
		{"fail/header injection", "/wallet/x\r\nSet-Cookie: a=b", "/wallet/credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.localNext(tt.in); got != tt.want {
				t.Fatalf("localNext(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzLocalNext(f *testing.F) {
	for _, s := range []string{"/wallet/x", "//x", "/wallet/../admin", "/wallet/\\x", "https://a/wallet/"} {
		f.Add(s)
	}
	h := &Handler{cfg: config{base: "/wallet"}}
	f.Fuzz(func(t *testing.T, s string) {
		got := h.localNext(s)
		if !strings.HasPrefix(got, "/wallet/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("localNext(%q) = %q", s, got)
		}
	})
}

// TestUsernames: one spelling per account — fullwidth and case fold onto ASCII lower case,
// Japanese names stay as written, and invisible or symbol characters are refused.
func TestUsernames(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Hanako", "hanako", true},
		{"  hanako ", "hanako", true},
		{"Ｈａｎａｋｏ", "hanako", true}, // typed in a Japanese input method's fullwidth mode
		{"山田花子", "山田花子", true},
		{"さくら.2026", "さくら.2026", true},
		{"k.tanaka@example.jp", "k.tanaka@example.jp", true},
		{"\u0041\u030angstrom", "ångstrom", true},
		{"alice\u034f", "", false}, // combining grapheme joiner: looks like "alice"
		{"alice\ufe0f", "", false}, // variation selector
		{"alice\u200b", "", false}, // zero-width space
		{"a b", "", false},
		{"alice😀", "", false},
	} {
		u := normalizeUsername(tc.in)
		fe := checkUsername(u)
		if (fe == nil) != tc.ok || (tc.ok && u != tc.want) {
			t.Errorf("%q → %q (errors %v), want %q ok=%v", tc.in, u, fe, tc.want, tc.ok)
		}
	}
}

func FuzzUsername(f *testing.F) {
	for _, s := range []string{"Hanako", " 花子 ", "a b", "\u0041\u030a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := normalizeUsername(s)
		if normalizeUsername(u) != u {
			t.Fatalf("not idempotent: %q → %q → %q", s, u, normalizeUsername(u))
		}
		if checkUsername(u) == nil && (strings.TrimSpace(u) != u || u == "") {
			t.Fatalf("accepted %q", u)
		}
	})
}

func TestHoldings(t *testing.T) {
	hs := newHoldings()
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	first, err := hs.put(&held{owner: "a"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if hs.get("b", first, t0) != nil {
		t.Fatal("another owner's hold")
	}
	if hs.get("a", first, t0.Add(HoldTTL)) == nil || hs.get("a", first, t0.Add(HoldTTL+time.Second)) != nil {
		t.Fatal("TTL")
	}
	for i := range MaxHeldPerOwner {
		if _, err := hs.put(&held{owner: "a"}, t0.Add(time.Duration(i+1)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if hs.get("a", first, t0.Add(time.Second)) != nil {
		t.Fatal("the oldest hold of the owner was not dropped")
	}
	n := 0
	for _, x := range hs.m {
		if x.owner == "a" {
			n++
		}
	}
	if n != MaxHeldPerOwner {
		t.Fatalf("%d held", n)
	}
	id, _ := hs.put(&held{owner: "b"}, t0)
	if hs.claim("a", id, t0) != nil || hs.claim("b", id, t0) == nil || hs.claim("b", id, t0) != nil {
		t.Fatal("claim: another owner, or twice")
	}
	hs.release(id)
	if hs.claim("b", id, t0) == nil {
		t.Fatal("claim after release")
	}
	hs.dropOwner("b")
	hs.dropOwner("a")
	if len(hs.m) != 0 {
		t.Fatal("dropOwner")
	}
}

func TestDefaultClientKey(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"192.0.2.7:1234", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
	} {
		req := newReq(tt.addr)
		if got := defaultClientKey(req); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func newReq(remote string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = remote
	return r
}

func TestSelectable(t *testing.T) {
	no := false
	tests := []struct {
		name string
		sets []dcql.CredentialSetQuery
		want string
	}{
		{"ok/no sets", nil, ""},
		{"ok/only option of a required set", []dcql.CredentialSetQuery{{Options: [][]string{{"a"}}}}, ""},
		{"ok/alternatives", []dcql.CredentialSetQuery{{Options: [][]string{{"a"}, {"b", "c"}}}}, "a,b,c"},
		{"ok/optional set", []dcql.CredentialSetQuery{{Options: [][]string{{"a"}}}, {Options: [][]string{{"b"}}, Required: &no}}, "b"},
		{"ok/required wins", []dcql.CredentialSetQuery{{Options: [][]string{{"a"}}}, {Options: [][]string{{"a", "b"}}, Required: &no}}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := selectable(&wallet.Request{Query: &dcql.Query{CredentialSets: tt.sets}})
			got := slices.Sorted(maps.Keys(sel))
			if strings.Join(got, ",") != tt.want {
				t.Fatalf("selectable %v, want %s", got, tt.want)
			}
		})
	}
}

func TestSecureFor(t *testing.T) {
	for _, tt := range []struct {
		host string
		tls  bool
		want bool
	}{
		{"127.0.0.1:8080", false, false},
		{"localhost:8080", false, false},
		{"[::1]:8080", false, false},
		{"wallet.example", false, true},
		{"192.0.2.1", false, true},
		{"localhost:8443", true, true},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = tt.host
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := secureFor(r); got != tt.want {
			t.Errorf("secureFor(%s, tls=%v) = %v", tt.host, tt.tls, got)
		}
	}
}

// TestClaimRowsLeaves: object and array values become one row per leaf, in key order. For
// a credential type without metadata, a leaf has its parent's label and key and its path;
// scalars stay one row; very deep values stay JSON.
func TestClaimRowsLeaves(t *testing.T) {
	title := map[string]any{"value": "修士（工学）", "lang": "ja", "translations": map[string]any{"en": "Master of Engineering"}}
	deep := map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": map[string]any{"e": 1.0}}}}}
	rows := claimRows([]wallet.ClaimDisclosure{
		{PathJSON: `["family_name"]`, Label: wallet.Names{"en": "Family name"}, Value: "SATO"},
		{PathJSON: `["degree","title"]`, Label: wallet.Names{"en": "Degree title"}, Value: title},
		{PathJSON: `["nationalities"]`, Value: []any{"JP", "NL"}},
		{PathJSON: `["x"]`, Value: deep},
		{PathJSON: `["empty"]`, Value: map[string]any{}},
	}, "", webui.English)
	var got []string
	for _, r := range rows {
		got = append(got, r.Label+"|"+r.Path+"|"+r.Value+"|"+r.Code)
	}
	want := []string{
		"Family name|family_name|SATO|",
		"Degree title › lang|degree › title › lang|ja|",
		"Degree title › translations › en|degree › title › translations › en|Master of Engineering|",
		"Degree title › value|degree › title › value|修士（工学）|",
		"|nationalities › 0|JP|",
		"|nationalities › 1|NL|",
		`|x › a › b › c › d|{"e":1}|`,
		"|empty|{}|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestClaimRowsWords: for a hashi diploma, every leaf of a disclosed object is labelled by
// the type metadata in the page's language (a language map's member by the language in
// words), and codes read as words with the code kept aside.
func TestClaimRowsWords(t *testing.T) {
	title := map[string]any{"value": "修士（工学）", "lang": "ja", "translations": map[string]any{"en": "Master of Engineering"}}
	credits := map[string]any{"value": 30.0, "framework": "jp-tani", "ects": 45.0, "ects_method": academic.ECTSMethodJPTaniHours}
	cds := []wallet.ClaimDisclosure{
		{Path: dcql.Path{"degree", "title"}, PathJSON: `["degree","title"]`, Label: wallet.Names{"en": "Degree title", "ja": "学位の名称"}, Value: title},
		{Path: dcql.Path{"degree", "credits"}, PathJSON: `["degree","credits"]`, Value: credits},
		{Path: dcql.Path{"degree", "type"}, PathJSON: `["degree","type"]`, Label: wallet.Names{"en": "Degree type", "ja": "学位の種類"}, Value: "master"},
		{Path: dcql.Path{"awarding_body", "identifiers", 0, "scheme"}, PathJSON: `["awarding_body","identifiers",0,"scheme"]`, Value: "jp-corporate-number"},
		{Path: dcql.Path{"degree", "quality_assurance", 0, "type"}, PathJSON: `["degree","quality_assurance",0,"type"]`, Value: "made-up"},
	}
	for _, tc := range []struct {
		lang language.Tag
		want []string
	}{
		{webui.Japanese, []string{
			"学位の名称の原語|degree › title › lang|日本語|ja",
			"学位の名称（英語）|degree › title › translations › en|Master of Engineering|",
			"学位の名称（原語）|degree › title › value|修士（工学）|",
			"ECTS 単位（換算値）|degree › credits › ects|45|",
			"ECTS の換算方法|degree › credits › ects_method|" + academic.ECTSMethodJPTaniHoursJA + "|" + academic.ECTSMethodJPTaniHours,
			"単位制度|degree › credits › framework|日本の大学の単位（1単位＝45時間の学修）|jp-tani",
			"単位数|degree › credits › value|30|",
			"学位の種類|degree › type|修士|master",
			"識別子の種類|awarding_body › identifiers › 0 › scheme|法人番号|jp-corporate-number",
			"質保証の種類|degree › quality_assurance › 0 › type|made-up|",
		}},
		{webui.English, []string{
			"Language of the original title|degree › title › lang|Japanese|ja",
			"Degree title (English)|degree › title › translations › en|Master of Engineering|",
			"Degree title (original)|degree › title › value|修士（工学）|",
			"ECTS credits (derived)|degree › credits › ects|45|",
			"ECTS derivation method|degree › credits › ects_method|" + academic.ECTSMethodJPTaniHours + "|",
			"Credit framework|degree › credits › framework|Japanese university credits (単位, 45 hours of study each)|jp-tani",
			"Credits (native)|degree › credits › value|30|",
			"Degree type|degree › type|Master's degree|master",
			"Identifier type|awarding_body › identifiers › 0 › scheme|Japanese corporate number (法人番号)|jp-corporate-number",
			"Type of quality assurance|degree › quality_assurance › 0 › type|made-up|",
		}},
	} {
		var got []string
		for _, r := range claimRows(cds, academic.VCTHashiDiploma, tc.lang) {
			got = append(got, r.Label+"|"+r.Path+"|"+r.Value+"|"+r.Code)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s rows:\n%s\nwant:\n%s", tc.lang, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestClaimRowsTimes: the JWT times iat, nbf and exp read as a date in the page's language
// with the time in UTC; other numbers, and those claims nested or not numbers, stay as
// they are.
func TestClaimRowsTimes(t *testing.T) {
	iat := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	cds := []wallet.ClaimDisclosure{
		{Path: dcql.Path{"iat"}, PathJSON: `["iat"]`, Label: wallet.Names{"en": "Issued at", "ja": "発行日時"}, Value: float64(iat.Unix())},
		{Path: dcql.Path{"exp"}, PathJSON: `["exp"]`, Value: float64(iat.AddDate(1, 0, 0).Unix())},
		{Path: dcql.Path{"nbf"}, PathJSON: `["nbf"]`, Value: "not a number"},
		{Path: dcql.Path{"degree", "iat"}, PathJSON: `["degree","iat"]`, Value: 1795916747.0},
		{Path: dcql.Path{"credits"}, PathJSON: `["credits"]`, Value: 120.0},
		{Path: dcql.Path{"exp"}, PathJSON: `["exp"]`, Value: 1.5},
	}
	for _, tc := range []struct {
		lang language.Tag
		want []string
	}{
		{webui.English, []string{"Issued at|28 November 2026 09:30 UTC", "|28 November 2027 09:30 UTC", "|not a number", "|1795916747", "|120", "|1.5"}},
		{webui.Japanese, []string{"発行日時|2026年11月28日 09:30 UTC", "|2027年11月28日 09:30 UTC", "|not a number", "|1795916747", "|120", "|1.5"}},
	} {
		var got []string
		for _, r := range claimRows(cds, "", tc.lang) {
			got = append(got, r.Label+"|"+r.Value)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s rows:\n%s\nwant:\n%s", tc.lang, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// TestCardTitleAndHolder: the title in the page's language when the credential has it,
// else the original; the name in the page's script when stated, else the Latin one; for
// the hashi diploma, the learning credential and the VCDM 1.1 diploma.
func TestCardTitleAndHolder(t *testing.T) {
	cd := func(v any, path ...any) wallet.ClaimDisclosure {
		return wallet.ClaimDisclosure{Path: dcql.Path(path), Value: v}
	}
	hashi := []wallet.ClaimDisclosure{
		cd("YAMADA", "family_name"), cd("Hanako", "given_name"),
		cd("ja", "native_names", 0, "lang"), cd("山田", "native_names", 0, "family_name"), cd("花子", "native_names", 0, "given_name"),
		cd("ja", "degree", "title", "lang"), cd("学士（工学）", "degree", "title", "value"),
		cd("Bachelor of Engineering", "degree", "title", "translations", "en"),
	}
	kana := []wallet.ClaimDisclosure{
		cd("SATO", "family_name"), cd("ja-Kana", "native_names", 0, "lang"), cd("サトウ", "native_names", 0, "family_name"),
		cd("en", "degree", "title", "lang"), cd("Master of Science", "degree", "title", "value"),
	}
	learning := []wallet.ClaimDisclosure{cd("Master of Arts", "achievement_title"), cd("Jansen", "family_name"), cd("Eva", "given_name")}
	vcdm := []wallet.ClaimDisclosure{
		cd("修士（文学）", "credentialSubject", "degree", "name"), cd("ja", "credentialSubject", "degree", "nameLanguage"),
		cd("修士（文学）", "credentialSubject", "degree", "title", "ja"), cd("Master of Arts", "credentialSubject", "degree", "title", "en-GB"),
		cd("TANAKA", "credentialSubject", "familyName"), cd("Ken", "credentialSubject", "givenName"),
		cd("ja", "credentialSubject", "nativeNames", 0, "lang"), cd("田中", "credentialSubject", "nativeNames", 0, "familyName"),
		cd("健", "credentialSubject", "nativeNames", 0, "givenName"),
	}
	tests := []struct {
		name          string
		claims        []wallet.ClaimDisclosure
		lang          string
		title, holder string
	}{
		{"hashi/ja", hashi, "ja", "学士（工学）", "山田 花子"},
		{"hashi/en", hashi, "en", "Bachelor of Engineering", "Hanako YAMADA"},
		{"no translation: the original", kana, "ja", "Master of Science", "SATO"},
		{"learning credential", learning, "ja", "Master of Arts", "Eva Jansen"},
		{"vcdm/ja", vcdm, "ja", "修士（文学）", "田中 健"},
		{"vcdm/en by primary language", vcdm, "en", "Master of Arts", "Ken TANAKA"},
		{"nothing stated", []wallet.ClaimDisclosure{cd("master", "degree", "type")}, "en", "", ""},
		{"not disclosed to the wallet", nil, "ja", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cardTitle(tt.claims, tt.lang); got != tt.title {
				t.Errorf("title %q, want %q", got, tt.title)
			}
			if got := cardHolder(tt.claims, tt.lang); got != tt.holder {
				t.Errorf("holder %q, want %q", got, tt.holder)
			}
		})
	}
}

func TestInSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Awarding body":           "awarding body",
		"Date of Issuance":        "date of issuance",
		"Student ID":              "student ID",
		"EQF level":               "EQF level",
		"Family Name(s)":          "family Name(s)",
		"Level of learning (EQF)": "level of learning (EQF)",
	} {
		if got := inSentence(in); got != want {
			t.Errorf("inSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
