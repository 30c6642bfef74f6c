package wallethttp_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

func TestCatalog(t *testing.T) {
	e := newEnv(t)
	webuitest.CheckCatalog(t, e.h.Catalog())
	// Every page links the wallet stylesheet, which is served.
	p := e.browser("en").get("/wallet/sign-in")
	m := regexp.MustCompile(`href="(/wallet/assets/wallet\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no stylesheet link\n%s", p.body)
	}
	css := e.browser("en").get(m[1])
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, ".card") {
		t.Fatalf("stylesheet %d %s", css.status, css.header.Get("Content-Type"))
	}
}

func wantStatus(t *testing.T, what string, p page, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.status, status, p.body)
	}
}

func wantBody(t *testing.T, what string, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) {
			t.Fatalf("%s: page lacks %q\n%s", what, s, p.body)
		}
	}
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")

	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"fail/short password", url.Values{"username": {"hanako"}, "password": {"short"}, "password2": {"short"}}, 422, "at least 12 characters"},
		{"fail/passwords differ", url.Values{"username": {"hanako"}, "password": {"correct horse battery"}, "password2": {"correct horse batterz"}}, 422, "not the same"},
		{"fail/short username", url.Values{"username": {"h"}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}}, 422, "at least 3 characters"},
		{"fail/space in username", url.Values{"username": {"ha nako"}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}}, 422, "spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.post("/wallet/sign-up", tt.form)
			wantStatus(t, tt.name, p, tt.status)
			wantBody(t, tt.name, p, tt.want)
		})
	}
	// A field in error points to its message, for screen readers; the others do not.
	p := b.post("/wallet/sign-up", url.Values{"username": {"hanako"}, "password": {"short"}, "password2": {"short"}})
	wantBody(t, "field errors", p, `aria-describedby="password-hint password-error" aria-invalid="true"`, `aria-describedby="username-hint">`)

	p = b.post("/wallet/sign-up", url.Values{"username": {" Hanako "}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}})
	wantStatus(t, "sign-up", p, http.StatusSeeOther)
	var session *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == wallethttp.SessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.Secure || session.SameSite != http.SameSiteLaxMode || session.MaxAge != 12*3600 || session.Path != "/wallet" {
		t.Fatalf("session cookie %+v", session)
	}
	if s, err := e.store.Session(t.Context(), session.Value, e.clock.Now()); err != nil || !s.ExpiresAt.Equal(e.clock.Now().Add(12*time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("stored session %+v %v", s, err)
	}
	if a, err := e.store.AccountByUsername(t.Context(), "hanako"); err != nil || !strings.HasPrefix(a.PasswordHash, "$argon2id$") {
		t.Fatalf("account not normalised or hashed: %+v %v", a, err)
	}
	wantStatus(t, "credentials", b.get("/wallet/credentials"), 200)

	// The same username again (other case) is taken.
	other := e.browser("ja")
	p = other.post("/wallet/sign-up", url.Values{"username": {"HANAKO"}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}})
	wantStatus(t, "taken", p, http.StatusConflict)
	wantBody(t, "taken", p, "このユーザー名は使われています")

	// Sign out ends the stored session.
	p = b.post("/wallet/sign-out", nil)
	wantStatus(t, "sign-out", p, http.StatusSeeOther)
	if _, err := e.store.Session(t.Context(), session.Value, e.clock.Now()); !errors.Is(err, storeerr.ErrNotFound) {
		t.Fatalf("session after sign-out: %v", err)
	}
	p = b.get("/wallet/credentials")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/wallet/sign-in?next=") {
		t.Fatalf("signed out: %d %s", p.status, p.location())
	}

	// Sign in: wrong password, unknown user, right password.
	p = b.post("/wallet/sign-in", url.Values{"username": {"hanako"}, "password": {"wrong password!"}})
	wantStatus(t, "wrong password", p, http.StatusUnauthorized)
	wantBody(t, "wrong password", p, "not correct")
	p = b.post("/wallet/sign-in", url.Values{"username": {"nobody"}, "password": {"wrong password!"}})
	wantStatus(t, "unknown user", p, http.StatusUnauthorized)
	p = b.post("/wallet/sign-in", url.Values{"username": {"hanako"}, "password": {"correct horse battery"}, "next": {"//evil.example/x"}})
	if p.status != http.StatusSeeOther || p.location() != "/wallet/credentials" {
		t.Fatalf("sign in: %d %s", p.status, p.location())
	}
	// The cheap test hash was upgraded to the current parameters at sign-in.
	if a, _ := e.store.AccountByUsername(t.Context(), "hanako"); walletstore.PasswordNeedsRehash(a.PasswordHash) {
		t.Fatalf("hash not upgraded: %s", a.PasswordHash[:30])
	}
	// The session expires after 12 hours.
	e.clock.Add(12*time.Hour + time.Second)
	wantStatus(t, "expired session", b.get("/wallet/credentials"), http.StatusSeeOther)
}

func TestSignInRateLimit(t *testing.T) {
	e := newEnv(t)
	b := e.browser("ja")
	b.signUp("taro")
	b.post("/wallet/sign-out", nil)
	for i := range wallethttp.MaxFailuresPerUsername {
		p := b.post("/wallet/sign-in", url.Values{"username": {"taro"}, "password": {"guess number " + string(rune('a'+i))}})
		wantStatus(t, "failure", p, http.StatusUnauthorized)
	}
	// Now even the right password is refused, in Japanese.
	p := b.post("/wallet/sign-in", url.Values{"username": {"taro"}, "password": {"correct horse battery"}})
	wantStatus(t, "limited", p, http.StatusTooManyRequests)
	wantBody(t, "limited", p, "失敗した試行が多すぎます。15分待って", `lang="ja"`)
	if p.header.Get("Retry-After") != "900" {
		t.Fatalf("Retry-After %q", p.header.Get("Retry-After"))
	}
	e.clock.Add(wallethttp.SignInWindow + time.Second)
	wantStatus(t, "after the window", b.post("/wallet/sign-in", url.Values{"username": {"taro"}, "password": {"correct horse battery"}}), http.StatusSeeOther)

	// One client guessing many usernames is limited too.
	c := e.browser("en")
	for i := range wallethttp.MaxFailuresPerClient {
		p := c.post("/wallet/sign-in", url.Values{"username": {"user" + string(rune('a'+i))}, "password": {"some password"}})
		wantStatus(t, "client failure", p, http.StatusUnauthorized)
	}
	p = c.post("/wallet/sign-in", url.Values{"username": {"taro"}, "password": {"correct horse battery"}})
	wantStatus(t, "client limited", p, http.StatusTooManyRequests)
	wantBody(t, "client limited", p, "Too many failed attempts")
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.signUp("csrf-user")
	tests := []struct {
		name string
		path string
		form url.Values
	}{
		{"fail/sign-in without token", "/wallet/sign-in", url.Values{webui.CSRFField: {""}, "username": {"csrf-user"}, "password": {"correct horse battery"}}},
		{"fail/sign-up with a wrong token", "/wallet/sign-up", url.Values{webui.CSRFField: {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "username": {"x-user"}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}}},
		{"fail/delete account without token", "/wallet/account/delete", url.Values{webui.CSRFField: {""}, "confirm": {"yes"}, "password": {"correct horse battery"}}},
		{"fail/receive without token", "/wallet/receive", url.Values{webui.CSRFField: {""}, "link": {e.iss.OfferLink()}}},
		{"fail/sign-out without token", "/wallet/sign-out", url.Values{webui.CSRFField: {""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, tt.name, b.post(tt.path, tt.form), http.StatusForbidden)
		})
	}
	if _, err := e.store.AccountByUsername(t.Context(), "csrf-user"); err != nil {
		t.Fatalf("account gone after rejected posts: %v", err)
	}
	wantStatus(t, "still signed in", b.get("/wallet/credentials"), 200)
}

func TestReceiveWithPIN(t *testing.T) {
	e := newEnv(t)
	e.iss.TxCode = "493817"
	b := e.browser("ja")
	b.signUp("hanako")

	p := b.post("/wallet/receive", url.Values{"link": {e.iss.OfferLink()}})
	wantStatus(t, "offer", p, 200)
	// A numeric PIN counts digits (桁), not characters.
	wantBody(t, "offer", p, "桜ヶ丘大学", "Code sent by e-mail", "PINは6桁です。", `id="tx_code"`, `inputmode="numeric"`, `maxlength="6"`)
	if strings.Contains(p.body, "autofocus") {
		t.Fatal("autofocus on the PIN before any error")
	}
	id := hidden(t, p)

	// A wrong PIN: the issuer refuses, the student reads why in Japanese, the offer stays.
	p = b.post("/wallet/receive/accept", url.Values{"id": {id}, "tx_code": {"000000"}})
	wantStatus(t, "wrong PIN", p, http.StatusUnprocessableEntity)
	wantBody(t, "wrong PIN", p, wallet.Message(wallet.CodeTokenRejected, "ja"), `aria-describedby="tx-hint" autofocus>`)
	if cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "hanako")); len(cs) != 0 {
		t.Fatalf("stored after a wrong PIN: %d", len(cs))
	}
	p = b.post("/wallet/receive/accept", url.Values{"id": {id}, "tx_code": {"493817"}})
	wantStatus(t, "right PIN", p, 200)
	wantBody(t, "received", p, "JP pilot list に Sakura Trust（日本）（JP）として登録されています。", "桜ヶ丘大学",
		`<dd class="card-holder">Hanako Yamada</dd>`, `<dd class="card-status">有効期限内</dd>`)
	cs, err := e.store.Credentials(t.Context(), ownerOf(t, e, "hanako"))
	if err != nil || len(cs) != 1 {
		t.Fatalf("stored %d %v", len(cs), err)
	}
	// The held offer is gone after use.
	wantStatus(t, "offer used", b.post("/wallet/receive/accept", url.Values{"id": {id}, "tx_code": {"493817"}}), http.StatusGone)

	// The card and the details page, with claim labels in Japanese and English.
	p = b.get("/wallet/credentials")
	// The wallet does not check status lists: the card says what it knows, not "valid".
	wantBody(t, "list", p, `<dd class="card-status">有効期限内</dd>`, "桜ヶ丘大学", cs[0].Display.Name.In("ja"), `aria-label="桜ヶ丘大学の`+cs[0].Display.Name.In("ja")+`のすべての内容を表示"`)
	p = b.get("/wallet/credentials/" + cs[0].ID)
	wantStatus(t, "details", p, 200)
	label, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"degree", "award_date"}, "ja")
	// iat and exp read as dates in the page's language, not seconds since 1970.
	iat, exp := testNow.Add(-time.Hour).UTC(), testNow.Add(365*24*time.Hour).UTC()
	wantBody(t, "details ja", p, label, "2026-03-20", "Yamada", "Hanako",
		`<td class="claim-value">`+webui.FormatDate(webui.Japanese, iat)+iat.Format(" 15:04 UTC")+`</td>`,
		`<td class="claim-value">`+webui.FormatDate(webui.Japanese, exp)+exp.Format(" 15:04 UTC")+`</td>`)
	if strings.Contains(p.body, strconv.FormatInt(iat.Unix(), 10)) {
		t.Fatal("iat shown as a number")
	}
	p = b.get("/wallet/credentials/" + cs[0].ID + "?lang=en")
	labelEN, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"degree", "award_date"}, "en")
	wantBody(t, "details en", p, labelEN, "Listed by JP pilot list as Sakura Trust (JP).", `<dd class="card-status">Not expired</dd>`,
		`<td class="claim-value">`+webui.FormatDate(webui.English, iat)+iat.Format(" 15:04 UTC")+`</td>`)
	if strings.Contains(p.body, `id="invalid"`) {
		t.Fatal("a valid credential shown as invalid")
	}
	// A year and a day later it has expired: the page says so in words, with the code aside.
	e.clock.Add(366 * 24 * time.Hour)
	if p := b.post("/wallet/sign-in", url.Values{"username": {"hanako"}, "password": {"correct horse battery"}}); p.status != http.StatusSeeOther {
		t.Fatalf("sign in again: %d\n%s", p.status, p.body)
	}
	wantBody(t, "expired en", b.get("/wallet/credentials/"+cs[0].ID+"?lang=en"), `id="invalid"`, "This credential has expired. Your university can issue a new one.", "(expired)",
		`<dd class="card-status card-status-bad">Expired</dd>`)
	wantBody(t, "expired ja", b.get("/wallet/credentials/"+cs[0].ID+"?lang=ja"), "この証明書は有効期限が切れています。")
	e.clock.Add(-366 * 24 * time.Hour)

	// Delete it.
	wantStatus(t, "delete", b.post("/wallet/credentials/"+cs[0].ID+"/delete", url.Values{"confirm": {"yes"}}), http.StatusSeeOther)
	if cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "hanako")); len(cs) != 0 {
		t.Fatalf("not deleted: %d", len(cs))
	}
	wantStatus(t, "deleted details", b.get("/wallet/credentials/"+cs[0].ID), http.StatusNotFound)
}

func TestReceiveByLinkAndDeferred(t *testing.T) {
	e := newEnv(t)
	e.iss.Deferred = true
	b := e.browser("en")
	b.signUp("deferred")
	// The offer opened as a link: the same-device offer URL with credential_offer_uri.
	u, _ := url.Parse(e.iss.OfferLink())
	p := b.get("/wallet/receive?" + u.RawQuery)
	wantStatus(t, "offer by URL", p, 200)
	wantBody(t, "offer by URL", p, "Sakuragaoka University")
	p = b.post("/wallet/receive/accept", url.Values{"id": {hidden(t, p)}})
	wantStatus(t, "deferred", p, 200)
	wantBody(t, "deferred", p, `id="received-pending"`, `<h1 id="title">Not ready yet</h1>`)
	p = b.get("/wallet/credentials")
	wantBody(t, "pending listed", p, "Waiting for your university", "Check again")
	ps, _ := e.store.PendingIssuances(t.Context(), ownerOf(t, e, "deferred"))
	if len(ps) != 1 {
		t.Fatalf("pending %d", len(ps))
	}
	p = b.post("/wallet/pending/"+ps[0].ID+"/poll", nil)
	wantBody(t, "not yet", p, "Not ready yet")
	e.iss.Mu.Lock()
	e.iss.Ready = true
	e.iss.Mu.Unlock()
	p = b.post("/wallet/pending/"+ps[0].ID+"/poll", nil)
	wantStatus(t, "ready", p, 200)
	wantBody(t, "ready", p, "Listed by JP pilot list as Sakura Trust (JP).")
	if cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "deferred")); len(cs) != 1 {
		t.Fatalf("deferred credential not stored: %d", len(cs))
	}
	// An invalid link shows the wallet's message.
	p = b.post("/wallet/receive", url.Values{"link": {"https://example.com/nothing"}})
	wantStatus(t, "bad link", p, http.StatusUnprocessableEntity)
	wantBody(t, "bad link", p, wallet.Message(wallet.CodeInvalidOffer, "en"))
}

func ownerOf(t *testing.T, e *env, username string) string {
	t.Helper()
	a, err := e.store.AccountByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// optionalQuery asks for family_name and degree type, and optionally the birthdate.
func optionalQuery() map[string]any {
	meta := map[string]any{"vct_values": []string{academic.VCTHashiDiploma}}
	return map[string]any{
		"credentials": []any{
			map[string]any{"id": "diploma", "format": "dc+sd-jwt", "meta": meta,
				"claims": []any{map[string]any{"path": []any{"family_name"}}, map[string]any{"path": []any{"degree", "type"}}}},
			map[string]any{"id": "birth", "format": "dc+sd-jwt", "meta": meta,
				"claims": []any{map[string]any{"path": []any{"birthdate"}}}},
		},
		"credential_sets": []any{
			map[string]any{"options": []any{[]any{"diploma"}}},
			map[string]any{"options": []any{[]any{"birth"}}, "required": false},
		},
	}
}

func TestConsentOptionalAndHistory(t *testing.T) {
	e := newEnv(t)
	e.ver.Query = optionalQuery()
	b := e.browser("en")
	b.signUp("sharer")
	wantStatus(t, "receive", b.receive(""), 200)
	credID := func() string {
		cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "sharer"))
		return cs[0].ID
	}()

	p := b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "consent", p, 200)
	wantBody(t, "consent", p, "Pilot Recruitment Desk JP", "Listed by JP pilot list as Sakura Trust (JP).", e.ver.ClientID,
		`name="include" value="birth">`, "Optional: you decide",
		// What every presentation carries, in words rather than claim names.
		"Always included: a key that proves it is yours, degree, when it expires, when it was issued, who issued it, its type")
	if strings.Contains(p.body, `name="include" value="diploma"`) {
		t.Fatal("the required query can be ticked out")
	}
	// Exactly the claims: family_name and degree type for the required query, birthdate
	// for the optional one, nothing else.
	rows := claimRowsOf(p.body)
	want := []string{"family_name", "degree › type", "birthdate"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Fatalf("claims on the consent page %q, want %q", rows, want)
	}
	id := hidden(t, p)

	// The optional query left unticked: the birthdate is not disclosed.
	p = b.post("/wallet/present/share", url.Values{"id": {id}, "include": {"diploma"}, "cred.diploma": {credID}, "cred.birth": {credID}})
	if p.status != http.StatusSeeOther || p.location() != e.vbase+"/done#response_code=rc-1" {
		t.Fatalf("share: %d %q\n%s", p.status, p.location(), p.body)
	}
	got := e.disclosed()
	if len(got) != 1 || strings.Join(got["diploma"], ",") != "family_name,type" {
		t.Fatalf("disclosed %v", got)
	}
	// The request is used up.
	wantStatus(t, "used", b.post("/wallet/present/share", url.Values{"id": {id}, "include": {"diploma"}, "cred.diploma": {credID}}), http.StatusGone)

	// Again, ticking the optional query: the birthdate goes too.
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("post")}})
	id = hidden(t, p)
	p = b.post("/wallet/present/share", url.Values{"id": {id}, "include": {"diploma", "birth"}, "cred.diploma": {credID}, "cred.birth": {credID}})
	wantStatus(t, "share with optional", p, http.StatusSeeOther)
	if got := e.disclosed(); strings.Join(got["birth"], ",") != "birthdate" || strings.Join(got["diploma"], ",") != "family_name,type" {
		t.Fatalf("disclosed %v", got)
	}

	// Leaving out the required query is refused in the page, nothing is sent.
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	id = hidden(t, p)
	e.ver.Mu.Lock()
	posts := len(e.ver.Posts)
	e.ver.Mu.Unlock()
	p = b.post("/wallet/present/share", url.Values{"id": {id}, "include": {"birth"}, "cred.birth": {credID}})
	wantStatus(t, "required left out", p, http.StatusUnprocessableEntity)
	wantBody(t, "required left out", p, wallet.Message(wallet.CodeInvalidChoice, "en"))
	e.ver.Mu.Lock()
	if len(e.ver.Posts) != posts {
		t.Fatal("something was sent for an invalid choice")
	}
	e.ver.Mu.Unlock()

	// Decline sends access_denied.
	p = b.post("/wallet/present/decline", url.Values{"id": {id}})
	wantStatus(t, "decline", p, http.StatusSeeOther)
	if r := e.lastResponse(); r["error"] != "access_denied" || r["state"] != "state-1" {
		t.Fatalf("decline sent %v", r)
	}

	// The history, newest first: declined, shared with birthdate, shared without.
	p = b.get("/wallet/history")
	wantStatus(t, "history", p, 200)
	entries := strings.Split(p.body, `class="history-entry"`)[1:]
	if len(entries) != 3 {
		t.Fatalf("%d history entries\n%s", len(entries), p.body)
	}
	famLabel, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"family_name"}, "en")
	typeLabel, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"degree", "type"}, "en")
	// All entries share the wallet's fixed clock, so their order is not asserted.
	count := map[string]int{}
	for i, en := range entries {
		if !strings.Contains(en, "Pilot Recruitment Desk JP") {
			t.Fatalf("entry %d without the verifier:\n%s", i, en)
		}
		switch {
		case strings.Contains(en, `<span class="history-outcome">declined</span>`) && strings.Contains(en, "Nothing was shared."):
			count["declined"]++
		case strings.Contains(en, `<span class="history-outcome">shared</span>`) &&
			strings.Contains(en, `<span class="claim" title="family_name">`+famLabel+`</span>, <span class="claim" title="degree › type">`+typeLabel+`</span>`):
			count["shared"]++
			if strings.Contains(en, "birthdate") {
				count["birthdate"]++
			}
		default:
			t.Fatalf("entry %d:\n%s", i, en)
		}
	}
	if count["declined"] != 1 || count["shared"] != 2 || count["birthdate"] != 1 {
		t.Fatalf("history %v", count)
	}
	p = b.get("/wallet/history?lang=ja")
	wantBody(t, "history ja", p, "お断り", "提示済み")
}

// claimRowsOf returns the claims path of every claim row of a page: the tooltip of a
// labelled row, the text of one without a label.
func claimRowsOf(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `<th scope="row" class="claim-name"`)[1:] {
		s := part[:strings.Index(part, "</th>")]
		if rest, ok := strings.CutPrefix(s, ` title="`); ok {
			s = rest[:strings.Index(rest, `"`)]
		} else {
			s = strings.TrimPrefix(s, ">")
		}
		out = append(out, strings.ReplaceAll(s, "&gt;", ">"))
	}
	return out
}

func TestSameDeviceRequestAfterSignIn(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.signUp("mobile")
	b.receive("")
	b.post("/wallet/sign-out", nil)
	u, _ := url.Parse(e.ver.Link(""))
	p := b.get("/wallet/present?" + u.RawQuery)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/wallet/sign-in?next=") {
		t.Fatalf("not sent to sign in: %d %s", p.status, p.location())
	}
	next, _ := url.Parse(p.location())
	p = b.post("/wallet/sign-in", url.Values{"username": {"mobile"}, "password": {"correct horse battery"}, "next": {next.Query().Get("next")}})
	if p.status != http.StatusSeeOther || p.location() != "/wallet/present?"+u.RawQuery {
		t.Fatalf("not sent back: %d %s", p.status, p.location())
	}
	p = b.get(p.location())
	wantStatus(t, "consent", p, 200)
	wantBody(t, "consent", p, "Pilot Recruitment Desk JP", `id="share"`)
	// An unsatisfiable request (no such credential) can only be declined.
	e.ver.Query = map[string]any{"credentials": []any{map[string]any{"id": "x", "format": "dc+sd-jwt", "meta": map[string]any{"vct_values": []string{"urn:other"}}}}}
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "unsatisfiable", p, 200)
	wantBody(t, "unsatisfiable", p, `id="unsatisfiable"`, `id="decline"`)
	if strings.Contains(p.body, `id="share"`) {
		t.Fatal("share offered for an unsatisfiable request")
	}
	// A tampered request object is refused with the wallet's message.
	e.ver.Tamper = true
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "tampered", p, http.StatusUnprocessableEntity)
	wantBody(t, "tampered", p, wallet.Message(wallet.CodeInvalidRequestObject, "en"))
}

func TestOwnerIsolation(t *testing.T) {
	e := newEnv(t)
	a, b := e.browser("en"), e.browser("en")
	a.signUp("alice")
	b.signUp("bobby")
	wantStatus(t, "alice receives", a.receive(""), 200)
	cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "alice"))
	if len(cs) != 1 {
		t.Fatalf("alice has %d", len(cs))
	}
	p := b.get("/wallet/credentials")
	wantBody(t, "bob's list", p, `id="no-credentials"`)
	if strings.Contains(p.body, cs[0].ID) {
		t.Fatal("alice's credential in bob's list")
	}
	wantStatus(t, "bob opens alice's card", b.get("/wallet/credentials/"+cs[0].ID), http.StatusNotFound)
	wantStatus(t, "bob deletes alice's card", b.post("/wallet/credentials/"+cs[0].ID+"/delete", url.Values{"confirm": {"yes"}}), http.StatusNotFound)

	// Alice's held offer and request are not Bob's.
	p = a.post("/wallet/receive", url.Values{"link": {e.iss.OfferLink()}})
	wantStatus(t, "bob uses alice's offer", b.post("/wallet/receive/accept", url.Values{"id": {hidden(t, p)}}), http.StatusGone)
	p = a.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	id := hidden(t, p)
	wantStatus(t, "bob shares alice's request", b.post("/wallet/present/share", url.Values{"id": {id}, "cred.diploma": {cs[0].ID}}), http.StatusGone)
	// Bob has nothing to answer with.
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantBody(t, "bob's consent", p, `id="unsatisfiable"`)
	wantBody(t, "bob's history", b.get("/wallet/history"), `id="no-history"`)
}

func TestDeleteAccount(t *testing.T) {
	e := newEnv(t)
	b := e.browser("ja")
	b.signUp("leaving")
	owner := ownerOf(t, e, "leaving")
	b.receive("")
	p := b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	cs, _ := e.store.Credentials(t.Context(), owner)
	wantStatus(t, "share", b.post("/wallet/present/share", url.Values{"id": {hidden(t, p)}, "cred.diploma": {cs[0].ID}}), http.StatusSeeOther)
	e.iss.Deferred = true
	b.receive("")
	if ps, _ := e.store.PendingIssuances(t.Context(), owner); len(ps) != 1 {
		t.Fatalf("pending %d", len(ps))
	}
	session := b.cookie(wallethttp.SessionCookie)

	// Without the confirmation and with a wrong password nothing happens.
	p = b.post("/wallet/account/delete", url.Values{"password": {"wrong password!"}})
	wantStatus(t, "unconfirmed", p, http.StatusUnprocessableEntity)
	wantBody(t, "unconfirmed", p, "パスワードが正しくありません。", "確認は必須です")
	p = b.post("/wallet/account/delete", url.Values{"confirm": {"yes"}, "password": {"correct horse battery"}})
	if p.status != http.StatusSeeOther || p.location() != "/wallet/sign-in?deleted=1" {
		t.Fatalf("delete: %d %s", p.status, p.location())
	}
	ctx := t.Context()
	if _, err := e.store.AccountByUsername(ctx, "leaving"); !errors.Is(err, storeerr.ErrNotFound) {
		t.Fatalf("account: %v", err)
	}
	if _, err := e.store.Session(ctx, session, e.clock.Now()); !errors.Is(err, storeerr.ErrNotFound) {
		t.Fatalf("session: %v", err)
	}
	cs, _ = e.store.Credentials(ctx, owner)
	ps, _ := e.store.PendingIssuances(ctx, owner)
	hs, _ := e.store.Presentations(ctx, owner)
	if len(cs)+len(ps)+len(hs) != 0 {
		t.Fatalf("left: %d credentials, %d pending, %d history", len(cs), len(ps), len(hs))
	}
	wantBody(t, "after", b.get("/wallet/sign-in?deleted=1"), "アカウントとその中身をすべて削除しました。")
	wantStatus(t, "signed out", b.get("/wallet/credentials"), http.StatusSeeOther)
}

func TestRejectAndRefusedResponse(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.signUp("rejecter")
	b.receive("")
	// An authenticated request with transaction_data: the student may tell the verifier.
	e.ver.Mutate = func(p map[string]any) { p["transaction_data"] = []string{"eyJ0eXBlIjoieCJ9"} }
	p := b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "unservable", p, http.StatusUnprocessableEntity)
	wantBody(t, "unservable", p, wallet.Message(wallet.CodeUnsupportedTransactionData, "en"), `id="reject"`, "Pilot Recruitment Desk JP")
	p = b.post("/wallet/present/reject", url.Values{"id": {hidden(t, p)}})
	wantStatus(t, "reject", p, http.StatusSeeOther)
	if r := e.lastResponse(); r["error"] != "invalid_transaction_data" || r["state"] != "state-1" {
		t.Fatalf("reject sent %v", r)
	}
	// An unauthenticated problem (tampered signature) offers no answer.
	e.ver.Mutate, e.ver.Tamper = nil, true
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	if strings.Contains(p.body, `id="reject"`) {
		t.Fatal("reject offered for an unauthenticated request")
	}
	// The verifier refuses the response: the outcome says so and the history records it.
	e.ver.Tamper, e.ver.ReplyStatus = false, 400
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "rejecter"))
	p = b.post("/wallet/present/share", url.Values{"id": {hidden(t, p)}, "cred.diploma": {cs[0].ID}})
	wantStatus(t, "refused", p, http.StatusBadGateway)
	wantBody(t, "refused", p, "<h1 id=\"title\">Not accepted</h1>", "did not accept the answer")
	// A decline the verifier refuses is still a decline: nothing was shared.
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	p = b.post("/wallet/present/decline", url.Values{"id": {hidden(t, p)}})
	wantStatus(t, "refused decline", p, http.StatusBadGateway)
	wantBody(t, "refused decline", p, "<h1 id=\"title\">Declined</h1>", "You declined: nothing was shared. Pilot Recruitment Desk JP could not be told.")
	wantBody(t, "history", b.get("/wallet/history"), "refused by the requester", "invalid_request", "this wallet could not answer",
		`<span class="history-outcome">declined</span> <span class="muted">(not delivered: invalid_request)</span>`)
}

func TestNewOptions(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		opts []wallethttp.Option
		ok   bool
	}{
		{"ok/root", []wallethttp.Option{wallethttp.WithBasePath("/")}, true},
		{"ok/nested", []wallethttp.Option{wallethttp.WithBasePath("/students/wallet")}, true},
		{"fail/relative base", []wallethttp.Option{wallethttp.WithBasePath("wallet")}, false},
		{"fail/trailing slash", []wallethttp.Option{wallethttp.WithBasePath("/wallet/")}, false},
		{"fail/nil clock", []wallethttp.Option{wallethttp.WithClock(nil)}, false},
		{"fail/nil client key", []wallethttp.Option{wallethttp.WithClientKey(nil)}, false},
		{"fail/nil logger", []wallethttp.Option{wallethttp.WithLogger(nil)}, false},
		{"fail/nil hasher", []wallethttp.Option{wallethttp.WithPasswordHasherInsecure(nil)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wallethttp.New(e.wallet, e.store, tt.opts...)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := wallethttp.New(nil, e.store); err == nil {
		t.Fatal("nil wallet accepted")
	}
	if _, err := wallethttp.New(e.wallet, nil); err == nil {
		t.Fatal("nil accounts accepted")
	}
}

func TestReceiveFromUnlistedIssuer(t *testing.T) {
	e := newEnvTrust(t, false)
	b := e.browser("ja")
	b.signUp("careful")
	p := b.receive("")
	wantStatus(t, "received", p, 200)
	warn := wallet.TrustSummary{Checked: true}.Message("ja")
	wantBody(t, "warning", p, `<dd class="card-trust warning">`+warn+`</dd>`)
	wantBody(t, "list", b.get("/wallet/credentials?lang=en"), wallet.TrustSummary{Checked: true}.Message("en"))
}

var switchLink = regexp.MustCompile(`<a href="([^"]+)" lang="(en|ja)"`)

// switchTo returns the href of a page's language switch link to lang.
func switchTo(t *testing.T, p page, lang string) string {
	t.Helper()
	for _, m := range switchLink.FindAllStringSubmatch(p.body, -1) {
		if m[2] == lang {
			return strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	t.Fatalf("no switch link to %s\n%s", lang, p.body)
	return ""
}

// TestPostOnlyRoutesRedirect: the language switch of a page rendered in answer to a post
// links to the post's URL; a GET there goes on (303) to the page the post belongs to,
// keeping lang, and that page answers in that language.
func TestPostOnlyRoutesRedirect(t *testing.T) {
	e := newEnv(t)
	e.iss.TxCode = "4711"
	e.ver.NoRedirect = true
	b := e.browser("ja")
	b.signUp("switcher")

	// The pages the walkthrough found: a wrong PIN, the received cards, the shared outcome.
	p := b.post("/wallet/receive", url.Values{"link": {e.iss.OfferLink()}})
	id := hidden(t, p)
	p = b.post("/wallet/receive/accept", url.Values{"id": {id}, "tx_code": {"0000"}})
	wantStatus(t, "wrong PIN", p, http.StatusUnprocessableEntity)
	if got := switchTo(t, p, "en"); got != "/wallet/receive/accept?lang=en" {
		t.Fatalf("switch link %q", got)
	}
	p = b.post("/wallet/receive/accept", url.Values{"id": {id}, "tx_code": {"4711"}})
	wantStatus(t, "received", p, http.StatusOK)
	sw := b.get(switchTo(t, p, "en"))
	if sw.status != http.StatusSeeOther || sw.location() != "/wallet/credentials?lang=en" {
		t.Fatalf("switch on the received page: %d %q", sw.status, sw.location())
	}
	p = b.get(sw.location())
	wantStatus(t, "credentials in English", p, http.StatusOK)
	wantBody(t, "credentials in English", p, `<html lang="en">`, "My credentials")
	if b.cookie(webui.LangCookie) != "en" {
		t.Fatalf("language cookie %q", b.cookie(webui.LangCookie))
	}
	cs, _ := e.store.Credentials(t.Context(), ownerOf(t, e, "switcher"))
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	p = b.post("/wallet/present/share", url.Values{"id": {hidden(t, p)}, "cred.diploma": {cs[0].ID}})
	wantStatus(t, "shared", p, http.StatusOK)
	if got := switchTo(t, p, "ja"); got != "/wallet/present/share?lang=ja" {
		t.Fatalf("switch link %q", got)
	}

	// Every POST-only route, in Japanese.
	tests := []struct{ path, to string }{
		{"/wallet/sign-out", "/wallet/credentials"},
		{"/wallet/account/delete", "/wallet/account"},
		{"/wallet/credentials/" + cs[0].ID + "/delete", "/wallet/credentials/" + cs[0].ID},
		{"/wallet/pending/some-id/poll", "/wallet/credentials"},
		{"/wallet/receive/accept", "/wallet/credentials"},
		{"/wallet/receive/scan", "/wallet/receive"},
		{"/wallet/present/share", "/wallet/history"},
		{"/wallet/present/decline", "/wallet/history"},
		{"/wallet/present/reject", "/wallet/history"},
		{"/wallet/present/scan", "/wallet/present"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/wallet/"), func(t *testing.T) {
			p := b.get(tt.path + "?lang=ja")
			if p.status != http.StatusSeeOther || p.location() != tt.to+"?lang=ja" {
				t.Fatalf("GET %s?lang=ja: %d %q, want 303 %q", tt.path, p.status, p.location(), tt.to+"?lang=ja")
			}
			p = b.get(p.location())
			wantStatus(t, tt.to, p, http.StatusOK)
			wantBody(t, tt.to, p, `<html lang="ja">`)
			if p.header.Get("Content-Language") != "ja" {
				t.Fatalf("Content-Language %q", p.header.Get("Content-Language"))
			}
			// Without lang, or with one not served, no query is carried.
			for _, q := range []string{"", "?lang=fr", "?lang=ja%26x%3Dy"} {
				if p := b.get(tt.path + q); p.status != http.StatusSeeOther || p.location() != tt.to {
					t.Fatalf("GET %s%s: %d %q, want %q", tt.path, q, p.status, p.location(), tt.to)
				}
			}
		})
	}
	// The post routes still do what they did: the GET did not sign out.
	wantStatus(t, "still signed in", b.get("/wallet/credentials"), http.StatusOK)

	// Signed out, the GET goes to the sign-in page first, and back after it.
	b.post("/wallet/sign-out", nil)
	p = b.get("/wallet/receive/accept?lang=en")
	if p.status != http.StatusSeeOther || p.location() != "/wallet/sign-in?next="+url.QueryEscape("/wallet/receive/accept?lang=en") {
		t.Fatalf("signed out: %d %q", p.status, p.location())
	}
}

// TestCardsTellApart: diplomas of one type from one university show their degree title
// (in the page's language when the credential has it) and the holder's name, on the list,
// the details and the consent page; the status says what the wallet knows.
func TestCardsTellApart(t *testing.T) {
	e := newEnv(t)
	b := e.browser("ja")
	b.signUp("three")
	wantStatus(t, "receive", b.receive(""), http.StatusOK)
	owner := ownerOf(t, e, "three")
	natives := []any{map[string]any{"lang": "ja", "family_name": "山田", "given_name": "花子"}}
	bachelor := e.addDiploma(t, owner, "", map[string]any{"native_names": natives, "degree": map[string]any{"type": "bachelor", "award_date": "2024-03-20",
		"title": diplomaTitle("ja", "学士（工学）", map[string]any{"en": "Bachelor of Engineering"})}})
	master := e.addDiploma(t, owner, "", map[string]any{"native_names": natives, "degree": map[string]any{"type": "master", "award_date": "2026-03-20",
		"title": diplomaTitle("en", "Master of Science", nil)}})

	cardOf := func(p page, id string) string {
		t.Helper()
		i := strings.Index(p.body, `<article class="card" id="card-`+id+`">`)
		if i < 0 {
			t.Fatalf("no card %s\n%s", id, p.body)
		}
		c := p.body[i:]
		return c[:strings.Index(c, "</article>")]
	}
	p := b.get("/wallet/credentials")
	wantStatus(t, "list", p, http.StatusOK)
	for _, tc := range []struct{ id, want string }{
		{bachelor, `<h2 class="card-name">学位証明書 <span class="card-title">学士（工学）</span></h2>`},
		{bachelor, `<dt>氏名</dt><dd class="card-holder">山田 花子</dd>`},
		// No Japanese title: the original.
		{master, `<span class="card-title">Master of Science</span>`},
		{master, `<dd class="card-holder">山田 花子</dd>`},
	} {
		if c := cardOf(p, tc.id); !strings.Contains(c, tc.want) {
			t.Errorf("card %s lacks %q\n%s", tc.id, tc.want, c)
		}
	}
	// The details link names the degree, so the three links differ for screen readers.
	wantBody(t, "details label", p, `aria-label="桜ヶ丘大学の学士（工学）のすべての内容を表示"`)

	p = b.get("/wallet/credentials?lang=en")
	if c := cardOf(p, bachelor); !strings.Contains(c, `<span class="card-title">Bachelor of Engineering</span>`) ||
		!strings.Contains(c, `<dt>Issued to</dt><dd class="card-holder">Hanako Yamada</dd>`) {
		t.Errorf("English card:\n%s", c)
	}
	wantBody(t, "details", b.get("/wallet/credentials/"+master+"?lang=en"), `<span class="card-title">Master of Science</span>`)

	// Without a status list the status is the expiry; a status list that cannot be read
	// (here: none at that URI) leaves the revocation unchecked, and says so.
	cs, _ := e.store.Credentials(t.Context(), owner)
	if p := b.get("/wallet/credentials/" + cs[0].ID + "?lang=ja"); strings.Contains(p.body, `id="status-note"`) || !strings.Contains(p.body, `<dd class="card-status">有効期限内</dd>`) {
		t.Fatalf("a credential without a status list:\n%s", p.body)
	}
	c := cs[0]
	c.ID, c.Status = "revocable", &wallet.StatusReference{URI: e.iss.ID + "/status/1", Index: 7}
	if err := e.store.SaveCredentials(t.Context(), owner, []wallet.Credential{c}, ""); err != nil {
		t.Fatal(err)
	}
	wantBody(t, "revocable", b.get("/wallet/credentials/revocable?lang=ja"), `id="status-note"`, "失効しているかどうかを確認できません",
		`<dd class="card-status">有効期限内（失効の確認はできませんでした）</dd>`)

	// The consent page tells the candidates apart too.
	p = b.post("/wallet/present", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "consent", p, http.StatusOK)
	wantBody(t, "consent", p, `<span class="candidate-subject">学士（工学） · 山田 花子</span>`, `<span class="candidate-subject">Hanako Yamada</span>`)
}

// TestCardStatus: the cards and the details say what the university's status list says:
// valid, then revoked (with a note on the details page), in both languages.
func TestCardStatus(t *testing.T) {
	e := newEnv(t)
	e.iss.WithStatus = true
	b := e.browser("en")
	b.signUp("status")
	wantStatus(t, "receive", b.receive(""), http.StatusOK)
	cs, err := e.store.Credentials(t.Context(), ownerOf(t, e, "status"))
	if err != nil || len(cs) != 1 || cs[0].Status == nil {
		t.Fatalf("received %+v, %v", cs, err)
	}
	id := cs[0].ID
	wantBody(t, "valid", b.get("/wallet/credentials"), `<dd class="card-status">Valid (checked with the university&#39;s status list)</dd>`)
	e.iss.Mu.Lock()
	e.iss.StatusValue = statuslist.Invalid
	e.iss.Mu.Unlock()
	// The wallet reuses a token for its ttl (60 s): a wallet whose clock is later reads anew.
	e.clock.Add(2 * time.Minute)
	wantBody(t, "revoked list", b.get("/wallet/credentials?lang=ja"), `<dd class="card-status card-status-bad">大学により失効</dd>`)
	p := b.get("/wallet/credentials/" + id + "?lang=en")
	wantBody(t, "revoked details", p, `id="status-note"`, "Your university has revoked this credential", `<dd class="card-status card-status-bad">Revoked by the university</dd>`)
	// The consent page warns before the student shares it.
	p = b.post("/wallet/present?lang=ja", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "consent", p, http.StatusOK)
	wantBody(t, "consent", p, `id="withdrawn-`, "大学がこの証明書を失効させました。依頼者は受け付けません。")

	// With another diploma next to the revoked one (it names no status list), that one is
	// proposed.
	o := ownerOf(t, e, "status")
	valid := e.addDiploma(t, o, "", nil)
	vc, err := e.store.Credential(t.Context(), o, valid)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteCredential(t.Context(), o, valid); err != nil {
		t.Fatal(err)
	}
	vc.Status = nil
	if err := e.store.SaveCredentials(t.Context(), o, []wallet.Credential{*vc}, ""); err != nil {
		t.Fatal(err)
	}
	p = b.post("/wallet/present?lang=en", url.Values{"link": {e.ver.Link("")}})
	wantStatus(t, "consent with two", p, http.StatusOK)
	if !regexp.MustCompile(`value="`+regexp.QuoteMeta(valid)+`" checked`).MatchString(p.body) ||
		regexp.MustCompile(`value="`+regexp.QuoteMeta(id)+`" checked`).MatchString(p.body) {
		t.Fatalf("the revoked diploma is proposed over the valid one:\n%s", p.body)
	}
}
