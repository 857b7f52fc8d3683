package routing

import (
	"context"
	"fmt"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// Method names how a table was obtained, for the report.
const (
	MethodRoute      = "ROUTE"
	MethodProcedure4 = "dbms.routing.getRoutingTable"
	MethodProcedure3 = "dbms.cluster.routing.getRoutingTable"
)

// Fetch asks the server for the routing table of db ("" = the home
// database) the way a driver speaking version v would: ROUTE from 4.3, the
// routing procedure on the system database for 4.0 to 4.2, the cluster
// procedure for Bolt 3.
func Fetch(ctx context.Context, c *bolt.Conn, v bolt.Version, rctx map[string]string, db string) (*Table, string, error) {
	switch {
	case v.Major > 4 || v.Major == 4 && v.Minor >= 3:
		rt, err := c.Route(ctx, bolt.RouteRequest{Context: rctx, Database: db})
		if err != nil {
			return nil, MethodRoute, err
		}
		t, err := Parse(rt)
		return t, MethodRoute, err
	case v.Major == 4:
		var dbParam any
		if db != "" {
			dbParam = db
		}
		res, err := c.Query(ctx, "CALL dbms.routing.getRoutingTable($context, $database)",
			map[string]any{"context": stringMap(rctx), "database": dbParam},
			map[string]any{"mode": "r", "db": "system"})
		if err != nil {
			return nil, MethodProcedure4, err
		}
		t, err := fromRecord(res)
		return t, MethodProcedure4, err
	default:
		res, err := c.Query(ctx, "CALL dbms.cluster.routing.getRoutingTable($context)",
			map[string]any{"context": stringMap(rctx)}, map[string]any{"mode": "r"})
		if err != nil {
			return nil, MethodProcedure3, err
		}
		t, err := fromRecord(res)
		return t, MethodProcedure3, err
	}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// fromRecord turns the procedures' single record (ttl, servers) into the
// shape ROUTE returns.
func fromRecord(res bolt.QueryResult) (*Table, error) {
	if len(res.Records) != 1 {
		return nil, fmt.Errorf("%w: the procedure returned %d records, not 1", ErrMalformed, len(res.Records))
	}
	rec := res.Records[0]
	rt := map[string]any{}
	for i, f := range res.Fields {
		if i < len(rec) {
			rt[f] = rec[i]
		}
	}
	return Parse(rt)
}
