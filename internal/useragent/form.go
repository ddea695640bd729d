package useragent

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// form is an HTML <form> and the controls that belong to it.
type form struct {
	node                    *html.Node
	id                      string
	action, method, enctype string
	controls                []*control
}

// control is one <input>, <button>, <select> or <textarea>.
type control struct {
	node     *html.Node
	tag      atom.Atom
	typ      string // lower-cased; an <input>'s defaults to "text", a <button>'s to "submit"
	name, id string
	value    string // the value attribute, or a <textarea>'s text
	label    string // a button's visible text, an image button's alt
	checked  bool
	disabled bool
	options  []option // a <select>'s
	multiple bool     // a <select multiple>
}

// option is one <option> of a <select>.
type option struct {
	value    string
	selected bool
	disabled bool
}

// field is one name=value pair of a form's entry list, in tree order.
type field struct{ name, value string }

func newForm(n *html.Node) *form {
	return &form{node: n, id: attr(n, "id"), action: attr(n, "action"),
		method: strings.ToLower(attr(n, "method")), enctype: strings.ToLower(attr(n, "enctype"))}
}

func newControl(n *html.Node) *control {
	c := &control{node: n, tag: n.DataAtom, typ: strings.ToLower(strings.TrimSpace(attr(n, "type"))),
		name: attr(n, "name"), id: attr(n, "id"), value: attr(n, "value"),
		checked: hasAttr(n, "checked"), disabled: hasAttr(n, "disabled") || inDisabledFieldset(n),
		multiple: hasAttr(n, "multiple")}
	switch n.DataAtom {
	case atom.Input:
		if c.typ == "" {
			c.typ = "text"
		}
		c.label = c.value
		if c.typ == "image" {
			c.label = attr(n, "alt")
		}
	case atom.Button:
		if c.typ != "reset" && c.typ != "button" {
			c.typ = "submit"
		}
		c.label = strings.Join(strings.Fields(textOf(n)), " ")
	case atom.Textarea:
		var b strings.Builder
		for t := n.FirstChild; t != nil; t = t.NextSibling {
			if t.Type == html.TextNode {
				b.WriteString(t.Data)
			}
		}
		c.value = strings.TrimPrefix(b.String(), "\n")
	case atom.Select:
		c.options = optionsOf(n)
	}
	return c
}

// inDisabledFieldset reports whether n is inside a <fieldset disabled>.
func inDisabledFieldset(n *html.Node) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		if a.DataAtom == atom.Fieldset && hasAttr(a, "disabled") {
			return true
		}
		if a.DataAtom == atom.Form {
			return false
		}
	}
	return false
}

// optionsOf returns the <option>s of a <select>, with their values (the value
// attribute, or the text).
func optionsOf(sel *html.Node) []option {
	var out []option
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Option {
			v := attr(n, "value")
			if !hasAttr(n, "value") {
				v = strings.Join(strings.Fields(textOf(n)), " ")
			}
			out = append(out, option{value: v, selected: hasAttr(n, "selected"), disabled: hasAttr(n, "disabled")})
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(sel)
	return out
}

// isSubmit reports whether c submits its form when pressed.
func (c *control) isSubmit() bool {
	return (c.tag == atom.Input && (c.typ == "submit" || c.typ == "image")) ||
		(c.tag == atom.Button && c.typ == "submit")
}

// isTextual reports whether c is a visible field a user types into.
func (c *control) isTextual() bool {
	if c.tag == atom.Textarea {
		return true
	}
	if c.tag != atom.Input {
		return false
	}
	switch c.typ {
	case "text", "email", "tel", "number", "search", "url":
		return true
	}
	return false
}

// submitters returns the form's enabled submit buttons, in tree order.
func (f *form) submitters() []*control {
	var out []*control
	for _, c := range f.controls {
		if c.isSubmit() && !c.disabled {
			out = append(out, c)
		}
	}
	return out
}

// password returns the form's first password field, or nil.
func (f *form) password() *control {
	for _, c := range f.controls {
		if c.tag == atom.Input && c.typ == "password" && !c.disabled {
			return c
		}
	}
	return nil
}

// named returns the form's enabled control called name, or nil.
func (f *form) named(name string) *control {
	for _, c := range f.controls {
		if c.name == name && !c.disabled && !c.isSubmit() {
			return c
		}
	}
	return nil
}

// textual returns the form's enabled visible text fields, in tree order.
func (f *form) textual() []*control {
	var out []*control
	for _, c := range f.controls {
		if c.isTextual() && !c.disabled {
			out = append(out, c)
		}
	}
	return out
}

// fieldNames lists the names of the form's visible fields, each once, for messages.
func (f *form) fieldNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range f.controls {
		if c.name != "" && !c.isSubmit() && c.typ != "hidden" && !seen[c.name] {
			seen[c.name] = true
			out = append(out, c.name)
		}
	}
	return out
}

// entries is the form's entry list as a browser builds it (HTML Living
// Standard, "constructing the entry list"): enabled named controls in tree
// order, hidden ones kept, checkboxes and radios only when checked, a select's
// selected options (its first enabled one when none is selected), only the
// pressed submitter (image buttons as name.x and name.y), fill overriding the
// values of the controls it holds.
func (f *form) entries(submitter *control, fill map[*control]string) []field {
	var out []field
	for _, c := range f.controls {
		if c.disabled || (c.name == "" && c.typ != "image") {
			continue
		}
		if v, ok := fill[c]; ok {
			out = append(out, field{c.name, v})
			continue
		}
		out = append(out, c.entries(c == submitter)...)
	}
	return out
}

// entries returns c's own entries, pressed telling whether c is the submitter.
func (c *control) entries(pressed bool) []field {
	switch {
	case c.isSubmit() || c.typ == "reset" || c.typ == "button":
		if !pressed {
			return nil
		}
		if c.typ == "image" {
			prefix := c.name
			if prefix != "" {
				prefix += "."
			}
			return []field{{prefix + "x", "0"}, {prefix + "y", "0"}}
		}
		return []field{{c.name, c.value}}
	case c.tag == atom.Select:
		return c.selected()
	case c.typ == "checkbox" || c.typ == "radio":
		if !c.checked {
			return nil
		}
		v := c.value
		if !hasAttr(c.node, "value") {
			v = "on"
		}
		return []field{{c.name, v}}
	case c.typ == "file":
		return nil // no file is ever chosen
	}
	return []field{{c.name, c.value}}
}

// selected returns a <select>'s entries.
func (c *control) selected() []field {
	var out []field
	for _, o := range c.options {
		if o.selected && !o.disabled {
			out = append(out, field{c.name, o.value})
		}
	}
	if len(out) == 0 && !c.multiple {
		for _, o := range c.options {
			if !o.disabled {
				return []field{{c.name, o.value}}
			}
		}
	}
	return out
}

// encode returns fields as application/x-www-form-urlencoded, in order.
func encode(fields []field) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(f.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f.value))
	}
	return b.String()
}
