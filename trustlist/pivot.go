package trustlist

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// pivotURLs returns the pivot LOTL URLs a LOTL lists, oldest first.
func pivotURLs(l *List, c LOTLConfig) []string {
	var urls []string
	for _, u := range l.InformationURIs {
		if c.Announcement != "" && u.Value == c.Announcement {
			break
		}
		p, err := url.Parse(u.Value)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || !strings.HasSuffix(strings.ToLower(p.Path), ".xml") {
			continue
		}
		if !slices.Contains(urls, u.Value) {
			urls = append(urls, u.Value)
		}
	}
	slices.Reverse(urls)
	return urls
}

// walkPivots derives the LOTL signer set from the configured signers through the pivots
// the (not yet verified) LOTL bytes b list. The unverified parse only chooses which URLs
// to fetch; every set used is taken from a verified pivot.
func (r *loadRun) walkPivots(c LOTLConfig, b []byte) ([]*x509.Certificate, []ListState, error) {
	unverified, err := ParseXML(b)
	if err != nil {
		return nil, nil, err
	}
	urls := pivotURLs(unverified, c)
	if len(urls) > MaxPivots {
		return nil, nil, errorf(CodeTooLarge, nil, "%d pivot LOTLs, limit %d", len(urls), MaxPivots)
	}
	signers := c.Signers
	states := make([]ListState, 0, len(urls))
	for _, u := range urls {
		st := ListState{Label: c.Label + " pivot", URL: u, Role: RolePivot, Format: FormatXML, Territory: "EU"}
		set := signers
		r.obtain(&st, r.maxBody(FormatXML), false, func(pb []byte) (*List, error) { return r.verifyPivot(pb, set) })
		if st.List != nil {
			st.Label = fmt.Sprintf("%s pivot %d", c.Label, st.List.SequenceNumber)
			signers = st.List.XMLPointersTo(st.List.Territory)[0].Signers
		}
		states = append(states, st)
	}
	return signers, states, nil
}

// verifyPivot verifies a pivot LOTL with signers at its own (signed) issue date and returns
// it if it announces a usable signer set in its self-pointer.
func (r *loadRun) verifyPivot(b []byte, signers []*x509.Certificate) (*List, error) {
	unverified, err := ParseXML(b)
	if err != nil {
		return nil, err
	}
	at := unverified.IssueDate
	if at.IsZero() || at.After(r.now) {
		return nil, errorf(CodeListMismatch, nil, "pivot issue date %s is not before the load time", at.Format(time.RFC3339))
	}
	l, err := VerifyXML(b, VerifyOptions{Signers: signers, At: at})
	if err != nil {
		return nil, err
	}
	if !l.IssueDate.Equal(at) {
		return nil, errorf(CodeWrappedSignature, nil, "pivot issue date differs between the parsed and the signed list")
	}
	if l.Type != TSLTypeEUListOfLists {
		return nil, errorf(CodeListMismatch, nil, "pivot TSLType %q is not a list of the lists", l.Type)
	}
	self := l.XMLPointersTo(l.Territory)
	if len(self) != 1 || len(self[0].Signers) == 0 {
		return nil, errorf(CodeListMismatch, nil, "pivot has %d self-pointers, want one with signers", len(self))
	}
	return l, nil
}
