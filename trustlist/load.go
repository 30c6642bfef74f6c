package trustlist

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// loadParallelism bounds the lists fetched and verified at once.
const loadParallelism = 4

// LOTLConfig configures a list of the lists (the EU LOTL) and the national lists it points to.
// Decode it from configuration and call Validate.
type LOTLConfig struct {
	// URL is where the LOTL is published (https or http). Configuration, never a constant:
	// the EU LOTL moved with OJ C/2026/1944.
	URL string
	// Signers are the certificates the LOTL (or, with Pivots, the oldest pivot walked) must be
	// signed by: the set published in the Official Journal. Required.
	Signers []*x509.Certificate
	// Territories selects the national lists to load by SchemeTerritory (e.g. "NL", "SE"). Nil
	// loads the XML list of every territory the LOTL points to, except the LOTL's own
	// territory (its self-pointer).
	Territories []string
	// Pivots walks the pivot LOTLs the LOTL lists in its SchemeInformationURI (newest first),
	// oldest first: the first is verified with Signers, each next one with the certificates
	// the previous one announces in its EU self-pointer, and the LOTL itself with the set the
	// newest pivot announces. A pivot that fails keeps the previous set. Default: off (the LOTL
	// is verified with Signers directly).
	Pivots bool
	// Announcement is the URL of the Official Journal notice that published Signers (e.g.
	// "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=uriserv:OJ.C_.2019.276.01.0001.01.ENG").
	// With Pivots, only the SchemeInformationURI entries listed before it are pivots. Empty
	// means every entry ending in ".xml" is a pivot.
	Announcement string
	// Label names the LOTL in trust paths. Default: "EU LOTL".
	Label string
}

// Validate checks the configuration: an absolute http(s) URL, at least one signer, and
// two-letter territories.
func (c LOTLConfig) Validate() error {
	if err := checkURL(c.URL); err != nil {
		return prefixed(err, "LOTL")
	}
	if len(c.Signers) == 0 || slices.Contains(c.Signers, nil) {
		return errorf(CodeInvalidArgument, nil, "LOTL %s: the Official Journal signer certificates are required", c.URL)
	}
	for _, t := range c.Territories {
		if len(t) != 2 {
			return errorf(CodeInvalidArgument, nil, "LOTL %s: territory %q is not a two-letter code", c.URL, t)
		}
	}
	if c.Announcement != "" && !c.Pivots {
		return errorf(CodeInvalidArgument, nil, "LOTL %s: an announcement URL needs Pivots", c.URL)
	}
	return nil
}

// ListConfig configures a list loaded directly with pinned signers: the Japanese pilot LoTE
// (FormatLoTE, a compact JWS) or a standalone TS 119 612 XML list (FormatXML).
type ListConfig struct {
	// Label names the list in trust paths, e.g. "JP pilot LoTE". Required.
	Label string
	// URL is where the list is published (https or http).
	URL string
	// Format is FormatXML or FormatLoTE.
	Format Format
	// Signers are the pinned signer certificates. Required.
	Signers []*x509.Certificate
	// Territory, if set, must equal the list's SchemeTerritory.
	Territory string
}

// Validate checks the configuration: a label, an absolute http(s) URL, a known format and
// at least one signer.
func (c ListConfig) Validate() error {
	if c.Label == "" {
		return errorf(CodeInvalidArgument, nil, "list %s: a label is required", c.URL)
	}
	if err := checkURL(c.URL); err != nil {
		return prefixed(err, c.Label)
	}
	if c.Format != FormatXML && c.Format != FormatLoTE {
		return errorf(CodeInvalidArgument, nil, "%s: format %q (want %q or %q)", c.Label, c.Format, FormatXML, FormatLoTE)
	}
	if len(c.Signers) == 0 || slices.Contains(c.Signers, nil) {
		return errorf(CodeInvalidArgument, nil, "%s: pinned signer certificates are required", c.Label)
	}
	if c.Territory != "" && !IsTerritoryCode(c.Territory) {
		return errorf(CodeInvalidArgument, nil, "%s: territory %q is not two upper-case letters", c.Label, c.Territory)
	}
	return nil
}

// IsTerritoryCode reports whether s has the form of a trusted list's SchemeTerritory: two
// upper-case ASCII letters (ISO 3166-1 alpha-2, with the EU's EL and UK, and EU itself).
func IsTerritoryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errorf(CodeInvalidArgument, err, "URL %q is not an absolute http(s) URL", s)
	}
	return nil
}

// LoaderOption configures a Loader.
type LoaderOption func(*loaderConfig) error

type loaderConfig struct {
	lotl     *LOTLConfig
	lists    []ListConfig
	cacheDir string
	maxBody  int64
}

// WithLOTL loads a list of the lists and the national lists it points to. At most once.
func WithLOTL(c LOTLConfig) LoaderOption {
	return func(cfg *loaderConfig) error {
		if cfg.lotl != nil {
			return errorf(CodeInvalidArgument, nil, "WithLOTL given twice")
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if c.Label == "" {
			c.Label = "EU LOTL"
		}
		c.Signers = slices.Clone(c.Signers)
		c.Territories = slices.Clone(c.Territories)
		cfg.lotl = &c
		return nil
	}
}

// WithList loads one list with pinned signers. May be given several times.
func WithList(c ListConfig) LoaderOption {
	return func(cfg *loaderConfig) error {
		if err := c.Validate(); err != nil {
			return err
		}
		c.Signers = slices.Clone(c.Signers)
		cfg.lists = append(cfg.lists, c)
		return nil
	}
}

// WithCacheDir keeps the last good bytes of every list in dir (created with mode 0700 when
// first written), so that a service can start from them when the network is down. Cached
// bytes are verified again, with the same rules, before they are used. Default: no disk
// cache (the last good lists are still kept in memory).
func WithCacheDir(dir string) LoaderOption {
	return func(cfg *loaderConfig) error {
		if dir == "" {
			return errorf(CodeInvalidArgument, nil, "empty cache directory")
		}
		cfg.cacheDir = dir
		return nil
	}
}

// WithMaxBodySize lowers the largest response body accepted for a list. Default and
// maximum: MaxXMLSize for XML lists, MaxLoTEJWSSize for LoTEs.
func WithMaxBodySize(n int64) LoaderOption {
	return func(cfg *loaderConfig) error {
		if n <= 0 {
			return errorf(CodeInvalidArgument, nil, "max body size %d", n)
		}
		cfg.maxBody = n
		return nil
	}
}

// Origin says where the bytes of a loaded list came from.
type Origin string

// The origins of a ListState.
const (
	// OriginNetwork: fetched now with a 200 response.
	OriginNetwork Origin = "network"
	// OriginNotModified: the server answered 304 to a conditional request; the last good
	// bytes were verified again.
	OriginNotModified Origin = "not-modified"
	// OriginLastGood: the fetch or its verification failed; the last good bytes this Loader
	// held in memory were verified again and used.
	OriginLastGood Origin = "last-good"
	// OriginCache: the fetch or its verification failed; the bytes in the disk cache were
	// verified again and used.
	OriginCache Origin = "cache"
)

// Role says what part a list plays in a Snapshot.
type Role string

// The roles of a ListState.
const (
	RoleLOTL    Role = "lotl"     // the configured list of the lists
	RolePivot   Role = "pivot"    // a pivot LOTL walked to reach the current signer set
	RolePointed Role = "national" // a list the LOTL points to
	RoleDirect  Role = "direct"   // a list configured with pinned signers
)

// ListState is the outcome of loading one list.
type ListState struct {
	Label     string
	URL       string
	Role      Role
	Format    Format
	Territory string // the pointer's or configured territory; the list's own once verified
	// List is the verified list, nil when the list contributes no trust. Pivots are never
	// added to the Snapshot's Set.
	List *List
	// Origin is where the verified bytes came from; empty when List is nil.
	Origin Origin
	// SequenceNumber, IssueDate and NextUpdate are the verified list's.
	SequenceNumber uint64
	IssueDate      time.Time
	NextUpdate     time.Time
	// Stale reports a verified list already at or past its NextUpdate (or closed) at the load
	// time. It is only a flag: Set.Lookup judges freshness per query.
	Stale bool
	// Err is why the list could not be refreshed: when List is nil, why it contributes no
	// trust; when List is set with Origin OriginLastGood or OriginCache, why the fetched copy
	// was not used. Nil after a clean fetch. It is an *Error; see Code.
	Err error
	// CacheErr reports a failure to write the disk cache (the list is still used).
	CacheErr error
}

// Code returns the Code of Err, or "".
func (s ListState) Code() Code { return CodeOf(s.Err) }

// Snapshot is the result of one Loader.Load: a Set of the verified lists and the state of
// every list. It is immutable and implements Source.
type Snapshot struct {
	// Set holds the verified lists (not the pivots), labelled e.g. "EU LOTL → NL trusted list".
	Set *Set
	// Lists is the state of every list, in order: the pivots walked, the LOTL, its national
	// lists, then the direct lists.
	Lists []ListState
	// LoadedAt is the time passed to Load.
	LoadedAt time.Time
}

var _ Source = (*Snapshot)(nil)

// Lookup delegates to the Snapshot's Set (see Set.Lookup).
func (s *Snapshot) Lookup(chain []*x509.Certificate, issued, now time.Time, p Policy) Result {
	return s.Set.Lookup(chain, issued, now, p)
}

// Failed returns the states of the lists that contribute no trust or could not be refreshed.
func (s *Snapshot) Failed() []ListState {
	var out []ListState
	for _, st := range s.Lists {
		if st.Err != nil || st.List == nil {
			out = append(out, st)
		}
	}
	return out
}

// State returns the state of the list loaded from url, if any.
func (s *Snapshot) State(u string) (ListState, bool) {
	for _, st := range s.Lists {
		if st.URL == u {
			return st, true
		}
	}
	return ListState{}, false
}

// Loader fetches, verifies and caches trust lists through an injected HTTP client. It keeps
// the last good bytes of every list in memory (and on disk with WithCacheDir). A Loader is
// safe for concurrent use; Loads are serialized.
type Loader struct {
	client *http.Client
	cfg    loaderConfig
	disk   *diskCache

	loadMu sync.Mutex // serializes Load
	mu     sync.Mutex // guards mem
	mem    map[string]*memEntry
}

// memEntry is the last good copy of one list.
type memEntry struct {
	body []byte
	meta cacheMeta
}

// NewLoader returns a Loader that fetches through client (its Transport, timeouts and
// redirect policy are the caller's) the lists configured by WithLOTL and WithList; at
// least one is required.
func NewLoader(client *http.Client, opts ...LoaderOption) (*Loader, error) {
	if client == nil {
		return nil, errorf(CodeInvalidArgument, nil, "nil HTTP client")
	}
	l := &Loader{client: client, mem: map[string]*memEntry{}}
	for _, o := range opts {
		if o == nil {
			return nil, errorf(CodeInvalidArgument, nil, "nil option")
		}
		if err := o(&l.cfg); err != nil {
			return nil, err
		}
	}
	if l.cfg.lotl == nil && len(l.cfg.lists) == 0 {
		return nil, errorf(CodeInvalidArgument, nil, "no list configured (WithLOTL or WithList)")
	}
	seen := map[string]bool{}
	if l.cfg.lotl != nil {
		seen[l.cfg.lotl.URL] = true
	}
	for _, c := range l.cfg.lists {
		if seen[c.URL] {
			return nil, errorf(CodeInvalidArgument, nil, "list URL %s configured twice", c.URL)
		}
		seen[c.URL] = true
	}
	if l.cfg.cacheDir != "" {
		l.disk = &diskCache{dir: l.cfg.cacheDir}
	}
	return l, nil
}

// Load fetches and verifies every configured list at now and returns a Snapshot. Each list
// is fetched with a GET (conditional, with If-None-Match / If-Modified-Since, when a last
// good copy exists); a 304 reuses the last good bytes. Every copy used is verified at
// now, whether it comes from the network, memory or the disk cache:
//
//   - the LOTL against LOTLConfig.Signers, or with Pivots against the set the pivot walk
//     yields (pivots are verified at their own ListIssueDateTime, which must not be after
//     now, since their signers may have expired since), and its TSLType must be
//     EUlistofthelists;
//   - each national list only against the certificates the LOTL's pointer for its territory
//     announces (List.XMLPointersTo), and its SchemeTerritory must be the pointer's;
//   - each direct list against its pinned signers (VerifyXML or VerifyLoTE).
//
// A fetched list whose sequence number is lower than the last good copy's is refused
// (CodeRollback). When fetching or verifying fails (network error, status other than 200
// and 304, body over the limit, unauthentic list), the last good copy is verified again and
// used, first from memory, then from the disk cache; the state reports the failure. Only
// verified bytes fetched with a 200 are written to the cache. A list with no usable copy
// contributes nothing (fail closed). Load does not judge freshness (Set.Lookup does), but
// flags lists already past NextUpdate (ListState.Stale).
//
// Load returns an error only for a zero now or a cancelled ctx; list failures are in the
// Snapshot.
func (l *Loader) Load(ctx context.Context, now time.Time) (*Snapshot, error) {
	if now.IsZero() {
		return nil, errorf(CodeInvalidArgument, nil, "zero load time")
	}
	l.loadMu.Lock()
	defer l.loadMu.Unlock()
	run := &loadRun{l: l, ctx: ctx, now: now, raw: map[string]*rawFetch{}}
	var states []ListState
	if c := l.cfg.lotl; c != nil {
		states = append(states, run.loadLOTL(*c)...)
	}
	direct := make([]ListState, len(l.cfg.lists))
	run.parallel(len(l.cfg.lists), func(i int) { direct[i] = run.loadDirect(l.cfg.lists[i]) })
	states = append(states, direct...)
	if err := ctx.Err(); err != nil {
		return nil, errorf(CodeFetchFailed, err, "load cancelled")
	}
	var srcs []Labeled
	var lotl *Labeled
	for _, st := range states {
		if st.List == nil || st.Role == RolePivot {
			continue
		}
		src := Labeled{Label: st.Label, List: st.List}
		switch st.Role {
		case RoleLOTL:
			lotl = &Labeled{Label: st.Label, List: st.List}
		case RolePointed:
			src.Via = lotl
		case RolePivot, RoleDirect: // pivots were skipped; direct lists stand on their own
		}
		srcs = append(srcs, src)
	}
	set, err := NewSet(srcs...)
	if err != nil {
		return nil, err
	}
	return &Snapshot{Set: set, Lists: states, LoadedAt: now}, nil
}

// loadRun is the state of one Load.
type loadRun struct {
	l   *Loader
	ctx context.Context // scoped to one Load call
	now time.Time

	mu  sync.Mutex
	raw map[string]*rawFetch // network fetches of this run, by URL (pivots may repeat)
}

// rawFetch is the network outcome for one URL in one run.
type rawFetch struct {
	once        sync.Once
	body        []byte
	meta        cacheMeta
	notModified bool
	err         error
}

func (r *loadRun) parallel(n int, f func(i int)) {
	sem := make(chan struct{}, loadParallelism)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

func (r *loadRun) loadDirect(c ListConfig) ListState {
	st := ListState{Label: c.Label, URL: c.URL, Role: RoleDirect, Format: c.Format, Territory: c.Territory}
	verify := func(b []byte) (*List, error) {
		opts := VerifyOptions{Signers: c.Signers, At: r.now}
		var l *List
		var err error
		if c.Format == FormatLoTE {
			l, err = VerifyLoTE(b, opts)
		} else {
			l, err = VerifyXML(b, opts)
		}
		if err != nil {
			return nil, err
		}
		if c.Territory != "" && l.Territory != c.Territory {
			return nil, errorf(CodeListMismatch, nil, "SchemeTerritory %q, configured %q", l.Territory, c.Territory)
		}
		return l, nil
	}
	r.obtain(&st, r.maxBody(c.Format), true, verify)
	return st
}

func (r *loadRun) maxBody(f Format) int64 {
	limit := int64(MaxXMLSize)
	if f == FormatLoTE {
		limit = MaxLoTEJWSSize
	}
	if m := r.l.cfg.maxBody; m > 0 && m < limit {
		return m
	}
	return limit
}

func (r *loadRun) loadLOTL(c LOTLConfig) []ListState {
	st := ListState{Label: c.Label, URL: c.URL, Role: RoleLOTL, Format: FormatXML, Territory: "EU"}
	var pivotStates []ListState
	verify := func(b []byte) (*List, error) {
		signers := c.Signers
		if c.Pivots {
			var err error
			signers, pivotStates, err = r.walkPivots(c, b)
			if err != nil {
				return nil, err
			}
		}
		l, err := VerifyXML(b, VerifyOptions{Signers: signers, At: r.now})
		if err != nil {
			return nil, err
		}
		if l.Type != TSLTypeEUListOfLists {
			return nil, errorf(CodeListMismatch, nil, "TSLType %q is not a list of the lists", l.Type)
		}
		return l, nil
	}
	r.obtain(&st, r.maxBody(FormatXML), true, verify)
	out := append(pivotStates, st)
	if st.List == nil {
		return out
	}
	return append(out, r.loadPointed(c, st.List)...)
}

// loadPointed loads the national lists the verified LOTL points to.
func (r *loadRun) loadPointed(c LOTLConfig, lotl *List) []ListState {
	type job struct {
		st  ListState
		ptr *Pointer
	}
	var jobs []job
	seen := map[string]bool{}
	add := func(territory string) {
		ptrs := lotl.XMLPointersTo(territory)
		if len(ptrs) == 0 {
			jobs = append(jobs, job{st: ListState{Label: c.Label + " → " + territory + " trusted list", Role: RolePointed, Format: FormatXML, Territory: territory,
				Err: errorf(CodeListMismatch, nil, "the LOTL has no XML pointer for %s", territory)}})
		}
		for i := range ptrs {
			if seen[ptrs[i].Location] {
				continue
			}
			seen[ptrs[i].Location] = true
			jobs = append(jobs, job{st: ListState{Label: c.Label + " → " + territory + " trusted list", URL: ptrs[i].Location, Role: RolePointed, Format: FormatXML, Territory: territory}, ptr: &ptrs[i]})
		}
	}
	if c.Territories != nil {
		for _, t := range c.Territories {
			add(t)
		}
	} else {
		var terr []string
		for _, p := range lotl.Pointers {
			if p.MimeType == MimeTypeTSLXML && p.Territory != lotl.Territory && p.Territory != "" && !slices.Contains(terr, p.Territory) {
				terr = append(terr, p.Territory)
			}
		}
		for _, t := range terr {
			add(t)
		}
	}
	r.parallel(len(jobs), func(i int) {
		j := &jobs[i]
		if j.ptr == nil {
			return
		}
		if i >= MaxPointedLists {
			j.st.Err = errorf(CodeTooLarge, nil, "more than %d national lists", MaxPointedLists)
			return
		}
		if err := checkURL(j.ptr.Location); err != nil {
			j.st.Err = err
			return
		}
		ptr := j.ptr
		r.obtain(&j.st, r.maxBody(FormatXML), true, func(b []byte) (*List, error) {
			if len(ptr.Signers) == 0 {
				return nil, errorf(CodeUntrustedSigner, nil, "the LOTL pointer for %s announces no usable signer certificate", ptr.Territory)
			}
			l, err := VerifyXML(b, VerifyOptions{Signers: ptr.Signers, At: r.now})
			if err != nil {
				return nil, err
			}
			if l.Territory != ptr.Territory {
				return nil, errorf(CodeListMismatch, nil, "SchemeTerritory %q, the LOTL pointer says %q", l.Territory, ptr.Territory)
			}
			return l, nil
		})
	})
	out := make([]ListState, len(jobs))
	for i := range jobs {
		out[i] = jobs[i].st
	}
	return out
}
