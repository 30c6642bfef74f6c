package dpop

import (
	"strconv"
	"strings"
)

// HTU returns the "htu" value for a request URL: the target URI without query and fragment
// (RFC 9449 §4.2), normalized as §4.3 recommends, by syntax-based (RFC 3986 §6.2.2) and
// scheme-based (§6.2.3) normalization:
//
//   - the scheme and host are lowercased;
//   - the default port (80 for http, 443 for https) and an empty port are removed, and a port
//     is written without leading zeros;
//   - an empty path becomes "/";
//   - percent-encoded unreserved characters (ALPHA, DIGIT, "-", ".", "_", "~") are decoded
//     and the hex digits of every other percent-encoding are uppercased;
//   - "." and ".." segments are removed (RFC 3986 §5.2.4).
//
// The path is otherwise case-sensitive, and "%2F" stays distinct from "/". Only absolute
// http and https URIs are accepted; a userinfo part ("user@"), a host that is not a DNS name
// or an IP literal, and characters RFC 3986 does not allow in a path are refused with
// CodeInvalidArgument. Verify normalizes both the request URL and the proof's htu this way
// and compares the results byte for byte; NewProof sends this form.
func HTU(rawURL string) (string, error) {
	s, err := normalizeHTU(rawURL)
	if err != nil {
		return "", errorf(CodeInvalidArgument, nil, "%s", err.msg)
	}
	return s, nil
}

type htuError struct{ msg string }

func badHTU(msg string) *htuError { return &htuError{msg: msg} }

func normalizeHTU(s string) (string, *htuError) {
	if len(s) > maxURILength {
		return "", badHTU("URI longer than " + strconv.Itoa(maxURILength) + " bytes")
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	i := strings.Index(s, "://")
	if i <= 0 {
		return "", badHTU("not an absolute URI")
	}
	scheme := strings.ToLower(s[:i])
	var defaultPort string
	switch scheme {
	case "https":
		defaultPort = "443"
	case "http":
		defaultPort = "80"
	default:
		return "", badHTU("scheme is not http or https")
	}
	rest := s[i+3:]
	authority, path := rest, ""
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		authority, path = rest[:j], rest[j:]
	}
	host, port, herr := normalizeAuthority(authority)
	if herr != nil {
		return "", herr
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" && port != defaultPort {
		b.WriteByte(':')
		b.WriteString(port)
	}
	p, perr := normalizePath(path)
	if perr != nil {
		return "", perr
	}
	b.WriteString(p)
	return b.String(), nil
}

// normalizeAuthority splits host and port, lowercases the host and checks both.
func normalizeAuthority(a string) (host, port string, err *htuError) {
	if a == "" {
		return "", "", badHTU("no host")
	}
	if strings.IndexByte(a, '@') >= 0 {
		return "", "", badHTU("userinfo is not allowed")
	}
	if a[0] == '[' {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", badHTU("unterminated IP literal")
		}
		host, rest := strings.ToLower(a[:end+1]), a[end+1:]
		if len(host) == 2 || strings.Trim(host[1:len(host)-1], "0123456789abcdef:.") != "" {
			return "", "", badHTU("invalid IP literal")
		}
		if rest != "" {
			if rest[0] != ':' {
				return "", "", badHTU("junk after IP literal")
			}
			port = rest[1:]
		}
		p, err := normalizePort(port)
		return host, p, err
	}
	host = a
	if k := strings.LastIndexByte(a, ':'); k >= 0 {
		host, port = a[:k], a[k+1:]
	}
	if host == "" {
		return "", "", badHTU("no host")
	}
	host = strings.ToLower(host)
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return "", "", badHTU("host has a character other than letters, digits, '-', '.', '_', '~'")
		}
	}
	p, err := normalizePort(port)
	return host, p, err
}

func normalizePort(port string) (string, *htuError) {
	if port == "" {
		return "", nil
	}
	if len(port) > 5 || strings.Trim(port, "0123456789") != "" {
		return "", badHTU("invalid port")
	}
	n, _ := strconv.Atoi(port)
	if n > 65535 {
		return "", badHTU("invalid port")
	}
	return strconv.Itoa(n), nil
}

// normalizePath normalizes percent-encodings, checks characters and removes dot segments.
func normalizePath(p string) (string, *htuError) {
	if p == "" {
		return "/", nil
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "", badHTU("invalid percent-encoding in path")
			}
			v := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex[v>>4])
				b.WriteByte(upperHex[v&15])
			}
			i += 2
		case isUnreserved(c) || c == '/' || c == ':' || c == '@' || strings.IndexByte("!$&'()*+,;=", c) >= 0:
			b.WriteByte(c)
		default:
			return "", badHTU("path has a character RFC 3986 does not allow")
		}
	}
	return removeDotSegments(b.String()), nil
}

const upperHex = "0123456789ABCDEF"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments is RFC 3986 §5.2.4 for an absolute path (one starting with "/").
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	out := make([]string, 0, strings.Count(in, "/"))
	for in != "" {
		switch {
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			// Move the first segment, with its leading "/", to the output.
			j := strings.IndexByte(in[1:], '/')
			if j < 0 {
				out = append(out, in)
				in = ""
			} else {
				out = append(out, in[:j+1])
				in = in[j+1:]
			}
		}
	}
	return strings.Join(out, "")
}
