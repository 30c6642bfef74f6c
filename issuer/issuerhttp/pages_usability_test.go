package issuerhttp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerhttp"
)

const saku = "/issuer/sakuragaoka/registrar"

// csvLines are importCSV's header and its rows s-1 (valid) and s-2 (rejected).
func csvLines(t *testing.T) (header, valid, rejected string) {
	t.Helper()
	l := strings.Split(strings.TrimSuffix(string(importCSV(t)), "\r\n"), "\r\n")
	if len(l) != 3 {
		t.Fatalf("importCSV has %d lines", len(l))
	}
	return l[0], l[1], l[2]
}

// TestPagesImportSummary: the summary says what was saved: nothing when every row was
// rejected or the file has no rows, the counts otherwise.
func TestPagesImportSummary(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("ja")
	b.signIn("oostland")
	header, valid, rejected := csvLines(t)
	file := func(rows ...string) []byte {
		return []byte(strings.Join(append([]string{header}, rows...), "\r\n") + "\r\n")
	}
	for _, tc := range []struct {
		name, lang string
		rows       []string
		flash      string // the flash's class
		want       []string
		not        []string
	}{
		{"fail/only-row-rejected-ja", "ja", []string{rejected}, "flash-error",
			[]string{"何も保存されていません：すべての行が却下されました（却下 1 件）。", `id="row-1"`, "整数で指定してください"}, []string{"登録が完了しました", "一部の行"}},
		{"fail/only-row-rejected-en", "en", []string{rejected}, "flash-error",
			[]string{"Nothing was saved: every row was rejected (1 rejected)."}, []string{"Import finished"}},
		{"fail/no-rows-en", "en", nil, "flash-error", []string{"Nothing was saved: the file has no graduate rows."}, []string{"Import finished"}},
		{"fail/no-rows-ja", "ja", nil, "flash-error", []string{"何も保存されていません：ファイルに卒業生の行がありません。"}, []string{"登録が完了しました"}},
		{"ok/some-saved-ja", "ja", []string{valid, rejected}, "flash-error",
			[]string{"一部の行だけを登録しました：追加 1 件、更新 0 件、却下 1 件。却下された行は保存されていません。"}, []string{"何も保存されていません"}},
		{"ok/some-saved-en", "en", []string{valid, rejected}, "flash-error",
			[]string{"Import finished with problems: 0 added, 1 updated, 1 rejected. The rejected rows were not saved"}, []string{"Nothing was saved"}},
		{"ok/all-saved-en", "en", []string{valid}, "flash-success", []string{"Import finished: 0 added, 1 updated, 0 rejected."}, []string{"not saved", "Nothing was saved"}},
		{"ok/all-saved-ja", "ja", []string{valid}, "flash-success", []string{"登録が完了しました：追加 0 件、更新 1 件、却下 0 件。"}, []string{"保存されていません"}},
	} {
		b.lang = tc.lang
		r := b.upload(oost+"/graduates/import", "g.csv", file(tc.rows...))
		r.want(t, http.StatusOK, append([]string{`class="flash ` + tc.flash + `"`}, tc.want...)...)
		for _, s := range tc.not {
			if strings.Contains(r.body, s) {
				t.Errorf("%s: page has %q", tc.name, s)
			}
		}
	}
}

// TestPagesSampleCSV: the import page links a sample CSV with every column and an example
// row; it imports as it is.
func TestPagesSampleCSV(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("ja")
	sample := saku + issuerhttp.SampleCSVPath
	b.get(sample).wantRedirect(t, saku+"/sign-in")
	b.signIn("sakuragaoka")
	b.get(saku+"/graduates").want(t, http.StatusOK, `<a href="`+sample+`" download id="sample-csv">見本のCSVをダウンロード`)

	r := b.get(sample)
	r.want(t, http.StatusOK, "佐藤", "健二", "修士（工学）")
	if ct, cd := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" || cd != `attachment; filename="graduates-sample.csv"` {
		t.Fatalf("Content-Type %q, Content-Disposition %q", ct, cd)
	}
	if !strings.HasPrefix(r.body, "\ufeffgraduate_id,approved,learner.family_name,learner.given_name,learner.native_names[0].lang,") {
		t.Fatalf("sample starts %q", r.body[:min(len(r.body), 120)])
	}
	for _, col := range []string{",degree.title.en,", ",degree.title.ja,", ",degree.grade.value,", ",degree.eqf_level,", ",awarding_body.identifiers[0].value"} {
		if !strings.Contains(r.body, col) {
			t.Errorf("sample lacks the column %s", col)
		}
	}

	// Its diploma is awarded by the tenant's own university, to an example graduate id no
	// student has (so importing it overwrites nobody).
	if !strings.Contains(r.body, "桜ヶ丘大学") || strings.Contains(r.body, "例示工業大学") || !strings.Contains(r.body, "\n"+issuerhttp.SampleGraduateID+",") {
		t.Errorf("the sample is not the tenant's:\n%s", r.body)
	}

	// Sent back as it is, it adds one graduate and rejects nothing.
	b.upload(saku+"/graduates/import", "graduates-sample.csv", []byte(r.body)).
		want(t, http.StatusOK, `class="flash flash-success"`, "登録が完了しました：追加 1 件、更新 0 件、却下 0 件。", `id="graduate-SAMPLE-0001"`, "Kenji SATO")
	var grads []issuer.GraduateView
	e.admin("GET", "sakuragaoka", "/graduates", nil).json(t, &grads)
	if len(grads) != 1 || grads[0].ID != "SAMPLE-0001" || grads[0].Name != "Kenji SATO" || grads[0].Approved {
		t.Fatalf("graduates %+v", grads)
	}

	// An unknown column points to the sample.
	b.lang = "en"
	b.upload(saku+"/graduates/import", "bad.csv", []byte("graduate_id,name\nx,y\n")).
		want(t, http.StatusUnprocessableEntity, "is not a field of the diploma record", `id="unknown-column-hint"`,
			"The sample CSV has every valid column:", `href="`+sample+`" download>Download the sample CSV`)
}

// collectAndNotify redeems an offer of tenant with the test wallet, obtains one credential
// and reports it stored (credential_accepted).
func collectAndNotify(t *testing.T, e *env, tenant, uri, txCode string) {
	t.Helper()
	w := newWallet(e, tenant)
	_, code := w.offer(uri)
	tok := w.token(code, txCode, true)
	k := newHolderKey(t)
	r := w.resource(issuer.PathCredential, tok, credentialBody(issuer.ConfigDiplomaSDJWT, w.proof(k, w.nonce(), nil)))
	if r.status != http.StatusOK {
		t.Fatalf("credential: %d %s", r.status, r.body)
	}
	var cr issuer.CredentialResponse
	if err := json.Unmarshal(r.body, &cr); err != nil {
		t.Fatal(err)
	}
	r = w.resource(issuer.PathNotification, tok, map[string]string{"notification_id": cr.NotificationID, "event": "credential_accepted"})
	if r.status != http.StatusNoContent {
		t.Fatalf("notification: %d %s", r.status, r.body)
	}
}

// row returns the table row of body that contains text.
func row(t *testing.T, body, text string) string {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?s)<tr[ >].*?</tr>`).FindAllString(body, -1) {
		if strings.Contains(m, text) {
			return m
		}
	}
	t.Fatalf("no row with %q\n%s", text, body)
	return ""
}

// TestPagesNames: the registrar sees the graduate's name next to the id on the offer, the
// offers, the credentials and the audit log, and the audit details in words.
func TestPagesNames(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("ja")
	b.signIn("sakuragaoka")
	sample := b.get(saku + issuerhttp.SampleCSVPath)
	b.upload(saku+"/graduates/import", "sample.csv", []byte(sample.body)).want(t, http.StatusOK, "追加 1 件")
	b.post(saku+"/graduates/SAMPLE-0001/approve", nil).wantRedirect(t, saku+"/graduates?approved=SAMPLE-0001")
	// On the Japanese pages the name in Japanese script comes first, the passport's after it.
	b.get(saku+"/graduates").want(t, http.StatusOK, `<td data-label="氏名" class="name">佐藤 健二 (Kenji SATO)</td>`,
		`aria-label="佐藤 健二 (Kenji SATO)（卒業生 SAMPLE-0001） の証明書オファーを作成"`)

	// The offer form: an error at its field without the field's raw name, and focus on it.
	r := b.post(saku+"/offers", url.Values{"credential_configuration_id": {issuer.ConfigDiplomaSDJWT}, "graduate_id": {"nobody"}, "tx_code": {"on"}})
	r.want(t, http.StatusUnprocessableEntity, "このIDの卒業生は登録されていません", `aria-describedby="graduate-hint graduate-error" aria-invalid="true" autofocus>`)
	if strings.Contains(r.body, "(graduate_id)") {
		t.Fatal("the field's error repeats the raw field name")
	}

	// The offer page names the graduate, and says once what to do with the QR code.
	r = b.post(saku+"/offers", url.Values{"credential_configuration_id": {issuer.ConfigDiplomaSDJWT}, "graduate_id": {"SAMPLE-0001"}, "tx_code": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create offer: %d %s", r.status, r.body)
	}
	r = b.get(r.header.Get("Location"))
	r.want(t, http.StatusOK, `<dd id="offer-name" class="name">佐藤 健二 (Kenji SATO)</dd>`, `<dd id="offer-graduate" class="id">SAMPLE-0001</dd>`,
		"ウォレットアプリでこのコードを読み取ってください。")
	if n := strings.Count(r.body, "このコードを読み取"); n != 1 {
		t.Fatalf("the QR code's instruction appears %d times", n)
	}
	b.get(saku+"/offers").want(t, http.StatusOK, `<span class="name">佐藤 健二 (Kenji SATO)</span><br><span class="id muted">SAMPLE-0001</span>`,
		`aria-label="佐藤 健二 (Kenji SATO)（卒業生 SAMPLE-0001） のオファーを開く"`)

	// Collected, reported stored, then revoked.
	offers, err := e.is.ListOffers(t.Context(), "sakuragaoka", time.Time{}, 0)
	if err != nil || len(offers) != 1 {
		t.Fatalf("offers %+v %v", offers, err)
	}
	collectAndNotify(t, e, "sakuragaoka", offers[0].CredentialOfferURI, offers[0].TxCode)
	b.lang = "en"
	r = b.get(saku + "/credentials")
	r.want(t, http.StatusOK, `<td data-label="Graduate" class="graduate"><span class="name">Kenji SATO</span><br><span class="id muted">SAMPLE-0001</span></td>`,
		`aria-label="Revoke the credential of Kenji SATO (graduate SAMPLE-0001)"`, `aria-label="Suspend the credential of Kenji SATO (graduate SAMPLE-0001)"`)
	cs := e.issuances("sakuragaoka")
	if len(cs) != 1 {
		t.Fatalf("issuances %+v", cs)
	}
	b.post(saku+"/credentials/"+cs[0].ID+"/status", url.Values{"status": {"revoked"}}).wantRedirect(t, saku+"/credentials?changed=revoked")

	// The audit log: each event's graduate by name, its object's kind, its detail in words.
	r = b.get(saku + "/audit")
	r.want(t, http.StatusOK)
	revoked := row(t, r.body, ">Credential revoked<")
	for _, s := range []string{"Kenji SATO", "SAMPLE-0001", "Credential: <code class=\"id\">" + cs[0].ID + "</code>"} {
		if !strings.Contains(revoked, s) {
			t.Errorf("revocation row lacks %q: %s", s, revoked)
		}
	}
	for action, want := range map[string]string{
		">Credential issued<":   ", 1 credential</td>",
		">Offer created<":       "(SD-JWT VC)",
		">Wallet notification<": ">stored in the wallet</td>",
		">Conferral approved<":  "Kenji SATO",
	} {
		if got := row(t, r.body, action); !strings.Contains(got, want) || !strings.Contains(got, "SAMPLE-0001") && action != ">Wallet notification<" {
			t.Errorf("%s row lacks %q or the graduate: %s", action, want, got)
		}
	}
	if strings.Contains(r.body, issuer.ConfigDiplomaSDJWT) || strings.Contains(r.body, "credential_accepted") || strings.Contains(r.body, "×") {
		t.Errorf("the audit log shows raw codes:\n%s", r.body)
	}
	r = b.get(saku + "/audit?lang=ja")
	r.want(t, http.StatusOK, "、1 件</td>", ">ウォレットに保存</td>", "証明書: <code")
}

// TestPagesSignInFocus: after a failed sign-in the token field, described by its error,
// takes the focus.
func TestPagesSignInFocus(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("en")
	r := b.get(oost + "/sign-in")
	if strings.Contains(r.body, "autofocus") {
		t.Fatal("the sign-in form takes the focus before any error")
	}
	b.post(oost+"/sign-in", url.Values{"token": {"nope"}}).want(t, http.StatusUnauthorized,
		`aria-describedby="token-hint token-error" aria-invalid="true" autofocus>`, `<div id="token-error"><ul class="field-errors" role="alert">`)
}
