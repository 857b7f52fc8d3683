package exporter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// fakeAccess stands for a report that carries the access check's typed
// findings.
type fakeAccess struct {
	db, mode string
	ok       bool
}

func (f fakeAccess) DatabaseAccess() (string, string, bool) { return f.db, f.mode, f.ok }

// TestAccessMetric: neo4j_doctor_database_access is a state set over
// AccessModes for the database reached, present only when the mode is
// known and is one of them.
func TestAccessMetric(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		src  any
		want string // the exposition, "" for no metric
	}{
		{"read-only", fakeAccess{"movies", "read-only", true}, `
# HELP neo4j_doctor_database_access The access mode of the database the diagnosis reached (named, or the user's home) as SHOW DATABASES reports it, as a state set: 1 for its mode, read-write or read-only, 0 for the other; present once the access check read it.
# TYPE neo4j_doctor_database_access gauge
neo4j_doctor_database_access{database="movies",mode="read-only"} 1
neo4j_doctor_database_access{database="movies",mode="read-write"} 0
`},
		{"read-write", fakeAccess{"neo4j", "read-write", true}, `
# HELP neo4j_doctor_database_access The access mode of the database the diagnosis reached (named, or the user's home) as SHOW DATABASES reports it, as a state set: 1 for its mode, read-write or read-only, 0 for the other; present once the access check read it.
# TYPE neo4j_doctor_database_access gauge
neo4j_doctor_database_access{database="neo4j",mode="read-only"} 0
neo4j_doctor_database_access{database="neo4j",mode="read-write"} 1
`},
		{"not learnt", fakeAccess{"neo4j", "", false}, ""},
		{"a mode nobody alerts on", fakeAccess{"neo4j", "read-mostly", true}, ""},
		{"a report without the access check's data", &checks.Report{}, ""},
		{"nothing", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			accessMetric(reg, tc.src)
			fams, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			for _, f := range fams {
				if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
					t.Fatal(err)
				}
			}
			if got := b.String(); got != strings.TrimPrefix(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if problems, err := promlint.NewWithMetricFamilies(fams).Lint(); err != nil || len(problems) != 0 {
				t.Errorf("promlint: %v %v", problems, err)
			}
		})
	}
}

// TestDatabaseAccessWired: once the access check is registered, a report
// must give its access mode as typed data (DatabaseAccessor), or the
// metric documented in the README would never appear.
func TestDatabaseAccessWired(t *testing.T) {
	t.Parallel()
	for _, c := range checks.Checks() {
		if c.ID != "access" {
			continue
		}
		if _, ok := any(&checks.Report{}).(DatabaseAccessor); !ok {
			t.Fatal("the access check is registered, but *checks.Report does not implement exporter.DatabaseAccessor: " +
				"give it DatabaseAccess() (database, mode string, ok bool), read from the typed data the access check leaves in the report")
		}
	}
}
