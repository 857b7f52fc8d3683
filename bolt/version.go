package bolt

import (
	"fmt"
	"strings"
)

// Version is a negotiated Bolt protocol version.
type Version struct {
	Major, Minor uint8
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// less orders versions so "highest" has one meaning everywhere.
func (v Version) less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	return v.Minor < w.Minor
}

// atLeast reports v >= major.minor.
func (v Version) atLeast(major, minor uint8) bool {
	return !v.less(Version{major, minor})
}

// Range is a handshake version entry: Minor-Back..Minor of one major
// (the 4.3-style encoding that both proposals and manifest offers use).
type Range struct {
	Major, Minor, Back uint8
}

// ManifestV1 is the proposal slot that asks a 5.26+/2025.x server for the
// manifest handshake; older servers skip it.
const ManifestV1 uint32 = 0x000001FF

// DefaultProposals: manifest v1, 5.8..5.0, 4.4..4.2, 3.0 — what current
// official drivers send, so the server sees a familiar handshake.
var DefaultProposals = [4]uint32{ManifestV1, 0x00080805, 0x00020404, 0x00000003}

// LegacyProposals: for servers that predate version ranges (4.0-4.2 read
// each slot as one exact version, so 4.1 and 4.0 need slots of their own).
// Useful as a second attempt after DefaultProposals got ErrNoCommonVersion.
var LegacyProposals = [4]uint32{0x00020404, 0x00000104, 0x00000004, 0x00000003}

// RangeFromUint32 decodes a proposal or offer; bytes are 00 back minor major.
func RangeFromUint32(u uint32) Range {
	return Range{Major: uint8(u), Minor: uint8(u >> 8), Back: uint8(u >> 16)}
}

// Uint32 encodes r the way it goes on the wire.
func (r Range) Uint32() uint32 {
	return uint32(r.Back)<<16 | uint32(r.Minor)<<8 | uint32(r.Major)
}

// low is the oldest minor covered; a Back larger than Minor (which servers
// reject) is clamped rather than wrapped.
func (r Range) low() uint8 {
	if r.Back > r.Minor {
		return 0
	}
	return r.Minor - r.Back
}

// Contains reports whether v is within the range.
func (r Range) Contains(v Version) bool {
	return v.Major == r.Major && v.Minor <= r.Minor && v.Minor >= r.low()
}

func (r Range) String() string {
	if r.Major == 0xFF {
		return fmt.Sprintf("manifest v%d", r.Minor)
	}
	if r.low() == r.Minor {
		return Version{r.Major, r.Minor}.String()
	}
	return fmt.Sprintf("%d.%d..%d.%d", r.Major, r.Minor, r.Major, r.low())
}

// Supported reports whether this client implements v. 5.5 was never
// negotiated by any server and 6.x needs types we do not decode.
func Supported(v Version) bool {
	switch v.Major {
	case 3:
		return v.Minor == 0
	case 4:
		return v.Minor <= 4
	case 5:
		return v.Minor <= 8 && v.Minor != 5
	}
	return false
}

// supportedList is for error texts, so users see both sides of a mismatch.
const supportedList = "3.0, 4.0-4.4, 5.0-5.4, 5.6-5.8"

func describeProposals(p [4]uint32) string {
	var parts []string
	for _, u := range p {
		if u != 0 {
			parts = append(parts, RangeFromUint32(u).String())
		}
	}
	return strings.Join(parts, ", ")
}

func describeRanges(rs []Range) string {
	if len(rs) == 0 {
		return "nothing"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}
