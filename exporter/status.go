package exporter

import (
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"text/template"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

//go:embed status.html
var statusHTML string

// statusTemplate is text/template, not html/template: the page is small
// and its contexts few (element text, quoted attributes, one query
// value), and html/template costs the release binary 0.29 MB. So every
// action that prints ends in h (HTML text and quoted attributes) or q (a
// URL query value, then HTML); TestStatusTemplateEscapesEveryOutput holds
// every action of status.html to that.
var statusTemplate = template.Must(template.New("status").Funcs(template.FuncMap{
	"h": func(v any) string { return template.HTMLEscapeString(fmt.Sprint(v)) },
	"q": func(v any) string { return template.HTMLEscapeString(url.QueryEscape(fmt.Sprint(v))) },
	"ago": func(now, t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return humanAgo(now.Sub(t))
	},
	"ms": func(d time.Duration) string {
		if d < time.Millisecond {
			return "<1ms"
		}
		if d < time.Second {
			return fmt.Sprintf("%dms", d.Milliseconds())
		}
		return fmt.Sprintf("%.1fs", d.Seconds())
	},
	"stamp": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"expiry": func(now, t time.Time) string {
		switch {
		case t.IsZero():
			return "–"
		case t.Before(now):
			return "expired " + humanAgo(now.Sub(t))
		}
		return fmt.Sprintf("expires in %dd", int(t.Sub(now).Hours()/24))
	},
	// mark is the text report's mark of a verdict: a warning is "!", not
	// the "✓" of a pass, though both exit 0.
	"mark": report.Mark,
	"dash": func(s string) string {
		if s == "" {
			return "–"
		}
		return s
	},
}).Parse(statusHTML))

type statusRow struct {
	Name, URI string
	Last      *record
}

type statusPage struct {
	Version    string
	Now        time.Time
	File       string
	LoadedAt   time.Time
	ReloadErr  string
	ReloadedAt time.Time
	Rows       []statusRow
	Failures   []*record
	Keep       int
	Hide       bool // --web.hide-reports: verdicts and failing steps only
	Passing    int
	Failing    int
	Unprobed   int
}

// serveStatus is the page a person opens first: every target with its last
// result, and the reports of the last failures, newest first, kept after
// the target recovered.
func (e *Exporter) serveStatus(w http.ResponseWriter, _ *http.Request) {
	e.mu.RLock()
	file, loadedAt, reloadErr, reloadedAt := e.file, e.loadedAt, e.reloadErr, e.reloadedAt
	e.mu.RUnlock()
	last, failures := e.hist.snapshot()
	p := statusPage{
		Version: e.cfg.Version, Now: e.cfg.Now(), File: e.cfg.Path, LoadedAt: loadedAt,
		ReloadedAt: reloadedAt, Failures: failures, Keep: e.cfg.KeepFailures,
		Hide: e.cfg.HideReports,
	}
	switch {
	case reloadErr != nil && e.cfg.HideReports:
		// The error quotes the file, which may name hosts.
		p.ReloadErr = "its error is in the exporter's log"
	case reloadErr != nil:
		p.ReloadErr = reloadErr.Error()
		if h := hintOf(reloadErr); h != "" {
			p.ReloadErr += " (hint: " + h + ")"
		}
	}
	for _, t := range file.Targets {
		row := statusRow{Name: t.Name, Last: last[t.Name]}
		if !e.cfg.HideReports {
			row.URI = t.URI
		}
		switch {
		case row.Last == nil:
			p.Unprobed++
		case row.Last.ExitCode == checks.ExitHealthy:
			p.Passing++
		default:
			p.Failing++
		}
		p.Rows = append(p.Rows, row)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusTemplate.Execute(w, p); err != nil {
		e.cfg.Logger.Error("status page", "err", err.Error())
	}
}

func humanAgo(d time.Duration) string {
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}
