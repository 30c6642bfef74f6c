package verifierhttp_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
)

// rowIDs are the request ids of a page's list of recent requests (its table id), in order.
func rowIDs(t *testing.T, body, table string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<table class="recent" id="` + table + `".*?</table>`).FindString(body)
	if m == "" {
		t.Fatalf("no table %s\n%s", table, body)
	}
	var ids []string
	for _, r := range regexp.MustCompile(`<tr role="row" class="recent-row" data-id="([^"]+)"`).FindAllStringSubmatch(m, -1) {
		ids = append(ids, r[1])
	}
	return ids
}

// row is the markup of request id's row in body.
func row(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr role="row" class="recent-row" data-id="` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row for %s\n%s", id, body)
	}
	return m
}

// href returns the unescaped href of the element with this id.
func href(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`href="([^"]*)" id="` + id + `"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link #%s\n%s", id, body)
	}
	return html.UnescapeString(m[1])
}

// TestPagesRecent: the desk's list of its requests (and the newest under the new-request
// form) shows each request's time in the page's language, its status in words — waiting,
// accepted, rejected with the reason, declined, expired — and what it asked for, newest
// first, in English and Japanese, and links each to its page; signed out it sends the
// officer to sign in.
func TestPagesRecent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, verifierhttp.WithPageKey(pageKey))
	anon := e.browser("en")
	for _, path := range []string{desk + "/recent", desk + "/recent?before=1.x"} {
		if p := anon.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != desk+"/sign-in" {
			t.Fatalf("signed out %s: %d %q", path, p.status, p.header.Get("Location"))
		}
	}
	b := e.browser("en")
	b.signIn()
	b.get(desk+"/recent").want(t, http.StatusOK, `<h1 id="title">Recent requests</h1>`, `id="recent-empty"`, "No requests yet.",
		`id="nav-recent" aria-current="page"`)
	b.get(desk+"/").want(t, http.StatusOK, `<h2 id="recent-heading">Recent requests</h2>`, `id="recent-empty"`)

	create := func(form url.Values) string {
		t.Helper()
		p := b.post(desk+"/requests", form)
		id, ok := strings.CutPrefix(p.header.Get("Location"), desk+"/requests/")
		if p.status != http.StatusSeeOther || !ok {
			t.Fatalf("create: %d %q", p.status, p.header.Get("Location"))
		}
		e.clock.Add(time.Second)
		return id
	}
	// Made 11 minutes ago and never answered.
	e.clock.Add(-11 * time.Minute)
	expired := create(url.Values{"what": {"diploma"}, "response_mode": {"direct_post"}})
	e.clock.Add(11 * time.Minute)
	accepted := create(url.Values{"what": {"diploma"}, "response_mode": {"direct_post.jwt"}})
	rejected := create(url.Values{"what": {"claims"}, "claim": {"title"}, "response_mode": {"direct_post"}})
	declined := create(url.Values{"what": {"diploma"}, "response_mode": {"direct_post"}})
	pending := create(url.Values{"what": {"learning"}, "response_mode": {"direct_post.jwt"}})

	w := newTestWallet(e, getPilot().issueEU(statusIdx))
	for _, id := range []string{accepted, rejected} {
		if _, res := w.answer(t, e.report(id).Request); res.status != http.StatusOK {
			t.Fatalf("wallet: %d %s", res.status, res.body)
		}
	}
	r := must1(w.fetch(e.report(declined).Request))
	if res := w.post(r, url.Values{"error": {"access_denied"}, "state": {r.State}}); res.status != http.StatusOK {
		t.Fatalf("decline: %d %s", res.status, res.body)
	}
	for id, want := range map[string]verifier.RequestStatus{expired: verifier.StatusExpired, accepted: verifier.StatusVerified,
		rejected: verifier.StatusRejected, declined: verifier.StatusDeclined, pending: verifier.StatusPending} {
		if got := e.report(id).Status; got != want {
			t.Fatalf("request %s is %s; want %s", id, got, want)
		}
	}
	newest := []string{pending, declined, rejected, accepted, expired}

	en := b.get(desk + "/recent")
	en.want(t, http.StatusOK, `<html lang="en">`, `<table class="recent" id="recent" role="table" aria-labelledby="title">`, "Created", "Asked for")
	if got := rowIDs(t, en.body, "recent"); !slices.Equal(got, newest) {
		t.Fatalf("rows %v; want newest first %v", got, newest)
	}
	for id, texts := range map[string][]string{
		pending:  {`data-status="pending"`, `<span class="state state-wait">Waiting for the wallet</span>`, ">European learning credential<"},
		declined: {`<span class="state state-bad">Declined by the wallet</span>`, `<span class="path">access_denied</span>`, ">Diploma<"},
		rejected: {`<span class="state state-bad">Rejected</span>`, "This desk does not recognise qualifications at this level.",
			`Diploma <span class="hint">(selected claims only)</span>`},
		accepted: {`<span class="state state-ok">Accepted</span>`, ">Diploma<"},
		expired:  {`<span class="state state-bad">Expired</span>`, `<time datetime="2026-12-01T08:51:00Z">1 December 2026 08:51 UTC</time>`},
	} {
		rw := row(t, en.body, id)
		texts = append(texts, `<a href="`+desk+`/requests/`+id+`" class="recent-link"><time datetime=`)
		for _, s := range texts {
			if !strings.Contains(rw, s) {
				t.Errorf("row of %s lacks %q\n%s", id, s, rw)
			}
		}
	}
	// The links open the request's page: the report once answered, the QR code while waiting.
	b.get(desk+"/requests/"+accepted).want(t, http.StatusOK, `class="verdict verdict-accepted"`)
	b.get(desk+"/requests/"+pending).want(t, http.StatusOK, "<svg", `id="request-link"`)
	if strings.Contains(en.body, "Oostland") || strings.Contains(en.body, "Informatica") {
		t.Error("the list shows what the student shared")
	}

	ja := e.browser("ja")
	ja.signIn()
	jp := ja.get(desk + "/recent")
	jp.want(t, http.StatusOK, `<html lang="ja">`, `<h1 id="title">最近の要求</h1>`, "作成日時", "要求した内容", `id="nav-recent" aria-current="page">最近の要求</a>`)
	for id, texts := range map[string][]string{
		pending:  {">応答待ち<", ">欧州学習証明書<"},
		declined: {">ウォレットが拒否<"},
		rejected: {">不受理<", "この窓口はこの水準の資格を承認していません。", `学位証明書 <span class="hint">（選んだ項目のみ）</span>`},
		accepted: {">受理<", ">学位証明書<"},
		expired:  {">期限切れ<", ">2026年12月1日 08:51 UTC</time>"},
	} {
		rw := row(t, jp.body, id)
		for _, s := range texts {
			if !strings.Contains(rw, s) {
				t.Errorf("ja row of %s lacks %q\n%s", id, s, rw)
			}
		}
	}

	// The new-request page lists the newest under its form and links the list.
	home := b.get(desk + "/")
	home.want(t, http.StatusOK, `<table class="recent" id="recent-home" role="table" aria-labelledby="recent-heading">`, `href="`+desk+`/recent" id="recent-all">All requests</a>`,
		`id="nav-recent">Recent requests</a>`)
	if got := rowIDs(t, home.body, "recent-home"); !slices.Equal(got, newest[:min(len(newest), verifierhttp.RecentOnHome)]) {
		t.Fatalf("home rows %v", got)
	}
	ja.get(desk+"/").want(t, http.StatusOK, `<h2 id="recent-heading">最近の要求</h2>`, ">すべての要求を見る</a>")

	// A cursor the desk did not hand out is a bad request; one before every request shows
	// that there are none older.
	for _, before := range []string{"x", "12", "12.", ".abc", "-5.abc", "99999999999999999999.abc", "1.2.3" + strings.Repeat("a", 300)} {
		if p := b.get(desk + "/recent?before=" + url.QueryEscape(before)); p.status != http.StatusBadRequest {
			t.Errorf("before=%q: %d", before, p.status)
		}
	}
	old := b.get(desk + "/recent?before=1.x")
	old.want(t, http.StatusOK, "There are no older requests.", `href="`+desk+`/recent" id="recent-newest"`)
	if strings.Contains(old.body, `id="recent-older"`) {
		t.Error("older link after the last page")
	}
}

// TestPagesRecentPaging: more requests than a page holds page back by "older requests",
// without skipping or repeating one (several made in the same millisecond), and the language
// switch keeps the page.
func TestPagesRecentPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, verifierhttp.WithPageKey(pageKey))
	const n = verifierhttp.RecentPageSize + 3
	var want []string
	for i := range n {
		c, err := e.flow.CreateRequest(t.Context(), verifier.RequestInput{Profile: verifier.ProfileDiploma})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, c.ID)
		if i%4 == 3 {
			e.clock.Add(time.Millisecond)
		}
	}
	b := e.browser("en")
	b.signIn()
	var got []string
	p := b.get(desk + "/recent")
	pages := 0
	for {
		pages++
		p.want(t, http.StatusOK)
		got = append(got, rowIDs(t, p.body, "recent")...)
		if pages > 1 && !strings.Contains(p.body, `id="recent-newest"`) {
			t.Errorf("page %d has no way back to the newest", pages)
		}
		if !strings.Contains(p.body, `id="recent-older"`) {
			break
		}
		older := href(t, p.body, "recent-older")
		if !strings.HasPrefix(older, desk+"/recent?before=") {
			t.Fatalf("older link %q", older)
		}
		p = b.get(older)
		if pages == 1 {
			// The language switch of an older page keeps it.
			sw := html.UnescapeString(regexp.MustCompile(`<a href="([^"]*)" lang="ja"`).FindStringSubmatch(p.body)[1])
			if u := must1(url.Parse(sw)); u.Query().Get("before") == "" || u.Query().Get("lang") != "ja" {
				t.Errorf("language switch %q", sw)
			}
			b.get(sw).want(t, http.StatusOK, `<html lang="ja">`, `id="recent-newest">最新の要求に戻る<`)
		}
	}
	if pages != 2 || len(got) != n {
		t.Fatalf("%d pages, %d rows; want 2 pages, %d rows", pages, len(got), n)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatal("the pages skip or repeat requests")
	}
}

// TestAPIListRequests: GET /api/requests pages the desk's requests newest first, with the
// status the report gives and what each asked for, never a claim; limit and before are
// checked.
func TestAPIListRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	list := func(query string) verifierhttp.RequestList {
		t.Helper()
		r := e.api("GET", "/requests"+query, nil)
		if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("list%s: %d %v %s", query, r.status, r.header, r.body)
		}
		if strings.Contains(string(r.body), `"claims"`) || strings.Contains(string(r.body), `"result"`) || strings.Contains(string(r.body), `"request"`) {
			t.Fatalf("the list carries more than summaries: %s", r.body)
		}
		var l verifierhttp.RequestList
		r.json(t, &l)
		return l
	}
	if l := list(""); l.Requests == nil || len(l.Requests) != 0 || l.Next != "" {
		t.Fatalf("empty desk: %+v", l)
	}
	var ids []string
	for _, body := range []map[string]any{{"profile": "diploma"}, {"profile": "learning"}, {"profile": "diploma", "response_mode": "direct_post"}} {
		ids = append(ids, e.create(body).ID)
		e.clock.Add(time.Second)
	}
	w := newTestWallet(e, getPilot().issueEU(statusIdx))
	if _, res := w.answer(t, e.report(ids[0]).Request); res.status != http.StatusOK {
		t.Fatalf("wallet: %d %s", res.status, res.body)
	}
	all := list("")
	if len(all.Requests) != 3 || all.Next != "" {
		t.Fatalf("list: %+v", all)
	}
	for i, s := range all.Requests {
		id := ids[len(ids)-1-i]
		rep := e.report(id)
		if s.ID != id || s.Status != rep.Status || !s.CreatedAt.Equal(rep.CreatedAt) || s.Policy != "default" {
			t.Errorf("summary %d: %+v; report %+v", i, s, rep)
		}
	}
	if s := all.Requests[2]; s.Status != verifier.StatusVerified || s.Profile != verifier.ProfileDiploma || !slices.Equal(s.Types, []string{"urn:hashi:diploma:1"}) || s.CompletedAt.IsZero() {
		t.Errorf("answered: %+v", s)
	}
	if s := all.Requests[1]; s.Status != verifier.StatusPending || s.Profile != verifier.ProfileLearning {
		t.Errorf("learning: %+v", s)
	}

	first := list("?limit=2")
	if len(first.Requests) != 2 || first.Next == "" || first.Requests[0].ID != ids[2] {
		t.Fatalf("first page: %+v", first)
	}
	second := list("?limit=2&before=" + url.QueryEscape(first.Next))
	if len(second.Requests) != 1 || second.Next != "" || second.Requests[0].ID != ids[0] {
		t.Fatalf("second page: %+v", second)
	}
	if l := list("?limit=" + strconv.Itoa(10*verifierhttp.MaxRecentLimit)); len(l.Requests) != 3 {
		t.Fatalf("large limit: %d requests", len(l.Requests))
	}

	for _, q := range []string{"?limit=0", "?limit=-1", "?limit=x", "?limit=1.5", "?before=x", "?before=1", "?before=" + strings.Repeat("1", 30) + ".x"} {
		e.api("GET", "/requests"+q, nil).wantError(t, http.StatusBadRequest, verifierhttp.CodeInvalidInput)
	}

	// The OpenAPI document gives the limit's default and bound.
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name        string `json:"name"`
				Description string `json:"description"`
				Schema      struct {
					Default int `json:"default"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	e.do("GET", "/verifier/openapi.json", nil, nil).json(t, &doc)
	params := doc.Paths["/api/requests"]["get"].Parameters
	if len(params) != 2 || params[0].Name != "limit" || params[0].Schema.Default != verifierhttp.RecentPageSize ||
		!strings.Contains(params[0].Description, "above "+strconv.Itoa(verifierhttp.MaxRecentLimit)) || params[1].Name != "before" {
		t.Fatalf("listRequests parameters %+v", params)
	}
}
