package trustlist

import (
	"crypto/sha256"
	"io"
	"net/http"
	"slices"
	"strings"
)

// candidate is one copy of a list that may be used.
type candidate struct {
	body   []byte
	meta   cacheMeta
	origin Origin
}

// obtain fetches the list at st.URL, verifies the candidates (network or 304 copy, then the
// last good copy in memory, then the disk cache) with verify, and fills st with the first
// that verifies. With rollback, a fetched list may not have a lower sequence number than the
// last good one.
func (r *loadRun) obtain(st *ListState, maxBody int64, rollback bool, verify func([]byte) (*List, error)) {
	l := r.l
	u := st.URL
	l.mu.Lock()
	mem := l.mem[u]
	l.mu.Unlock()
	var disk *candidate
	diskRead := false
	readDisk := func() *candidate {
		if !diskRead && l.disk != nil {
			diskRead = true
			if b, m, ok := l.disk.read(u, maxBody); ok {
				disk = &candidate{body: b, meta: m, origin: OriginCache}
			}
		}
		return disk
	}
	prev := (*candidate)(nil)
	if mem != nil {
		prev = &candidate{body: mem.body, meta: mem.meta, origin: OriginLastGood}
	} else {
		prev = readDisk()
	}

	f := r.fetch(u, maxBody, prev)
	var netErr error
	var tried [][sha256.Size]byte
	var lastFallbackErr error
	try := func(c *candidate) bool {
		h := sha256.Sum256(c.body)
		if slices.Contains(tried, h) {
			return false
		}
		tried = append(tried, h)
		list, err := verify(c.body)
		if err == nil && rollback && (c.origin == OriginNetwork) {
			if last, ok := lastSequence(prev); ok && list.SequenceNumber < last {
				err = errorf(CodeRollback, nil, "sequence number %d is lower than the last good copy's %d", list.SequenceNumber, last)
			}
		}
		if err != nil {
			if c.origin == OriginNetwork || c.origin == OriginNotModified {
				netErr = err
			} else {
				lastFallbackErr = err
			}
			return false
		}
		r.accept(st, c, list)
		return true
	}
	switch {
	case f.err != nil:
		netErr = f.err
	case f.notModified:
		if try(&candidate{body: prev.body, meta: prev.meta, origin: OriginNotModified}) {
			return
		}
		// The copy the server says is current does not verify (a damaged cache): fetch it
		// again without validators.
		again := &rawFetch{}
		r.get(again, u, maxBody, nil)
		if again.err == nil && try(&candidate{body: again.body, meta: again.meta, origin: OriginNetwork}) {
			return
		}
	default:
		if try(&candidate{body: f.body, meta: f.meta, origin: OriginNetwork}) {
			return
		}
	}
	if mem != nil && try(&candidate{body: mem.body, meta: mem.meta, origin: OriginLastGood}) {
		st.Err = netErr
		return
	}
	if c := readDisk(); c != nil && try(c) {
		st.Err = netErr
		return
	}
	switch {
	case lastFallbackErr != nil && netErr != nil:
		st.Err = prefixed(lastFallbackErr, "last good copy (after "+strings.TrimPrefix(netErr.Error(), "trustlist: ")+")")
	case netErr != nil:
		st.Err = netErr
	default:
		st.Err = lastFallbackErr
	}
}

func lastSequence(prev *candidate) (uint64, bool) {
	if prev == nil {
		return 0, false
	}
	return prev.meta.Sequence, true
}

// accept records a verified copy in st, in memory, and (for a 200 response) on disk.
func (r *loadRun) accept(st *ListState, c *candidate, list *List) {
	st.List = list
	st.Origin = c.origin
	st.Territory = list.Territory
	st.SequenceNumber = list.SequenceNumber
	st.IssueDate = list.IssueDate
	st.NextUpdate = list.NextUpdate
	st.Stale = list.NextUpdate.IsZero() || !r.now.Before(list.NextUpdate)
	meta := c.meta
	meta.URL = st.URL
	meta.Sequence = list.SequenceNumber
	r.l.mu.Lock()
	r.l.mem[st.URL] = &memEntry{body: c.body, meta: meta}
	r.l.mu.Unlock()
	if c.origin == OriginNetwork && r.l.disk != nil {
		if err := r.l.disk.write(st.URL, c.body, meta); err != nil {
			st.CacheErr = err
		}
	}
}

// fetch GETs u once per run, conditionally when prev holds a last good copy.
func (r *loadRun) fetch(u string, maxBody int64, prev *candidate) *rawFetch {
	r.mu.Lock()
	f, ok := r.raw[u]
	if !ok {
		f = &rawFetch{}
		r.raw[u] = f
	}
	r.mu.Unlock()
	f.once.Do(func() { r.get(f, u, maxBody, prev) })
	if f.notModified && prev == nil {
		return &rawFetch{err: errorf(CodeFetchFailed, nil, "GET %s: 304 Not Modified without a cached copy", u)}
	}
	return f
}

func (r *loadRun) get(f *rawFetch, u string, maxBody int64, prev *candidate) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, u, nil)
	if err != nil {
		f.err = errorf(CodeFetchFailed, err, "GET %s", u)
		return
	}
	if prev != nil {
		if prev.meta.ETag != "" {
			req.Header.Set("If-None-Match", prev.meta.ETag)
		}
		if prev.meta.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.meta.LastModified)
		}
	}
	resp, err := r.l.client.Do(req)
	if err != nil {
		f.err = errorf(CodeFetchFailed, err, "GET %s", u)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	switch resp.StatusCode {
	case http.StatusNotModified:
		if prev == nil {
			f.err = errorf(CodeFetchFailed, nil, "GET %s: 304 Not Modified without a cached copy", u)
			return
		}
		f.notModified = true
		return
	case http.StatusOK:
	default:
		f.err = errorf(CodeFetchFailed, nil, "GET %s: HTTP status %d", u, resp.StatusCode)
		return
	}
	if resp.ContentLength > maxBody {
		f.err = errorf(CodeTooLarge, nil, "GET %s: Content-Length %d, limit %d", u, resp.ContentLength, maxBody)
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		f.err = errorf(CodeFetchFailed, err, "GET %s: reading the body", u)
		return
	}
	if int64(len(body)) > maxBody {
		f.err = errorf(CodeTooLarge, nil, "GET %s: body over %d bytes", u, maxBody)
		return
	}
	f.body = body
	f.meta = cacheMeta{
		URL:          u,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FetchedAt:    r.now.UTC(),
	}
}
