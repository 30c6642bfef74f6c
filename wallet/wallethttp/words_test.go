package wallethttp_test

import (
	"encoding/json"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

var (
	inlineTagRe = regexp.MustCompile(`(?s)</?(span|strong|em|code|a|label)\b[^>]*>`)
	tagRe       = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe     = regexp.MustCompile(`\s+`)
)

// visibleText is what a page shows: its text without tags (so without the tooltips, where
// the codes and claims paths stay for the curious), blocks and cells apart by a space.
func visibleText(body string) string {
	if i := strings.Index(body, "<body"); i >= 0 {
		body = body[i:]
	}
	body = tagRe.ReplaceAllString(inlineTagRe.ReplaceAllString(body, ""), " ")
	return spaceRe.ReplaceAllString(html.UnescapeString(body), " ")
}

// fullDiploma adds to owner's wallet Kenji Sato's master of engineering (the academic
// sample) as a whole hashi diploma: credits in 単位, certified evaluation, a corporate
// number, the title and the names of the field and the university in two languages; extra
// claims are added as they are (plain, not disclosable).
func fullDiploma(t *testing.T, e *env, owner string, extra map[string]any) string {
	t.Helper()
	cs, err := academic.SampleJPMasterEngineering().HashiDiplomaClaims()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cs.Claims)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	maps.Copy(claims, extra)
	return e.addDiploma(t, owner, "", claims)
}

// codes are what the usability walkthrough saw on the student's pages instead of words;
// english, what it saw in English on the Japanese pages.
var (
	codes = []string{"jp-tani", "certified_evaluation", "jp-corporate-number", "awarding_body", "learner_identification",
		"› en", "›  en", "› ja", "degree ›", "(degree", ">master<"}
	english = []string{"by hours", "by degree cycle", "NIC-Japan code)", "Japanese university credits"}
)

// wantWords checks that a page shows none of the codes (nor, in Japanese, the English
// phrases) and every one of words.
func wantWords(t *testing.T, name string, p page, words ...string) {
	t.Helper()
	if p.status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", name, p.status, p.body)
	}
	text := visibleText(p.body)
	banned := codes
	if strings.Contains(p.body, `<html lang="ja"`) {
		banned = append(slices.Clone(codes), english...)
	}
	for _, c := range banned {
		if strings.Contains(text, c) {
			i := strings.Index(text, c)
			t.Errorf("%s shows %q: …%s…", name, c, text[max(0, i-80):min(len(text), i+80)])
		}
	}
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not show %q:\n%s", name, w, text)
		}
	}
}

// TestDetailsInWords: a Japanese student reads the whole diploma in Japanese words: every
// row has a Japanese label (a title's or name's language in words), codes read as words
// and the ECTS method in Japanese; the codes and claims paths stay as tooltips. In
// English the same rows read in English.
func TestDetailsInWords(t *testing.T) {
	e := newEnv(t)
	b := e.browser("ja")
	b.signUp("kenji")
	wantStatus(t, "receive", b.receive(""), 200)
	id := fullDiploma(t, e, ownerOf(t, e, "kenji"), nil)

	p := b.get("/wallet/credentials/" + id)
	wantWords(t, "details ja", p,
		"学位の種類 修士", "単位制度 日本の大学の単位（1単位＝45時間の学修）", "単位数 30", "ECTS 単位（換算値） 45",
		"ECTS の換算方法 "+academic.ECTSMethodJPTaniHoursJA, "水準の対応付けの根拠 学位の課程段階による ISCED 2011 レベル7",
		"質保証の種類 認証評価", "評価機関 大学基準協会 (JUAA)", "識別子の種類 法人番号", "学位授与機関の所在国 日本",
		"学位の名称（英語） Master of Engineering", "学位の名称（原語） 修士（工学）", "学位の名称の原語 日本語",
		"学位授与機関（英語） Example Institute of Technology", "学位授与機関（日本語） 例示工業大学",
		"専攻分野（日本語） 電気電子工学専攻", "授業言語 日本語", "授業言語 英語", "氏名の言語 日本語", "学籍番号 E23M-1187")
	// The codes and paths are kept for the curious, as tooltips.
	wantBody(t, "details ja tooltips", p, `title="jp-tani"`, `title="certified_evaluation"`, `title="jp-corporate-number"`, `title="master"`,
		`title="degree › credits › framework"`, `title="awarding_body › name › en"`, `title="degree › title › translations › en"`,
		`title="`+html.EscapeString(academic.ECTSMethodJPTaniHours)+`"`)
	// Every row has a label.
	for _, r := range claimRowsOf(p.body) {
		if !strings.Contains(p.body, `<th scope="row" class="claim-name" title="`+strings.ReplaceAll(r, ">", "&gt;")+`">`) {
			t.Errorf("row %q has no label", r)
		}
	}
	if rows := claimRowsOf(p.body); len(rows) < 25 {
		t.Errorf("only %d rows: %q", len(rows), rows)
	}

	p = b.get("/wallet/credentials/" + id + "?lang=en")
	wantWords(t, "details en", p,
		"Degree type Master's degree", "Credit framework Japanese university credits", "Type of quality assurance Certified evaluation",
		"Identifier type Japanese corporate number", "Country of the awarding body Japan", "Degree title (English) Master of Engineering",
		"Awarding body (Japanese) 例示工業大学", "Field of study (English) Electrical and Electronic Engineering",
		"Language of instruction English", "ECTS derivation method "+academic.ECTSMethodJPTaniHours)
}

// TestConsentInWords: the consent page names what will be shared and what is always
// included in the page's language, never by claim names or codes; so do the outcome and
// the history.
func TestConsentInWords(t *testing.T) {
	e := newEnv(t)
	meta := map[string]any{"vct_values": []string{academic.VCTHashiDiploma}}
	e.ver.Query = map[string]any{"credentials": []any{map[string]any{"id": "diploma", "format": "dc+sd-jwt", "meta": meta,
		"claims": []any{
			map[string]any{"path": []any{"degree", "type"}}, map[string]any{"path": []any{"degree", "title"}},
			map[string]any{"path": []any{"degree", "credits"}}, map[string]any{"path": []any{"degree", "quality_assurance"}},
		}}}}
	e.ver.NoRedirect = true
	b := e.browser("ja")
	b.signUp("kenji")
	wantStatus(t, "receive", b.receive(""), 200)
	// A claim the type metadata does not describe is "other information", never its name.
	id := fullDiploma(t, e, ownerOf(t, e, "kenji"), map[string]any{"x_registrar_ref": "R-1187", "x_batch": "2025-03"})

	p := b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantWords(t, "consent ja", p,
		"学位の種類 修士", "単位制度 日本の大学の単位（1単位＝45時間の学修）", "ECTS の換算方法 "+academic.ECTSMethodJPTaniHoursJA,
		"質保証の種類 認証評価", "学位の名称（英語） Master of Engineering",
		"常に含まれる項目： 学位授与機関、あなたのものであることを示す鍵、学位、有効期限、発行日時、発行者、学籍番号、証明書の種類、その他の情報")
	wantBody(t, "consent ja tooltips", p, `title="jp-tani"`, `title="degree › credits › framework"`)
	if strings.Contains(p.body, "x_registrar_ref") || strings.Contains(p.body, "x_batch") {
		t.Error("the consent page names a claim by its raw name")
	}

	en := b.get("/wallet/present?" + mustQuery(t, e.ver.Link("")) + "&lang=en")
	wantWords(t, "consent en", en, "Degree type Master's degree",
		"Always included: awarding body, a key that proves it is yours, degree, when it expires, when it was issued, who issued it, student ID, its type, other information")

	b.get("/wallet/history?lang=ja") // back to Japanese
	p = b.post("/wallet/present/share", url.Values{"id": {hidden(t, p)}, "cred.diploma": {id}})
	wantWords(t, "outcome ja", p, "学位証明書: 学位の種類, 学位の名称の原語, 学位の名称（英語）, 学位の名称（原語）", "単位制度", "質保証の種類")
	wantBody(t, "outcome ja tooltips", p, `<span class="claim" title="degree › credits › framework">単位制度</span>`)
	wantWords(t, "history ja", b.get("/wallet/history"), "学位証明書: 学位の種類, 学位の名称の原語, 学位の名称（英語）, 学位の名称（原語）", "単位制度", "質保証の種類")
}

func mustQuery(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RawQuery
}
