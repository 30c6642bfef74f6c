package pki_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// TestChainsVerifyX509 verifies every issued certificate with crypto/x509 against its
// anchor, with the key usage and host name its use needs, and shows the checks that must
// fail: wrong CA, wrong host, wrong purpose, outside validity.
func TestChainsVerifyX509(t *testing.T) {
	_, _, p := newPKI(t)
	anyUse := []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	server := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	tests := []struct {
		name    string
		leaf    pki.Ref
		anchor  pki.Ref
		dnsName string
		usages  []x509.ExtKeyUsage
		at      time.Time
		wantErr bool
	}{
		{name: "ok/seal-oostland", leaf: pki.Ref{Role: pki.RoleSeal, ID: "oostland"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "eu"}, usages: anyUse},
		{name: "ok/seal-sakuragaoka", leaf: pki.Ref{Role: pki.RoleSeal, ID: "sakuragaoka"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "jp"}, usages: anyUse},
		{name: "ok/access-eu-desk", leaf: pki.Ref{Role: pki.RoleAccess, ID: "eu-desk"}, anchor: pki.Ref{Role: pki.RoleAccessCA, ID: "eu"}, dnsName: "eu-desk.localhost", usages: anyUse},
		{name: "ok/access-jp-desk", leaf: pki.Ref{Role: pki.RoleAccess, ID: "jp-desk"}, anchor: pki.Ref{Role: pki.RoleAccessCA, ID: "jp"}, dnsName: "jp-desk.localhost", usages: anyUse},
		{name: "ok/tls-localhost", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, dnsName: "localhost", usages: server},
		{name: "ok/tls-desk-name", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, dnsName: "jp-desk.localhost", usages: server},
		{name: "ok/tls-ipv4", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, dnsName: "127.0.0.1", usages: server},
		{name: "ok/tls-ipv6", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, dnsName: "::1", usages: server},
		{name: "ok/tl-signer-pinned", leaf: pki.Ref{Role: pki.RoleTLSigner, ID: "jp"}, anchor: pki.Ref{Role: pki.RoleTLSigner, ID: "jp"}, usages: anyUse},
		{name: "ok/lotl-signer-pinned", leaf: pki.Ref{Role: pki.RoleLOTLSigner, ID: "eu"}, anchor: pki.Ref{Role: pki.RoleLOTLSigner, ID: "eu"}, usages: anyUse},
		{name: "ok/seal-at-last-second", leaf: pki.Ref{Role: pki.RoleSeal, ID: "oostland"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "eu"}, usages: anyUse, at: testNow.AddDate(2, 0, 0)},

		{name: "fail/seal-other-jurisdiction", leaf: pki.Ref{Role: pki.RoleSeal, ID: "oostland"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "jp"}, usages: anyUse, wantErr: true},
		{name: "fail/seal-under-access-ca", leaf: pki.Ref{Role: pki.RoleSeal, ID: "oostland"}, anchor: pki.Ref{Role: pki.RoleAccessCA, ID: "eu"}, usages: anyUse, wantErr: true},
		{name: "fail/access-under-seal-ca", leaf: pki.Ref{Role: pki.RoleAccess, ID: "eu-desk"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "eu"}, usages: anyUse, wantErr: true},
		{name: "fail/access-wrong-dns", leaf: pki.Ref{Role: pki.RoleAccess, ID: "eu-desk"}, anchor: pki.Ref{Role: pki.RoleAccessCA, ID: "eu"}, dnsName: "jp-desk.localhost", usages: anyUse, wantErr: true},
		{name: "fail/tls-client-auth", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, wantErr: true},
		{name: "fail/tls-other-host", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, dnsName: "example.com", usages: server, wantErr: true},
		{name: "fail/tls-other-ip", leaf: pki.Ref{Role: pki.RoleTLS, ID: "localhost"}, anchor: pki.Ref{Role: pki.RoleTLSCA, ID: pki.TLSCAID}, dnsName: "127.0.0.2", usages: server, wantErr: true},
		{name: "fail/tl-signer-other-pin", leaf: pki.Ref{Role: pki.RoleTLSigner, ID: "jp"}, anchor: pki.Ref{Role: pki.RoleTLSigner, ID: "eu"}, usages: anyUse, wantErr: true},
		{name: "fail/seal-expired", leaf: pki.Ref{Role: pki.RoleSeal, ID: "oostland"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "eu"}, usages: anyUse, at: testNow.AddDate(2, 0, 0).Add(time.Second), wantErr: true},
		{name: "fail/seal-not-yet-valid", leaf: pki.Ref{Role: pki.RoleSeal, ID: "oostland"}, anchor: pki.Ref{Role: pki.RoleSealCA, ID: "eu"}, usages: anyUse, at: testNow.Add(-time.Hour), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := entity(t, p, tt.leaf.Role, tt.leaf.ID)
			anchor := entity(t, p, tt.anchor.Role, tt.anchor.ID)
			roots := x509.NewCertPool()
			roots.AddCert(anchor.Certificate)
			inter := x509.NewCertPool()
			for _, c := range leaf.Chain[min(1, len(leaf.Chain)):] {
				inter.AddCert(c)
			}
			at := tt.at
			if at.IsZero() {
				at = testNow
			}
			chains, err := leaf.Certificate.Verify(x509.VerifyOptions{
				Roots: roots, Intermediates: inter, DNSName: tt.dnsName, KeyUsages: tt.usages, CurrentTime: at,
			})
			if tt.wantErr {
				if err == nil {
					t.Fatalf("verified, want an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			last := chains[0][len(chains[0])-1]
			if !last.Equal(anchor.Certificate) {
				t.Fatalf("chain ends in %s, want the anchor", last.Subject)
			}
		})
	}
}

// TestOpenSSLVerify runs "openssl verify -x509_strict" over every entity directory, as the
// brief's interoperability check, and shows a foreign CA, host or IP being rejected.
func TestOpenSSLVerify(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not on PATH; skipping the OpenSSL interoperability check")
	}
	dir, m, _ := newPKI(t)
	f := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	type run struct {
		name    string
		args    []string
		wantErr bool
	}
	var runs []run
	for _, e := range m.Entities {
		name := "ok/" + string(e.Role) + "-" + e.ID
		if e.IssuedBy == nil {
			runs = append(runs, run{name: name, args: []string{"-CAfile", f(e.Files.Cert), f(e.Files.Cert)}})
			continue
		}
		args := []string{"-CAfile", f(e.Files.CA), "-untrusted", f(e.Files.Chain)}
		switch e.Role {
		case pki.RoleAccess:
			args = append(args, "-verify_hostname", e.DNSNames[0])
		case pki.RoleTLS:
			args = append(args, "-purpose", "sslserver", "-verify_hostname", "localhost")
		default: // seals and CAs need no extra checks
		}
		runs = append(runs, run{name: name, args: append(args, f(e.Files.Cert))})
	}
	seal, _ := m.Entity(pki.RoleSeal, "oostland")
	jpCA, _ := m.Entity(pki.RoleSealCA, "jp")
	access, _ := m.Entity(pki.RoleAccess, "eu-desk")
	host, _ := m.Entity(pki.RoleTLS, "localhost")
	runs = append(runs,
		run{name: "ok/tls-ipv6", args: []string{"-CAfile", f(host.Files.CA), "-purpose", "sslserver", "-verify_ip", "::1", f(host.Files.Cert)}},
		run{name: "fail/seal-other-jurisdiction", args: []string{"-CAfile", f(jpCA.Files.Cert), "-untrusted", f(seal.Files.Chain), f(seal.Files.Cert)}, wantErr: true},
		run{name: "fail/access-wrong-host", args: []string{"-CAfile", f(access.Files.CA), "-verify_hostname", "jp-desk.localhost", f(access.Files.Cert)}, wantErr: true},
		run{name: "fail/tls-other-ip", args: []string{"-CAfile", f(host.Files.CA), "-verify_ip", "10.0.0.1", f(host.Files.Cert)}, wantErr: true},
		run{name: "fail/tls-as-client", args: []string{"-CAfile", f(host.Files.CA), "-purpose", "sslclient", f(host.Files.Cert)}, wantErr: true},
	)
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			args := append([]string{"verify", "-x509_strict", "-attime", "1772366400"}, r.args...) // 2026-03-01T12:00:00Z
			out, err := exec.CommandContext(t.Context(), openssl, args...).CombinedOutput()
			if r.wantErr {
				if err == nil || !bytes.Contains(out, []byte("error")) {
					t.Fatalf("openssl verify: %v, want a verification error:\n%s", err, out)
				}
				return
			}
			if err != nil || !bytes.HasSuffix(bytes.TrimSpace(out), []byte(": OK")) {
				t.Fatalf("openssl %v: %v\n%s", args, err, out)
			}
		})
	}
}

// TestTLSCertificate serves HTTPS on loopback with a host's certificate and connects with
// only the demo TLS CA trusted, by name and by address.
func TestTLSCertificate(t *testing.T) {
	_, _, p := newPKI(t)
	host := entity(t, p, pki.RoleTLS, "localhost")
	ca := entity(t, p, pki.RoleTLSCA, pki.TLSCAID)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hashi")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{host.TLSCertificate()}, MinVersion: tls.VersionTLS13}
	srv.StartTLS()
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate)
	tests := []struct {
		name       string
		serverName string
		roots      *x509.CertPool
		wantErr    bool
	}{
		{name: "ok/by-name", serverName: "localhost", roots: roots},
		{name: "ok/by-ip", serverName: "127.0.0.1", roots: roots},
		{name: "fail/other-name", serverName: "example.com", roots: roots, wantErr: true},
		{name: "fail/ca-not-trusted", serverName: "localhost", roots: x509.NewCertPool(), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{
				TLSClientConfig: &tls.Config{RootCAs: tt.roots, ServerName: tt.serverName, MinVersion: tls.VersionTLS13},
			}
			defer tr.CloseIdleConnections()
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://127.0.0.1:"+port+"/", nil)
			res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
			if tt.wantErr {
				if err == nil {
					_ = res.Body.Close()
					t.Fatalf("connected, want a certificate error")
				}
				return
			}
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			defer func() { _ = res.Body.Close() }()
			if b, _ := io.ReadAll(res.Body); string(b) != "hashi" {
				t.Fatalf("body %q", b)
			}
		})
	}
}
