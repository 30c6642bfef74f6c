package httpx

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness is the JSON body of GET /readyz.
type Readiness struct {
	// Status is "ready", "not_ready" (a check failed) or "shutting_down".
	Status string `json:"status"`
	// Checks lists every registered check in registration order; it is empty while
	// shutting down, when no check is run.
	Checks []CheckResult `json:"checks"`
}

// CheckResult is the outcome of one readiness check.
type CheckResult struct {
	// Name is the check's name as given to WithReadiness.
	Name string `json:"name"`
	// Status is "ok" or "fail".
	Status string `json:"status"`
	// Error is the failed check's error text, cut to 256 bytes. The ops listener is for
	// operators only; keep it off public networks.
	Error string `json:"error,omitempty"`
}

func writeOpsJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// healthz is liveness: the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeOpsJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz runs every readiness check concurrently, each with its own deadline, and answers
// 200 when all pass and 503 when any fails or the server is shutting down.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeOpsJSON(w, http.StatusServiceUnavailable, Readiness{Status: "shutting_down", Checks: []CheckResult{}})
		return
	}
	results := make([]CheckResult, len(s.cfg.checks))
	var wg sync.WaitGroup
	for i, nc := range s.cfg.checks {
		wg.Go(func() {
			results[i] = CheckResult{Name: nc.name, Status: "ok"}
			if err := runCheck(r.Context(), nc.check); err != nil {
				results[i].Status = "fail"
				results[i].Error = truncate(err.Error(), maxReadinessErrorLen)
				s.logger.LogAttrs(r.Context(), slog.LevelWarn, "readiness check failed",
					slog.String("check", nc.name), slog.String("error", truncate(err.Error(), maxLoggedErrorLen)))
			}
		})
	}
	wg.Wait()
	body := Readiness{Status: "ready", Checks: results}
	status := http.StatusOK
	for _, res := range results {
		if res.Status != "ok" {
			body.Status = "not_ready"
			status = http.StatusServiceUnavailable
		}
	}
	writeOpsJSON(w, status, body)
}

// runCheck runs one check with a deadline and turns a panic into a failure.
func runCheck(ctx context.Context, check Check) (err error) {
	ctx, cancel := context.WithTimeout(ctx, readinessCheckTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("check panicked: %v", r)
		}
	}()
	return check(ctx)
}

// metricsHandler serves the service's registry in the Prometheus exposition formats.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: opsMaxRequestsInFlight,
	})
}
