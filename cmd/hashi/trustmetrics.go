package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hashi-vc/hashi/trustlist"
)

var (
	trustLoadedDesc = prometheus.NewDesc("hashi_trustlist_loaded",
		"1 when the list contributes trust (verified, from the network, the last good copy or the cache), else 0.",
		[]string{"list", "territory", "url"}, nil)
	trustAgeDesc = prometheus.NewDesc("hashi_trustlist_age_seconds",
		"Seconds since the loaded list's issue date (ListIssueDateTime).",
		[]string{"list", "territory", "url"}, nil)
	trustNextDesc = prometheus.NewDesc("hashi_trustlist_next_update_seconds",
		"Seconds until the loaded list's NextUpdate; negative once the list is stale.",
		[]string{"list", "territory", "url"}, nil)
	trustSequenceDesc = prometheus.NewDesc("hashi_trustlist_sequence_number",
		"The loaded list's sequence number.",
		[]string{"list", "territory", "url"}, nil)
)

// trustCollector exposes the state of a refresher's lists at scrape time.
type trustCollector struct {
	src interface{ Snapshot() *trustlist.Snapshot }
	now func() time.Time
}

// trustMetrics returns a collector of the lists of src.
func trustMetrics(src interface{ Snapshot() *trustlist.Snapshot }, now func() time.Time) prometheus.Collector {
	return trustCollector{src: src, now: now}
}

func (c trustCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{trustLoadedDesc, trustAgeDesc, trustNextDesc, trustSequenceDesc} {
		ch <- d
	}
}

func (c trustCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.src.Snapshot()
	if snap == nil {
		return
	}
	now := c.now()
	for _, st := range snap.Lists {
		if st.Role == trustlist.RolePivot {
			continue
		}
		labels := []string{st.Label, st.Territory, st.URL}
		if st.List == nil {
			ch <- prometheus.MustNewConstMetric(trustLoadedDesc, prometheus.GaugeValue, 0, labels...)
			continue
		}
		ch <- prometheus.MustNewConstMetric(trustLoadedDesc, prometheus.GaugeValue, 1, labels...)
		ch <- prometheus.MustNewConstMetric(trustAgeDesc, prometheus.GaugeValue, now.Sub(st.IssueDate).Seconds(), labels...)
		if !st.NextUpdate.IsZero() {
			ch <- prometheus.MustNewConstMetric(trustNextDesc, prometheus.GaugeValue, st.NextUpdate.Sub(now).Seconds(), labels...)
		}
		ch <- prometheus.MustNewConstMetric(trustSequenceDesc, prometheus.GaugeValue, float64(st.SequenceNumber), labels...)
	}
}
