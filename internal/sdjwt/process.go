package sdjwt

// processor embeds disclosures into an issuer payload as RFC 9901 §7.1 step 3 describes and
// records where each disclosure went. The payload passed to run must be freshly decoded for
// this run: it is processed in place. Disclosure values belong to the Unverified and are
// never mutated: where they need processing, new objects and arrays are built, so one
// Unverified can be verified more than once and Disclosure.Value stays as received.
type processor struct {
	hash     HashAlgorithm
	discs    []Disclosure
	digests  []string       // digest of each disclosure under hash
	byDigest map[string]int // digest → index into discs; nil while discs are few (see find)
	seen     digestSet      // every digest met in the payload and in embedded disclosures
	used     []bool
	paths    []Path // concrete path at which each used disclosure was embedded
	path     Path   // current path while walking
	arena    []any  // backing store of paths
}

// smallSet is the size up to which digests are looked up by a linear scan: for the usual
// handful of disclosures that is faster than hashing, and allocates nothing.
const smallSet = 16

func newProcessor(hash HashAlgorithm, discs []Disclosure) (*processor, error) {
	p := &processor{
		hash:    hash,
		discs:   discs,
		digests: make([]string, len(discs)),
		used:    make([]bool, len(discs)),
		paths:   make([]Path, len(discs)),
		path:    make(Path, 0, 8),
		arena:   make([]any, 0, 3*len(discs)),
		seen:    digestSet{list: make([]string, 0, min(len(discs)+8, smallSet+1))},
	}
	if len(discs) > smallSet {
		p.byDigest = make(map[string]int, len(discs))
	}
	for i := range discs {
		dg := hash.digest(discs[i].Raw)
		if _, dup := p.find(dg); dup {
			// The same disclosure text twice, or two texts with one digest: either way the
			// issuer payload cannot reference both (RFC 9901 §7.1 step 4).
			return nil, errorf(CodeDuplicateDigest, nil, "disclosure %d repeats the digest %s of an earlier disclosure", i, dg)
		}
		p.digests[i] = dg
		if p.byDigest != nil {
			p.byDigest[dg] = i
		}
	}
	return p, nil
}

// find returns the index of the disclosure with digest dg among those registered so far.
func (p *processor) find(dg string) (int, bool) {
	if p.byDigest != nil {
		i, ok := p.byDigest[dg]
		return i, ok
	}
	for i, d := range p.digests {
		if d == dg {
			return i, true
		}
	}
	return 0, false
}

// digestSet is a set of digests: a slice while small, a map beyond smallSet entries.
type digestSet struct {
	list []string
	m    map[string]struct{}
}

// add inserts dg and reports whether it was new.
func (s *digestSet) add(dg string) bool {
	if s.m != nil {
		if _, ok := s.m[dg]; ok {
			return false
		}
		s.m[dg] = struct{}{}
		return true
	}
	for _, x := range s.list {
		if x == dg {
			return false
		}
	}
	s.list = append(s.list, dg)
	if len(s.list) > smallSet {
		s.m = make(map[string]struct{}, 2*len(s.list))
		for _, x := range s.list {
			s.m[x] = struct{}{}
		}
		s.list = nil
	}
	return true
}

// run embeds the disclosures into payload, which it modifies, and returns the processed
// payload with every "_sd" and "_sd_alg" removed.
func (p *processor) run(payload map[string]any) (map[string]any, error) {
	out, err := p.object(payload, 0, -1, true, true)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// unreferenced returns the index of the first disclosure that was not embedded, or -1.
func (p *processor) unreferenced() int {
	for i, u := range p.used {
		if !u {
			return i
		}
	}
	return -1
}

// structural returns the code for a misuse of "_sd" or "...": malformed in the issuer
// payload, invalid_disclosure inside a disclosed value.
func structural(inDisclosure int) Code {
	if inDisclosure >= 0 {
		return CodeInvalidDisclosure
	}
	return CodeMalformed
}

// value processes v. owned says whether v may be modified in place (it was decoded for this
// run) or must be copied (it belongs to a disclosure).
func (p *processor) value(v any, depth, inDisclosure int, owned bool) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return p.object(x, depth, inDisclosure, false, owned)
	case []any:
		return p.array(x, depth, inDisclosure, owned)
	default:
		return v, nil
	}
}

func (p *processor) object(m map[string]any, depth, inDisclosure int, top, owned bool) (map[string]any, error) {
	if depth > MaxDepth {
		return nil, errorf(CodeLimitExceeded, nil, "claims nested deeper than %d at %s", MaxDepth, p.path)
	}
	out := m
	if !owned {
		out = make(map[string]any, len(m))
	}
	var sd []any
	hasSD := false
	for k, v := range m {
		switch k {
		case "_sd":
			list, ok := v.([]any)
			if !ok {
				return nil, errorf(structural(inDisclosure), nil, "_sd at %s is not an array", p.where())
			}
			sd, hasSD = list, true
			if owned {
				delete(out, k)
			}
			continue
		case "...":
			return nil, errorf(structural(inDisclosure), nil, `"..." is a member of an object that is not an array element digest, at %s`, p.where())
		case "_sd_alg":
			if !top {
				return nil, errorf(structural(inDisclosure), nil, "_sd_alg below the top level, at %s", p.where())
			}
			if owned {
				delete(out, k)
			}
			continue
		}
		if !isContainer(v) {
			if !owned {
				out[k] = v
			}
			continue
		}
		p.path = append(p.path, k)
		nv, err := p.value(v, depth+1, inDisclosure, owned)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		out[k] = nv
	}
	if !hasSD {
		return out, nil
	}
	for _, e := range sd {
		dg, ok := e.(string)
		if !ok {
			return nil, errorf(structural(inDisclosure), nil, "_sd at %s holds a non-string", p.where())
		}
		if !p.seen.add(dg) {
			return nil, errorf(CodeDuplicateDigest, nil, "digest %s occurs more than once (at %s)", dg, p.where())
		}
		i, ok := p.find(dg)
		if !ok {
			continue // a decoy, or a disclosure the holder did not present
		}
		d := &p.discs[i]
		if d.Element {
			return nil, errorf(CodeInvalidDisclosure, nil, "array element disclosure %d is referenced from an _sd array (at %s)", i, p.where())
		}
		if _, clash := out[d.Name]; clash {
			return nil, errorf(CodeClaimClash, nil, "disclosed claim %q already exists at %s", d.Name, p.where())
		}
		p.used[i] = true
		p.path = append(p.path, d.Name)
		p.paths[i] = p.record()
		nv, err := p.value(d.Value, depth+1, i, false)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		out[d.Name] = nv
	}
	return out, nil
}

func (p *processor) array(a []any, depth, inDisclosure int, owned bool) ([]any, error) {
	if depth > MaxDepth {
		return nil, errorf(CodeLimitExceeded, nil, "claims nested deeper than %d at %s", MaxDepth, p.path)
	}
	// In place, out never overtakes the element being read.
	out := a[:0]
	if !owned {
		out = make([]any, 0, len(a))
	}
	for _, e := range a {
		if obj, ok := e.(map[string]any); ok {
			if dv, ok := obj["..."]; ok {
				if len(obj) != 1 {
					return nil, errorf(structural(inDisclosure), nil, `array element digest at %s has members besides "..."`, p.where())
				}
				dg, ok := dv.(string)
				if !ok {
					return nil, errorf(structural(inDisclosure), nil, `"..." at %s is not a string`, p.where())
				}
				if !p.seen.add(dg) {
					return nil, errorf(CodeDuplicateDigest, nil, "digest %s occurs more than once (at %s)", dg, p.where())
				}
				i, ok := p.find(dg)
				if !ok {
					continue // unmatched: removed (RFC 9901 §7.1 step 3.d)
				}
				d := &p.discs[i]
				if !d.Element {
					return nil, errorf(CodeInvalidDisclosure, nil, "object property disclosure %d (%q) is referenced as an array element (at %s)", i, d.Name, p.where())
				}
				p.used[i] = true
				p.path = append(p.path, len(out))
				p.paths[i] = p.record()
				nv, err := p.value(d.Value, depth+1, i, false)
				p.path = p.path[:len(p.path)-1]
				if err != nil {
					return nil, err
				}
				out = append(out, nv)
				continue
			}
		}
		p.path = append(p.path, len(out))
		nv, err := p.value(e, depth+1, inDisclosure, owned)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		out = append(out, nv)
	}
	if owned {
		clear(a[len(out):]) // drop references to removed decoys
	}
	return out, nil
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// record returns a copy of the current path, carved from the arena. Earlier copies stay
// valid when the arena grows: they keep the old backing array, which is never written again.
func (p *processor) record() Path {
	start := len(p.arena)
	p.arena = append(p.arena, p.path...)
	return Path(p.arena[start:len(p.arena):len(p.arena)])
}

// where names the current position for error messages.
func (p *processor) where() string {
	if len(p.path) == 0 {
		return "the top level"
	}
	return p.path.String()
}
