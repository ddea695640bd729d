package reference

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldError is a configuration value that does not validate. Field is its
// path in the YAML, e.g. "ucommerce.stores[1].client_id".
type FieldError struct {
	Field   string
	Problem string
}

// Error implements error: "field: problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// valueError is a scalar that does not decode (a bad duration), at its position.
type valueError struct {
	line, column int
	problem      string
}

func (e *valueError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.problem) }

// parseConfig decodes a configuration file over the demo configuration and
// validates it. Every error names its line: decoding errors by yaml's own
// positions, semantic ones (FieldError) by the line of the field at fault, or
// of its nearest ancestor the file sets. A second YAML document is refused.
func parseConfig(data []byte) (Config, error) {
	doc, err := singleDocument(data)
	if err != nil {
		return Config{}, err
	}
	c := DemoConfig()
	if err := decodeStrict(data, &c); err != nil {
		return Config{}, namePaths(err, doc)
	}
	if err := c.Validate(); err != nil {
		return Config{}, withLines(err, doc)
	}
	return c, nil
}

// namePaths adds the field's path to decoding errors that lack it: a bad
// duration, and yaml's "cannot unmarshal" type errors (unknown fields already
// name theirs).
func namePaths(err error, doc *yaml.Node) error {
	var ve *valueError
	if errors.As(err, &ve) {
		if p := pathAt(doc, ve.line, ve.column); p != "" {
			return fmt.Errorf("line %d: %s: %s", ve.line, p, ve.problem)
		}
		return err
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		var line int
		if _, scanErr := fmt.Sscanf(m, "line %d:", &line); scanErr != nil || !strings.Contains(m, "cannot unmarshal") {
			continue
		}
		if p := pathAt(doc, line, 0); p != "" {
			prefix := fmt.Sprintf("line %d: ", line)
			msgs[i] = prefix + p + ": " + strings.TrimPrefix(m, prefix)
		}
	}
	return &yaml.TypeError{Errors: msgs}
}

// singleDocument parses data as YAML nodes and refuses a second document; it
// returns the first (nil for an empty file).
func singleDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first, second yaml.Node
	if err := dec.Decode(&first); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	switch err := dec.Decode(&second); {
	case errors.Is(err, io.EOF):
		return &first, nil
	case err != nil:
		return nil, err
	}
	line := second.Line
	if len(second.Content) > 0 {
		line = second.Content[0].Line
	}
	return nil, fmt.Errorf("line %d: a second YAML document; a configuration file holds exactly one (remove the \"---\" and what follows, or merge it into the first)", line)
}

// withLines prefixes each FieldError of err (one or errors.Join of many) with
// the line of its field in doc.
func withLines(err error, doc *yaml.Node) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) {
			if line := lineOf(doc, fe.Field); line > 0 {
				e = fmt.Errorf("line %d: %w", line, e)
			} else {
				e = fmt.Errorf("%w (a value of the demo configuration the file keeps)", e)
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// lineOf returns the line of the deepest node on path ("a.b[2].c") that doc
// has: a mapping key's own line, a sequence item's line; 0 if not even the
// first segment is in doc.
func lineOf(doc *yaml.Node, path string) int {
	if doc == nil || len(doc.Content) == 0 {
		return 0
	}
	n, line := doc.Content[0], 0
	for _, seg := range pathSegments(path) {
		next, at := child(n, seg)
		if next == nil {
			break
		}
		n, line = next, at
	}
	return line
}

// child returns the value under seg (a key, or "[i]") of a mapping or
// sequence node, and the line that names it.
func child(n *yaml.Node, seg string) (*yaml.Node, int) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if i, ok := strings.CutPrefix(seg, "["); ok {
		idx, err := strconv.Atoi(strings.TrimSuffix(i, "]"))
		if n.Kind != yaml.SequenceNode || err != nil || idx < 0 || idx >= len(n.Content) {
			return nil, 0
		}
		return n.Content[idx], n.Content[idx].Line
	}
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == seg {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

// pathSegments splits "a.b[2].c" into "a", "b", "[2]", "c".
func pathSegments(path string) []string {
	var segs []string
	for _, part := range strings.Split(path, ".") {
		if i := strings.IndexByte(part, '['); i > 0 {
			segs = append(segs, part[:i])
			part = part[i:]
		}
		for part != "" {
			j := strings.IndexByte(part, ']')
			if j < 0 {
				segs = append(segs, part)
				break
			}
			segs = append(segs, part[:j+1])
			part = part[j+1:]
		}
	}
	return segs
}

// pathAt returns the path ("a.b[2].c") of the value at line and column in
// doc (column 0: the first value on that line), or "" if there is none.
func pathAt(doc *yaml.Node, line, column int) string {
	if doc == nil || len(doc.Content) == 0 {
		return ""
	}
	var walk func(n *yaml.Node, path string, depth int) string
	walk = func(n *yaml.Node, path string, depth int) string {
		if n.Line == line && (n.Column == column || column == 0) && path != "" {
			return path
		}
		if depth > 64 {
			return ""
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if p := walk(n.Content[i+1], joinPath(path, n.Content[i].Value), depth+1); p != "" {
					return p
				}
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				if p := walk(item, fmt.Sprintf("%s[%d]", path, i), depth+1); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(doc.Content[0], "", 0)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
