package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/verifier"
)

// scenarioStatusTTL is the status list ttl of the scenario's issuer: how long a desk may keep
// serving a cached status list after a revocation.
const scenarioStatusTTL = time.Second

// runScenario starts a fresh demo in a temporary folder and plays the pilot's story over HTTP
// with the CLI holder, printing each step to w (and warnings and errors of the services, as
// JSON logs, to logw); it fails unless every step went as expected.
func runScenario(ctx context.Context, w, logw io.Writer) error {
	tmp, err := os.MkdirTemp("", "hashi-scenario-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	app, ops, err := listenPair("127.0.0.1", 0, 0)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: slog.LevelError}))
	d, err := newDemo(ctx, filepath.Join(tmp, "data"), "http://"+app.Addr().String(), logger, scenarioStatusTTL, time.Now())
	if err != nil {
		_ = app.Close()
		_ = ops.Close()
		return err
	}
	srvCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.run(srvCtx, app, ops) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			logger.Error("demo server", "err", err)
		}
	}()

	s := &scenario{d: d, w: w, client: &http.Client{Timeout: 30 * time.Second}, store: filepath.Join(tmp, "student")}
	fmt.Fprintf(w, "hashi demo --scenario: the EU–Japan pilot, step by step, at %s\n\n", d.base)
	if err := s.waitReady(ctx, "http://"+ops.Addr().String()+"/readyz"); err != nil {
		return err
	}
	s.play(ctx)
	if s.failed > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d of %d steps did not go as expected", s.failed, s.n)}
	}
	fmt.Fprintf(w, "\nEvery step went as expected.\n")
	return nil
}

// scenario plays the story against a running demo.
type scenario struct {
	d      *demo
	w      io.Writer
	client *http.Client
	store  string // the CLI holder's folder
	n      int    // steps so far
	failed int
}

func (s *scenario) waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := s.client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the demo did not become ready within 30 s (%s)", url)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// step prints one step and its outcome; err nil means it went as expected.
func (s *scenario) step(what string, detail []string, err error) bool {
	s.n++
	mark := "ok"
	if err != nil {
		mark, s.failed = "FAILED: "+err.Error(), s.failed+1
	}
	fmt.Fprintf(s.w, "%2d. %s — %s\n", s.n, what, mark)
	for _, l := range detail {
		fmt.Fprintf(s.w, "      %s\n", l)
	}
	return err == nil
}

func (s *scenario) tenant(id string) demoTenant {
	for _, t := range s.d.info.Issuer.Tenants {
		if t.ID == id {
			return t
		}
	}
	return demoTenant{}
}

func (s *scenario) desk(id string) demoVerifier {
	for _, v := range s.d.info.Verifiers {
		if v.ID == id {
			return v
		}
	}
	return demoVerifier{}
}

func (s *scenario) play(ctx context.Context) {
	jp, eu := s.tenant("sakuragaoka"), s.tenant("oostland")
	// A Japanese diploma accepted in the EU, an EU diploma accepted in Japan.
	jpCred, ok := s.issueAndReceive(ctx, jp, "E23M-1187", "桜ヶ丘大学 (JP)")
	if ok {
		s.present(ctx, jpCred, "eu-desk", "EU admissions desk (NL)", verifier.StatusVerified, "")
	}
	euCred, ok := s.issueAndReceive(ctx, eu, "s2345678", "Universiteit Oostland (NL)")
	if ok {
		s.present(ctx, euCred, "jp-desk", "Japanese recruitment desk", verifier.StatusVerified, "")
	}
	// The registrar revokes the Japanese diploma: rejected as revoked.
	if jpCred != "" && s.revoke(ctx, jp) {
		time.Sleep(scenarioStatusTTL + 100*time.Millisecond) // the desk's cached status list lapses
		s.present(ctx, jpCred, "eu-desk", "EU admissions desk (NL)", verifier.StatusRejected, verifier.CodeStatusRevoked)
	}
	// A second Japanese diploma (six-year medicine), accepted; then the JP list withdraws the
	// universities' e-seal CA: rejected as withdrawn.
	medCred, ok := s.issueAndReceive(ctx, jp, "M19-0042", "桜ヶ丘大学 (JP)")
	if ok {
		s.present(ctx, medCred, "eu-desk", "EU admissions desk (NL)", verifier.StatusVerified, "")
	}
	time.Sleep(time.Second) // the withdrawal comes strictly after the issuance
	withdrawn := time.Now()
	err := s.d.publish(withdrawn, withdrawn, 0)
	if err == nil {
		err = s.d.refreshDesks(ctx)
	}
	if s.step("The JP list operator withdraws the universities' e-seal CA in a new signed LoTE", []string{fmt.Sprintf("sequence %d, withdrawn from %s", s.d.listSequence(), withdrawn.UTC().Format(time.RFC3339))}, err) && medCred != "" {
		s.present(ctx, medCred, "eu-desk", "EU admissions desk (NL)", verifier.StatusRejected, verifier.CodeIssuerWithdrawn)
	}
	// The NL trusted list is re-issued with a NextUpdate two seconds away and not renewed:
	// once it has passed, the EU diploma is rejected in Japan because its list is stale.
	now := time.Now()
	next := now.UTC().Truncate(time.Second).Add(2 * time.Second)
	err = s.d.publish(now, withdrawn, 2*time.Second)
	if err == nil {
		err = s.d.refreshDesks(ctx)
	}
	if s.step("The NL trusted list is re-issued with a NextUpdate two seconds away, and not renewed", []string{"NextUpdate " + next.Format(time.RFC3339)}, err) && euCred != "" {
		time.Sleep(time.Until(next) + time.Second)
		s.present(ctx, euCred, "jp-desk", "Japanese recruitment desk", verifier.StatusRejected, verifier.CodeTrustListStale)
	}
}

// issueAndReceive has the registrar of t offer the diploma of graduate to the student, who
// receives it with the CLI holder; it returns the stored credential's id.
func (s *scenario) issueAndReceive(ctx context.Context, t demoTenant, graduate, who string) (string, bool) {
	name := graduate
	for _, g := range t.Graduates {
		if g.ID == graduate {
			name = g.Name
		}
	}
	var offer struct {
		Offer  string `json:"offer"`
		TxCode string `json:"tx_code"`
	}
	err := s.call(ctx, http.MethodPost, t.CredentialIssuer+"/admin/offers", t.AdminToken,
		map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "graduate_id": graduate, "tx_code": true}, http.StatusCreated, &offer)
	if !s.step(fmt.Sprintf("%s offers a diploma to %s", who, name), nil, err) {
		return "", false
	}
	out, err := s.holder(ctx, "receive", "--tx-code", offer.TxCode, offer.Offer)
	var got struct {
		Credentials []credentialSummary `json:"credentials"`
	}
	if err == nil {
		if err = json.Unmarshal([]byte(out), &got); err == nil && len(got.Credentials) == 0 {
			err = errors.New("no credential received")
		}
	}
	var detail []string
	if err == nil {
		detail = []string{got.Credentials[0].Name + " from " + got.Credentials[0].IssuerName, got.Credentials[0].Trust}
	}
	if !s.step("The student's wallet receives it (OpenID4VCI, PIN, DPoP)", detail, err) {
		return "", false
	}
	return got.Credentials[0].ID, true
}

// present has the desk ask for a diploma and the student present credID; the desk's result
// must be want (and, when rejected, for reason).
func (s *scenario) present(ctx context.Context, credID, deskID, deskName string, want verifier.RequestStatus, reason verifier.Code) {
	v := s.desk(deskID)
	var created struct {
		ID      string `json:"id"`
		Request string `json:"request"`
	}
	what := fmt.Sprintf("The %s asks for a diploma; the student presents it", deskName)
	if err := s.call(ctx, http.MethodPost, v.URL+"/api/requests", v.APIToken, map[string]any{"profile": "diploma"}, http.StatusCreated, &created); err != nil {
		s.step(what, nil, err)
		return
	}
	if _, err := s.holder(ctx, "present", "--yes", "--credential", credID, created.Request); err != nil {
		s.step(what, nil, err)
		return
	}
	var rep verifier.Report
	if err := s.call(ctx, http.MethodGet, v.URL+"/api/requests/"+created.ID, v.APIToken, nil, http.StatusOK, &rep); err != nil {
		s.step(what, nil, err)
		return
	}
	detail, got := describeReport(&rep)
	var err error
	switch {
	case rep.Status != want:
		err = fmt.Errorf("the desk says %s, expected %s", rep.Status, want)
	case reason != "" && got != reason:
		err = fmt.Errorf("rejected for %s, expected %s", got, reason)
	}
	s.step(what, detail, err)
}

// describeReport is what a desk officer reads: the outcome, who issued, the trust path and
// the qualification comparison, or the reason for a rejection. It returns the reason code.
func describeReport(rep *verifier.Report) ([]string, verifier.Code) {
	if rep.Result == nil {
		return []string{"status " + string(rep.Status)}, ""
	}
	r := rep.Result
	out := []string{strings.ToUpper(string(r.Verdict))}
	reason := r.Reason
	for _, c := range r.Credentials {
		if reason == "" && r.Verdict != verifier.VerdictAccepted {
			reason = c.Reason
		}
		names := c.Issuer.NameEN
		if c.Issuer.NameJA != "" && c.Issuer.NameJA != names {
			names += " / " + c.Issuer.NameJA
		}
		out = append(out, fmt.Sprintf("issuer: %s (%s)", names, c.Issuer.Country))
		if c.TrustPath != "" {
			out = append(out, "trust path: "+c.TrustPath)
		}
		if q := c.Qualification; q != nil {
			out = append(out, fmt.Sprintf("qualification: %s (%s), ISCED %s, EQF %d — %s", q.Title, q.DegreeType, q.ISCED, q.EQFLevel, q.LevelBasis))
			if q.DeskView != "" {
				out = append(out, "reads here as: "+q.DeskView)
			}
		}
		for _, ch := range c.Checks {
			if !ch.OK {
				out = append(out, fmt.Sprintf("%s: %s — %s", ch.Name, ch.Code, ch.Detail))
			}
		}
	}
	if reason != "" {
		out[0] += " (" + string(reason) + ")"
	}
	return out, reason
}

// call sends a JSON API request with a bearer token and decodes the answer into out.
func (s *scenario) call(ctx context.Context, method, url, token string, body any, wantStatus int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != wantStatus {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return json.Unmarshal(b, out)
}

// holder runs the CLI holder (`hashi wallet`) in this process with the demo's lists.
func (s *scenario) holder(ctx context.Context, args ...string) (string, error) {
	pkiDir := filepath.Join(s.d.dir, "pki")
	base := []string{"wallet", "--store", s.store,
		"--lotl", s.d.info.Trust.Lists[0].URL, "--lotl-signers", filepath.Join(pkiDir, "eu", "lotl-signer", "cert.pem"),
		"--list", s.d.info.Trust.Lists[2].URL + "=" + filepath.Join(pkiDir, "jp", "tl-signer", "cert.pem")}
	var out, errOut bytes.Buffer
	if code := run(ctx, append(base, args...), strings.NewReader(""), &out, &errOut); code != 0 {
		return "", fmt.Errorf("hashi wallet %s: exit %d: %s", args[0], code, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// revoke has the registrar of t revoke its most recent credential.
func (s *scenario) revoke(ctx context.Context, t demoTenant) bool {
	var issued []struct {
		ID string `json:"id"`
	}
	err := s.call(ctx, http.MethodGet, t.CredentialIssuer+"/admin/credentials", t.AdminToken, nil, http.StatusOK, &issued)
	if err == nil && len(issued) == 0 {
		err = errors.New("no issued credential listed")
	}
	if err == nil {
		var out map[string]any
		err = s.call(ctx, http.MethodPost, t.CredentialIssuer+"/admin/credentials/"+issued[0].ID+"/status", t.AdminToken, map[string]string{"status": "revoked"}, http.StatusOK, &out)
	}
	return s.step("The registrar of "+t.ID+" revokes that diploma (status list entry set to INVALID)", nil, err)
}
