package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// The demo's fixed parts: the wallet's demo user, how long its lists are valid, and the files
// it keeps in its data folder.
const (
	demoUser          = "student"
	demoListValidity  = 30 * 24 * time.Hour
	demoStatusTTL     = 30 * time.Second
	demoInfoFile      = "demo.json"
	demoTrustDir      = "trust"      // demoListState, and the signed lists as served in a folder named by their sequence
	demoListStateFile = "state.json" // in demoTrustDir
	// demoRenewBefore: lists closer than this to their NextUpdate are re-signed (at start and
	// hourly while running), as a scheme operator re-issues before NextUpdate.
	demoRenewBefore   = 7 * 24 * time.Hour
	demoLogFile       = "demo.log"
	demoConfigComment = "# Written by `hashi demo` at every start (edits are overwritten). It is also a\n" +
		"# working example of this service's configuration file. The demo serves all services\n" +
		"# on its one port and ignores listen: here; a service served alone from this file\n" +
		"# listens on its default port unless listen: says otherwise.\n"
)

//go:embed demodata/graduates.json
var demoGraduates []byte

// demoDesks are the two verifier desks: the pki's desk id, the path segment under
// /verifier, the desk's country and the jurisdiction label in the guide.
var demoDesks = []struct{ id, path, country, label string }{
	{"eu-desk", "eu", "NL", "EU admissions desk, Netherlands"},
	{"jp-desk", "jp", "JP", "recruitment desk, Japan"},
}

type demoOptions struct {
	dataDir  string
	listen   string
	port     int
	opsPort  int
	scenario bool
}

func newDemoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--data DIR] [--listen 127.0.0.1] [--port 8080] [--scenario]",
		Short: "Run the whole EU–Japan pilot in one process on embedded defaults",
		Long: `Runs the pilot on this machine with nothing else installed: the issuer with two fictional
universities (Universiteit Oostland, NL, and 桜ヶ丘大学 Sakuragaoka University, JP) and their
seeded graduates, the student web wallet with a demo account, an admissions desk in the EU and
a recruitment desk in Japan, and the pilot's signed trust lists (EU LOTL, the NL trusted list,
the JP LoTE), which it publishes over HTTP itself so the desks fetch and refresh them as they
would real lists. Everything is served on one loopback port in plain HTTP (the demo is for one
machine); /healthz, /readyz and /metrics are on the ops port (default: port + 1).

On first start it generates the pilot PKI, tokens, keys and signed lists into DIR; later
starts reuse them, with everything issued and stored (lists are re-signed, with the next
sequence number, only within a week of their NextUpdate). It prints a guide and writes DIR/demo.json
(mode 0600) with every URL and secret, for scripts. Logs (JSON) go to DIR/demo.log.

With --scenario it starts a fresh demo in a temporary folder and plays the whole story over
HTTP with the CLI holder, printing each step: a Japanese diploma accepted in the EU, an EU
diploma accepted in Japan, a revoked diploma rejected, a withdrawn provider rejected, and a
stale list rejected. It exits 0 only if every step went as expected.`,
		Args: withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.scenario {
				return runScenario(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runDemo(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&o.dataDir, "data", "hashi-data", "data folder (created if missing, reused if present)")
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1", "loopback address to listen on")
	cmd.Flags().IntVar(&o.port, "port", 8080, "port of the pages and protocols")
	cmd.Flags().IntVar(&o.opsPort, "ops-port", 0, "port of /healthz, /readyz and /metrics (default: port + 1)")
	cmd.Flags().BoolVar(&o.scenario, "scenario", false, "play the whole story in a fresh temporary demo and exit")
	return cmd
}

func runDemo(ctx context.Context, o demoOptions, w io.Writer) error {
	if ip := net.ParseIP(o.listen); o.listen != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usageError{fmt.Errorf("--listen %q: the demo serves plain HTTP and listens on loopback addresses only", o.listen)}
	}
	if o.port < 0 || o.port > 65535 || o.opsPort < 0 || o.opsPort > 65535 {
		return usageError{errors.New("--port and --ops-port must be 0–65535")}
	}
	if o.opsPort == 0 && o.port != 0 {
		if o.port == 65535 {
			return usageError{errors.New("--port 65535 leaves no default ops port: give --ops-port")}
		}
		o.opsPort = o.port + 1
	}
	app, ops, err := listenPair(o.listen, o.port, o.opsPort)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		_ = app.Close()
		_ = ops.Close()
		return err
	}
	logFile, err := os.OpenFile(filepath.Join(o.dataDir, demoLogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600) //nolint:gosec // the user names the folder
	if err != nil {
		_ = app.Close()
		_ = ops.Close()
		return err
	}
	defer func() { _ = logFile.Close() }()
	logger := slog.New(slog.NewJSONHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := newDemo(ctx, o.dataDir, "http://"+app.Addr().String(), logger, demoStatusTTL, time.Now())
	if err != nil {
		_ = app.Close()
		_ = ops.Close()
		return err
	}
	d.guide(w, ops.Addr().String())
	return d.run(ctx, app, ops)
}

// listenPair opens the app and ops listeners.
func listenPair(host string, port, opsPort int) (net.Listener, net.Listener, error) {
	app, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, nil, fmt.Errorf("%w (choose another --port)", err)
	}
	ops, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(opsPort)))
	if err != nil {
		_ = app.Close()
		return nil, nil, fmt.Errorf("%w (choose another --ops-port)", err)
	}
	return app, ops, nil
}

// demoInfo is DIR/demo.json: every URL and secret of a demo, for scripts.
type demoInfo struct {
	Issuer struct {
		URL     string       `json:"url"`
		Tenants []demoTenant `json:"tenants"`
	} `json:"issuer"`
	Wallet struct {
		URL      string `json:"url"`
		User     string `json:"user"`
		Password string `json:"password"`
	} `json:"wallet"`
	Verifiers []demoVerifier `json:"verifiers"`
	Trust     struct {
		Lists []demoList `json:"lists"`
	} `json:"trust"`
}

type demoTenant struct {
	ID               string         `json:"id"`
	Country          string         `json:"country"`
	CredentialIssuer string         `json:"credential_issuer"`
	AdminToken       string         `json:"admin_token"`
	Graduates        []demoGraduate `json:"graduates"`
}

type demoGraduate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type demoVerifier struct {
	ID       string `json:"id"`
	Country  string `json:"country"`
	URL      string `json:"url"`
	APIToken string `json:"api_token"`
}

type demoList struct {
	URL       string `json:"url"`
	Format    string `json:"format"`
	Territory string `json:"territory"`
}

// demo is a running demo's state: its folder, PKI, services and the lists it publishes.
type demo struct {
	dir, base string
	logger    *slog.Logger
	pki       *pki.PKI
	info      demoInfo
	svcs      []*service
	issuer    *issuer.Issuer
	desks     map[string]*trustlist.Refresher // by demoDesks id

	mu    sync.RWMutex
	files map[string][]byte // the signed lists by file name
	state demoListState
}

// demoListState is DIR/trust/state.json: what the lists being served were signed with. The
// lists are in DIR/trust/<sequence>/, written in full before state.json names them, so a
// start or re-signing that is interrupted leaves the previous set whole.
type demoListState struct {
	Sequence   uint64    `json:"sequence"`
	Issued     time.Time `json:"issued"`
	NextUpdate time.Time `json:"next_update"`
}

// newDemo prepares dir for a demo served at base (http://host:port): PKI, secrets, signed
// lists, the services' configuration files, stores and seed data. statusTTL is the issuer's
// status list ttl (how soon desks see a revocation).
func newDemo(ctx context.Context, dir, base string, logger *slog.Logger, statusTTL time.Duration, now time.Time) (*demo, error) {
	d := &demo{dir: dir, base: base, logger: logger, desks: map[string]*trustlist.Refresher{}}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	fresh, err := d.loadOrCreateInfo()
	if err != nil {
		return nil, err
	}
	if fresh {
		// Written first, so that a start that fails later (or is interrupted) leaves the
		// secrets the stores will be seeded with, not a guide with a password that never works.
		if err := writeJSONFile(filepath.Join(dir, demoInfoFile), d.info); err != nil {
			return nil, err
		}
	}
	pkiDir := filepath.Join(dir, "pki")
	if _, err := pki.Init(pkiDir, pki.DefaultConfig(d.info.Issuer.URL), now); err != nil {
		return nil, fmt.Errorf("pilot PKI: %w", err)
	}
	if d.pki, err = pki.Load(pkiDir); err != nil {
		return nil, fmt.Errorf("pilot PKI: %w", err)
	}
	for _, f := range []string{"page.key", "wallet.key"} {
		if err := ensureKeyFile(filepath.Join(dir, f)); err != nil {
			return nil, err
		}
	}
	if err := d.loadLists(); err != nil {
		return nil, err
	}
	if d.files == nil {
		if err := d.forgetCachedLists(); err != nil {
			return nil, err
		}
	}
	if err := d.renewLists(now); err != nil {
		return nil, err
	}
	if err := d.writeConfigs(statusTTL); err != nil {
		return nil, err
	}
	if err := d.buildServices(ctx, now); err != nil {
		d.close()
		return nil, err
	}
	if fresh {
		logger.Info("demo created", "dir", dir, "base", base)
	}
	return d, nil
}

// loadOrCreateInfo reads DIR/demo.json (checking it was made for this base URL) or creates
// the demo's secrets. It reports whether they are new.
func (d *demo) loadOrCreateInfo() (bool, error) {
	path := filepath.Join(d.dir, demoInfoFile)
	b, err := os.ReadFile(path) //nolint:gosec // inside the demo folder
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &d.info); err != nil {
			return false, fmt.Errorf("%s: %w", path, err)
		}
		if want := d.base + "/issuer"; d.info.Issuer.URL != want {
			return false, fmt.Errorf("%s was set up for %s, not %s (certificates and stored credentials name it): start with the same --listen and --port, or use another --data folder",
				d.dir, strings.TrimSuffix(d.info.Issuer.URL, "/issuer"), d.base)
		}
		return false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	var graduates map[string][]issuer.GraduateRow
	if err := json.Unmarshal(demoGraduates, &graduates); err != nil {
		return false, err
	}
	d.info.Issuer.URL = d.base + "/issuer"
	for _, u := range pki.DefaultConfig("").Universities {
		t := demoTenant{ID: u.ID, Country: u.Country, CredentialIssuer: d.info.Issuer.URL + "/" + u.ID, AdminToken: rand.Text()}
		for _, g := range graduates[u.ID] {
			var rec struct {
				Learner struct {
					GivenName  string `json:"given_name"`
					FamilyName string `json:"family_name"`
				} `json:"learner"`
			}
			if err := json.Unmarshal(g.Record, &rec); err != nil {
				return false, err
			}
			t.Graduates = append(t.Graduates, demoGraduate{ID: g.ID, Name: rec.Learner.GivenName + " " + rec.Learner.FamilyName})
		}
		d.info.Issuer.Tenants = append(d.info.Issuer.Tenants, t)
	}
	d.info.Wallet.URL, d.info.Wallet.User, d.info.Wallet.Password = d.base+"/wallet", demoUser, rand.Text()[:16]
	for _, desk := range demoDesks {
		d.info.Verifiers = append(d.info.Verifiers, demoVerifier{ID: desk.id, Country: desk.country, URL: d.base + "/verifier/" + desk.path, APIToken: rand.Text()})
	}
	trust := d.base + "/trust/"
	d.info.Trust.Lists = []demoList{
		{URL: trust + pilotLOTLFile, Format: "xml", Territory: "EU"},
		{URL: trust + pilotNLFile, Format: "xml", Territory: "NL"},
		{URL: trust + pilotJPFile, Format: "lote", Territory: "JP"},
	}
	return true, nil
}

// loadLists reads the lists a previous start signed, if any.
func (d *demo) loadLists() error {
	dir := filepath.Join(d.dir, demoTrustDir)
	b, err := os.ReadFile(filepath.Join(dir, demoListStateFile)) //nolint:gosec // inside the demo folder
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var st demoListState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("%s: %w", demoListStateFile, err)
	}
	files := map[string][]byte{}
	set := filepath.Join(dir, strconv.FormatUint(st.Sequence, 10))
	if _, err := os.Stat(set); errors.Is(err, fs.ErrNotExist) {
		set = dir // a folder set up by an earlier version kept the lists beside state.json
	}
	for _, name := range []string{pilotLOTLFile, pilotNLFile, pilotJPFile, pilotJPXML} {
		if files[name], err = os.ReadFile(filepath.Join(set, name)); err != nil { //nolint:gosec // inside the demo folder
			return err
		}
	}
	d.files, d.state = files, st
	return nil
}

// forgetCachedLists removes the desks' and the wallet's cached copies of the lists. It runs
// when DIR/trust holds no lists (a first start, or the folder was deleted): the lists signed
// next start again at sequence 1, and a cache holding a higher sequence would refuse them as
// a rollback, as it must with real lists.
func (d *demo) forgetCachedLists() error {
	dirs := []string{filepath.Join(d.dir, "trust-cache")}
	for _, desk := range demoDesks {
		dirs = append(dirs, filepath.Join(d.dir, desk.id, "trust-cache"))
	}
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		d.logger.Info("the pilot lists are new: removing cached copies of the old ones", "dir", dir)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	return nil
}

// renewLists re-signs the lists when there are none or they are within demoRenewBefore of
// their NextUpdate; it reports nothing else.
func (d *demo) renewLists(now time.Time) error {
	d.mu.RLock()
	next := d.state.NextUpdate
	d.mu.RUnlock()
	if d.files != nil && next.Sub(now) > demoRenewBefore {
		return nil
	}
	return d.publish(now, time.Time{}, 0)
}

// publish signs the pilot lists with the next sequence number, issued now and valid for
// demoListValidity, and keeps them in DIR/trust; withdrawnJP, when not zero, withdraws the
// JP universities' seal CA from then; nlValidity, when not zero, is the NL list's own
// validity. The desks see the new lists at their next refresh (see refreshDesks).
func (d *demo) publish(now time.Time, withdrawnJP time.Time, nlValidity time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now = now.UTC().Truncate(time.Second)
	pl := pilotLists{trustBase: d.base + "/trust", issued: now, next: now.Add(demoListValidity), sequence: d.state.Sequence + 1, withdrawnJP: withdrawnJP}
	if nlValidity != 0 {
		pl.nextNL = now.Add(nlValidity)
	}
	files, err := pl.sign(d.pki, now)
	if err != nil {
		return fmt.Errorf("sign the pilot lists: %w", err)
	}
	dir := filepath.Join(d.dir, demoTrustDir)
	set := filepath.Join(dir, strconv.FormatUint(pl.sequence, 10))
	if err := os.RemoveAll(set); err != nil { // what an interrupted attempt left
		return err
	}
	if err := os.MkdirAll(set, 0o700); err != nil {
		return err
	}
	for name, b := range files {
		if err := writeFileAtomic(filepath.Join(set, name), b); err != nil {
			return err
		}
	}
	st := demoListState{Sequence: pl.sequence, Issued: now, NextUpdate: pl.next}
	if err := writeJSONFile(filepath.Join(dir, demoListStateFile), st); err != nil {
		return err
	}
	d.files, d.state = files, st
	// The set state.json named before is no longer served.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != demoListStateFile && e.Name() != filepath.Base(set) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshDesks makes every desk load the lists now.
func (d *demo) refreshDesks(ctx context.Context) error {
	for id, r := range d.desks {
		if err := r.Refresh(ctx); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
	}
	return nil
}

func (d *demo) listFiles() map[string][]byte {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.files
}

func (d *demo) listsModified() time.Time {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.state.Issued
}

// listSequence is the sequence number of the lists being served.
func (d *demo) listSequence() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.state.Sequence
}

// writeConfigs writes the configuration file of every service (the demo builds the services
// from them, exactly as the serve commands would).
func (d *demo) writeConfigs(statusTTL time.Duration) error {
	hash := func(token string) string { s := sha256.Sum256([]byte(token)); return hex.EncodeToString(s[:]) }
	// Every path is relative to the file that names it (as `serve` reads it), so the files
	// work from any working directory and the folder can be moved. up leads from a file's
	// folder back to DIR.
	trust := func(up string) string {
		return fmt.Sprintf(`trust:
  lotl: {url: %q, signers: %q}
  lists: [{label: JP pilot LoTE, url: %q, format: lote, territory: JP, signers: %q}]
`, d.info.Trust.Lists[0].URL, filepath.Join(up, "pki", "eu", "lotl-signer", "cert.pem"),
			d.info.Trust.Lists[2].URL, filepath.Join(up, "pki", "jp", "tl-signer", "cert.pem"))
	}

	var tenants strings.Builder
	for _, t := range d.info.Issuer.Tenants {
		fmt.Fprintf(&tenants, "  - {id: %s, admin_token_sha256: %s}\n", t.ID, hash(t.AdminToken))
	}
	files := map[string]string{
		"issuer.yaml": fmt.Sprintf("%sbase_url: %s\ninsecure_http: true\ndatabase: sqlite:issuer.db\npki_dir: pki\npage_key_file: page.key\nstatus_list_ttl: %s\ntenants:\n%s",
			demoConfigComment, d.info.Issuer.URL, statusTTL, tenants.String()),
		"wallet.yaml": fmt.Sprintf("%sbase_path: /wallet\ndatabase: sqlite:wallet.db\nkey_file: wallet.key\ninsecure_development: true\n%s",
			demoConfigComment, trust("")),
	}
	names := d.deskNames()
	for i, desk := range demoDesks {
		v := d.info.Verifiers[i]
		files[filepath.Join(desk.id, "verifier.yaml")] = fmt.Sprintf("%sbase_url: %s\ninsecure_http: true\ndatabase: sqlite:verifier.db\njurisdiction: %s\npki_dir: %q\ndesk_id: %s\ndesk_name: {en: %q, ja: %q}\napi_token_sha256: %s\npage_key_file: %q\nweb_wallet_url: %s\n%s",
			demoConfigComment, v.URL, desk.country, filepath.Join("..", "pki"), desk.id, names[desk.id].EN, names[desk.id].JA, hash(v.APIToken),
			filepath.Join("..", "page.key"), d.info.Wallet.URL, trust(".."))
	}
	for name, body := range files {
		path := filepath.Join(d.dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// buildServices builds the issuer, wallet and desks from their files and seeds the
// graduates and the demo account on first start.
func (d *demo) buildServices(ctx context.Context, now time.Time) error {
	ic, err := loadIssuerConfig(filepath.Join(d.dir, "issuer.yaml"))
	if err != nil {
		return err
	}
	isvc, is, err := issuerService(ctx, ic, d.logger, time.Now)
	if err != nil {
		return err
	}
	d.svcs, d.issuer = append(d.svcs, isvc), is
	if err := d.seedGraduates(ctx); err != nil {
		return err
	}
	wc, err := loadWalletConfig(filepath.Join(d.dir, "wallet.yaml"))
	if err != nil {
		return err
	}
	wsvc, _, wst, err := walletService(ctx, wc, d.logger)
	if err != nil {
		return err
	}
	d.svcs = append(d.svcs, wsvc)
	if _, err := wst.AccountByUsername(ctx, demoUser); err != nil {
		hash, err := walletstore.HashPassword(d.info.Wallet.Password)
		if err != nil {
			return err
		}
		if _, err := wst.CreateAccount(ctx, demoUser, hash, now); err != nil {
			return fmt.Errorf("demo wallet account: %w", err)
		}
	}
	for _, desk := range demoDesks {
		vc, err := loadVerifierConfig(filepath.Join(d.dir, desk.id, "verifier.yaml"))
		if err != nil {
			return err
		}
		vsvc, r, err := verifierService(ctx, vc, d.logger, desk.id)
		if err != nil {
			return err
		}
		d.svcs, d.desks[desk.id] = append(d.svcs, vsvc), r
	}
	return nil
}

// seedGraduates imports the embedded graduates into every tenant that has none yet.
func (d *demo) seedGraduates(ctx context.Context) error {
	var graduates map[string][]issuer.GraduateRow
	if err := json.Unmarshal(demoGraduates, &graduates); err != nil {
		return err
	}
	for _, t := range d.info.Issuer.Tenants {
		have, err := d.issuer.ListGraduates(ctx, t.ID, "", 1)
		if err != nil {
			return err
		}
		if len(have) > 0 {
			continue
		}
		res, err := d.issuer.ImportGraduates(ctx, t.ID, graduates[t.ID])
		if err != nil {
			return fmt.Errorf("seed graduates of %s: %w", t.ID, err)
		}
		for _, r := range res {
			if len(r.Errors) > 0 {
				return fmt.Errorf("seed graduate %s of %s: %v", r.ID, t.ID, r.Errors)
			}
		}
	}
	return nil
}

func (d *demo) close() {
	for _, s := range d.svcs {
		if s.close != nil {
			s.close()
		}
	}
}

// run serves every service, the lists under /trust (re-signed hourly when due) and the
// guide page at / until ctx is done.
func (d *demo) run(ctx context.Context, app, ops net.Listener) error {
	lists := echo.WrapHandler(trustHandler(d.listFiles, d.listsModified))
	trust := &service{
		name: "trust",
		mount: func(e *echo.Echo, _ prometheus.Registerer) error {
			e.GET("/trust/:name", lists)
			e.HEAD("/trust/:name", lists)
			e.GET("/", d.indexPage)
			return nil
		},
		background: func(ctx context.Context) {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					before := d.listSequence()
					if err := d.renewLists(time.Now()); err != nil {
						d.logger.Error("re-sign the pilot lists", "err", err)
					} else if d.listSequence() != before {
						d.logger.Info("pilot lists re-signed", "sequence", d.listSequence())
						if err := d.refreshDesks(ctx); err != nil {
							d.logger.Warn("refresh the desks' lists", "err", err)
						}
					}
				}
			}
		},
	}
	return runServices(ctx, d.logger, "demo", nil, app, ops, append([]*service{trust}, d.svcs...)...)
}

// guide prints where everything is.
// deskNames are the desks' names in English and Japanese (those of their access
// certificates in the pilot PKI), by desk id.
func (d *demo) deskNames() map[string]pki.Names {
	names := map[string]pki.Names{}
	for _, v := range pki.DefaultConfig(d.info.Issuer.URL).Verifiers {
		names[v.ID] = v.Name
	}
	return names
}

func (d *demo) guide(w io.Writer, ops string) {
	deskNames := d.deskNames()
	fmt.Fprintf(w, "hashi demo — the EU–Japan academic credentials pilot on one machine\n\n")
	fmt.Fprintf(w, "Open %s/ for this guide in a browser.\n\n", d.base)
	fmt.Fprintf(w, "Registrars (sign in with the registrar token):\n")
	for _, t := range d.info.Issuer.Tenants {
		fmt.Fprintf(w, "  %-12s %s%s   token %s\n", t.ID, t.CredentialIssuer, "/registrar", t.AdminToken)
		for _, g := range t.Graduates {
			fmt.Fprintf(w, "               graduate %-10s %s\n", g.ID, g.Name)
		}
	}
	fmt.Fprintf(w, "\nStudent wallet: %s/   user %s   password %s\n", d.info.Wallet.URL, d.info.Wallet.User, d.info.Wallet.Password)
	fmt.Fprintf(w, "\nVerifier desks (sign in with the desk token):\n")
	for i, v := range d.info.Verifiers {
		fmt.Fprintf(w, "  %s (%s)\n    %s/desk/   token %s\n", deskNames[demoDesks[i].id].EN, demoDesks[i].label, v.URL, v.APIToken)
	}
	fmt.Fprintf(w, "\nTrust lists (sequence %d, next update %s):\n", d.state.Sequence, d.state.NextUpdate.Format(time.RFC3339))
	for _, f := range []string{pilotLOTLFile, pilotNLFile, pilotJPFile} {
		fmt.Fprintf(w, "  %s/trust/%s\n", d.base, f)
	}
	fmt.Fprintf(w, "Health and metrics: http://%s/readyz, /metrics. Logs: %s\n", ops, filepath.Join(d.dir, demoLogFile))
	fmt.Fprintf(w, "Everything above, for scripts: %s\n\nCtrl-C stops the demo; the data folder is reused next time.\n", filepath.Join(d.dir, demoInfoFile))
}

var demoIndex = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>hashi demo</title><link rel="stylesheet" href="/static/hashi.css"><link rel="icon" type="image/svg+xml" href="/static/favicon.svg"></head>
<body><main class="page">
<h1>hashi demo <span lang="ja">デモ</span></h1>
<p>The EU–Japan academic credentials pilot on one machine. <span lang="ja">日EU学位証明パイロットのデモです。</span></p>
<h2>Registrars <span lang="ja">教務担当</span></h2>
<ul>{{range .Issuer.Tenants}}<li><a href="{{.CredentialIssuer}}/registrar/">{{.ID}} ({{.Country}})</a></li>{{end}}</ul>
<h2>Student wallet <span lang="ja">学生ウォレット</span></h2>
<ul><li><a href="{{.Wallet.URL}}/">{{.Wallet.URL}}</a> — user <code>{{.Wallet.User}}</code></li></ul>
<h2>Verifier desks <span lang="ja">検証窓口</span></h2>
<ul>{{range .Verifiers}}<li><a href="{{.URL}}/desk/">{{.ID}} ({{.Country}})</a></li>{{end}}</ul>
<h2>Trust lists <span lang="ja">トラストリスト</span></h2>
<ul>{{range .Trust.Lists}}<li><a href="{{.URL}}">{{.Territory}}: {{.URL}}</a></li>{{end}}</ul>
<p>Tokens and the wallet password are in demo.json in the data folder. <span lang="ja">トークンとパスワードはデータフォルダの demo.json にあります。</span></p>
</main></body></html>
`))

// indexPage is GET /: links to every page, without secrets.
func (d *demo) indexPage(c echo.Context) error {
	var buf bytes.Buffer
	if err := demoIndex.Execute(&buf, d.info); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// ensureKeyFile creates a file of 32 random bytes (mode 0600, written atomically) unless it
// exists.
func ensureKeyFile(path string) error {
	_, err := os.Stat(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	return writeFileAtomic(path, k)
}

// writeJSONFile writes v as indented JSON, mode 0600, replacing path atomically.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes b to path (mode 0600) through a synced temporary file and a rename.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename itself is durable once the folder is synced.
	parent, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer func() { _ = parent.Close() }()
	return parent.Sync()
}
