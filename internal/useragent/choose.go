package useragent

import (
	"strings"
	"unicode"
)

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// hasWord reports whether any word of texts starts with one of prefixes
// (a prefix ending in "=" must match a whole word).
func hasWord(prefixes []string, texts ...string) bool {
	for _, t := range texts {
		for _, w := range words(t) {
			for _, p := range prefixes {
				if exact, ok := strings.CutSuffix(p, "="); ok && w == exact || !ok && strings.HasPrefix(w, p) {
					return true
				}
			}
		}
	}
	return false
}

// approving and refusing are the words of consent buttons (Keycloak's
// "Yes"/"No", Hydra's "Allow access"/"Deny access", oidc-provider's
// "Continue", "Authorize", "Accept", "Grant"…). A refusing word wins.
func approving() []string {
	return []string{"approv", "allow", "accept", "authori", "yes=", "continu", "consent", "grant", "confirm", "agree", "ok="}
}

func refusing() []string {
	return []string{"deny", "denie", "cancel", "reject", "declin", "abort", "refus", "no=", "not=", "disallow",
		"back=", "logout", "signout", "switch", "forgot", "regist", "signup", "reset", "help="}
}

// signingIn are the words of a sign-in form's submit.
func signingIn() []string {
	return []string{"login", "log=", "logon", "sign", "submit", "continu", "next=", "enter", "ok=", "go="}
}

// texts returns what identifies a submit button to a user or a page author.
func (c *control) texts() []string { return []string{c.name, c.value, c.id, c.label} }

// matches reports whether want names c by its name, value, id or visible text.
func (c *control) matches(want string) bool {
	for _, t := range c.texts() {
		if t != "" && strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(want)) {
			return true
		}
	}
	return false
}

// approves reports whether c reads as the approving submit of a consent page.
func (c *control) approves() bool {
	return hasWord(approving(), c.texts()...) && !hasWord(refusing(), c.texts()...)
}

// refuses reports whether c reads as a cancel, deny or navigation button.
func (c *control) refuses() bool { return hasWord(refusing(), c.texts()...) }

// signInSubmit returns the submit to press on a sign-in form: the first that
// reads as signing in, else the first that does not refuse (the form's
// default button, as pressing Enter would), else nil (implicit submission).
func (f *form) signInSubmit() *control {
	subs := f.submitters()
	for _, c := range subs {
		if hasWord(signingIn(), c.texts()...) && !c.refuses() {
			return c
		}
	}
	for _, c := range subs {
		if !c.refuses() {
			return c
		}
	}
	return nil
}

// usernameField returns the field the username goes in: the text or email
// field before pw (after it when there is none before), preferring
// autocomplete=username or email, type=email, then names like user, login,
// email, identifier or account; nil when the form has no such field.
func (f *form) usernameField(pw *control) *control {
	var before, after []*control
	seen := false
	for _, c := range f.controls {
		switch {
		case c == pw:
			seen = true
		case c.isTextual() && c.typ != "number" && !c.disabled:
			if seen {
				after = append(after, c)
			} else {
				before = append(before, c)
			}
		}
	}
	if c := likelyUsername(before); c != nil {
		return c
	}
	if len(before) > 0 {
		return before[len(before)-1]
	}
	if c := likelyUsername(after); c != nil {
		return c
	}
	if len(after) > 0 {
		return after[0]
	}
	return nil
}

// likelyUsername returns the field of list that most looks like a username.
func likelyUsername(list []*control) *control {
	for _, c := range list {
		if ac := strings.ToLower(attr(c.node, "autocomplete")); strings.Contains(ac, "username") || strings.Contains(ac, "email") {
			return c
		}
	}
	for _, c := range list {
		if c.typ == "email" || hasWord([]string{"user", "login", "email", "mail=", "identifier", "account", "uname", "uid="}, c.name, c.id) {
			return c
		}
	}
	return nil
}

// identifierField returns the username field of a form that asks for the
// username alone, as the first page of an identifier-first sign-in does: no
// password field, and a text field named field, or (field "") a single text
// field that looks like a username. It returns nil for any other form.
func (f *form) identifierField(field string) *control {
	if f.password() != nil {
		return nil
	}
	if field != "" {
		if c := f.named(field); c != nil && c.isTextual() {
			return c
		}
		return nil
	}
	texts := f.textual()
	if len(texts) != 1 {
		return nil
	}
	return likelyUsername(texts)
}
