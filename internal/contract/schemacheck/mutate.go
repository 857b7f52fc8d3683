package schemacheck

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Mutation is a document broken in one place.
type Mutation struct {
	Name string // where and how, e.g. ".checks[0].facts null"
	Doc  []byte
}

// ShapeMutations breaks doc, one JSON value, once per place and kind:
// each key deleted, set to null, and set to a value of another JSON
// type, and an unknown key added to each object. Arrays are entered at
// their first element only, the others having the same shape; the values
// at the paths in skip (".report") are mutated but not entered.
//
// It is for differential tests: a strict decoder that stands in for the
// schema at run time must refuse such a document exactly when Validate
// does.
func ShapeMutations(doc []byte, skip ...string) ([]Mutation, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // numbers come back out as they went in
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	var out []Mutation
	var err error
	emit := func(name string) {
		b, e := json.Marshal(root)
		if e != nil && err == nil {
			err = e
		}
		out = append(out, Mutation{name, b})
	}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		if slices.Contains(skip, path) {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			x["zzUnknown"] = true
			emit(path + ": unknown key")
			delete(x, "zzUnknown")
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				old, p := x[k], path+"."+k
				delete(x, k)
				emit(p + " deleted")
				x[k] = nil
				emit(p + " null")
				x[k] = otherType(old)
				emit(p + " of another type")
				x[k] = old
				walk(old, p)
			}
		case []any:
			if len(x) > 0 {
				old := x[0]
				x[0] = otherType(old)
				emit(path + "[0] of another type")
				x[0] = old
				walk(old, path+"[0]")
			}
		}
	}
	walk(root, "")
	return out, err
}

func otherType(v any) any {
	switch v.(type) {
	case string:
		return 12345
	case map[string]any:
		return []any{}
	case []any:
		return map[string]any{}
	}
	return "a string"
}
