package bolt

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// Summaries are for people reading a report: short, one line, and cut
// before a hostile server's megabyte string can bloat it.
const (
	maxSummary     = 240
	maxSummaryStr  = 80
	maxHex         = 256
	maxSummaryKeys = 32
)

// summarize renders a message as `NAME field field`.
func summarize(name string, fields ...any) string {
	var b strings.Builder
	b.WriteString(name)
	for _, f := range fields {
		b.WriteByte(' ')
		formatValue(&b, f)
		if b.Len() > maxSummary {
			break
		}
	}
	return clip.String(b.String(), maxSummary)
}

// formatValue writes a PackStream value in a JSON-like form with unquoted
// keys. It stops descending once the summary is long enough, which also
// bounds the work on deep or wide values.
func formatValue(b *strings.Builder, v any) {
	if b.Len() > maxSummary {
		b.WriteString("…")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case int, int8, int16, int32, uint8, uint16, uint32, float32:
		fmt.Fprint(b, x) // parameters as the caller gave them
	case string:
		b.WriteString(strconv.Quote(clip.String(x, maxSummaryStr)))
	case []byte:
		fmt.Fprintf(b, "bytes(%d)", len(x))
	case []string:
		list := make([]any, len(x))
		for i, s := range x {
			list[i] = s
		}
		formatValue(b, list)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > maxSummary {
				b.WriteString("…")
				break
			}
			formatValue(b, e)
		}
		b.WriteByte(']')
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		formatValue(b, m)
	case map[string]any:
		if len(x) > maxSummaryKeys {
			// Sorting a hostile million-key map for one log line is not worth it.
			fmt.Fprintf(b, "{%d entries}", len(x))
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() > maxSummary {
				b.WriteString("…")
				break
			}
			b.WriteString(clip.String(k, maxSummaryStr))
			b.WriteString(": ")
			formatValue(b, x[k])
		}
		b.WriteByte('}')
	case *packstream.Struct:
		fmt.Fprintf(b, "Struct(0x%02X)", x.Tag)
		formatValue(b, x.Fields)
	case packstream.Struct:
		formatValue(b, &x)
	default:
		fmt.Fprintf(b, "%T", v)
	}
}

// hexDump renders bytes as spaced hex pairs, cut at maxHex bytes.
func hexDump(p []byte) string {
	if len(p) > maxHex {
		return fmt.Sprintf("% x … (%d bytes)", p[:maxHex], len(p))
	}
	return fmt.Sprintf("% x", p)
}
