package reference

import (
	"bytes"
	"html/template"
	"net/http"
)

// pageData fills the login flow's templates.
type pageData struct {
	Title    string
	Nonce    string // the inline script's CSP nonce
	Action   string
	CSRF     string
	Username string
	Error    string
	Client   string
	Scopes   []string
	Message  string
}

// loginPages holds the sign-in (server-rendered and script-built), consent and
// error pages. html/template escapes every value for its context (HTML,
// attribute, or JavaScript string in the script page).
var loginPages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:28em;margin:3em auto}label{display:block;margin:.8em 0}.error{color:#b00}</style>
</head><body>{{end}}

{{define "login-form"}}{{template "head" .}}
<main><h1>Sign in</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label>Username <input type="text" name="username" autocomplete="username" value="{{.Username}}" required autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></main></body></html>{{end}}

{{define "login-script"}}{{template "head" .}}
<main id="signin"><h1>Sign in</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<noscript><p>This sign-in page needs JavaScript.</p></noscript>
</main>
<script nonce="{{.Nonce}}">
(function () {
  var cfg = {action: {{.Action}}, csrf: {{.CSRF}}, username: {{.Username}}};
  var form = document.createElement("form");
  form.method = "post";
  form.action = cfg.action;
  function input(type, name, value) {
    var i = document.createElement("input");
    i.type = type; i.name = name; i.value = value || "";
    return i;
  }
  function labelled(text, el) {
    var l = document.createElement("label");
    l.appendChild(document.createTextNode(text + " "));
    l.appendChild(el);
    return l;
  }
  form.appendChild(input("hidden", "csrf", cfg.csrf));
  var user = input("text", "username", cfg.username);
  user.autocomplete = "username"; user.required = true;
  form.appendChild(labelled("Username", user));
  var pass = input("password", "password", "");
  pass.autocomplete = "current-password"; pass.required = true;
  form.appendChild(labelled("Password", pass));
  var submit = document.createElement("button");
  submit.type = "submit"; submit.textContent = "Sign in";
  form.appendChild(submit);
  document.getElementById("signin").appendChild(form);
  user.focus();
})();
</script></body></html>{{end}}

{{define "consent"}}{{template "head" .}}
<main><h1>Authorize {{.Client}}</h1>
<p>Signed in as <strong>{{.Username}}</strong>. <strong>{{.Client}}</strong> asks for access to your account{{if .Scopes}} with these scopes:{{else}}.{{end}}</p>
{{if .Scopes}}<ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></main></body></html>{{end}}

{{define "error"}}{{template "head" .}}
<main><h1>Sign-in error</h1><p class="error" role="alert">{{.Message}}</p></main></body></html>{{end}}
`))

// writePage renders template name with the headers a sign-in page needs: no
// caching, no framing (clickjacking, RFC 6749 §10.13), no referrer, and a
// content security policy that runs only the page's own nonce-tagged script.
func writePage(w http.ResponseWriter, status int, name string, data pageData) {
	data.Nonce = randHex(16)
	var b bytes.Buffer
	if err := loginPages.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+data.Nonce+"'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// loginPage shows the sign-in page of it, with an error text when one is given.
func (l *loginFlow) loginPage(w http.ResponseWriter, it *interaction, status int, username, errText string) {
	name := "login-form"
	if l.mode == LoginScript {
		name = "login-script"
	}
	writePage(w, status, name, pageData{Title: "Sign in · oauthconf reference", Action: interactionPath(it, "login"), CSRF: it.csrf, Username: username, Error: errText})
}

// consentPage asks the signed-in resource owner to approve it's client and scope.
func (l *loginFlow) consentPage(w http.ResponseWriter, it *interaction) {
	user := ""
	if s, ok := l.sessions.get(it.sessionID); ok {
		user = s.username()
	}
	writePage(w, http.StatusOK, "consent", pageData{Title: "Authorize " + it.ar.client.ClientID + " · oauthconf reference",
		Action: interactionPath(it, "consent"), CSRF: it.csrf, Client: it.ar.client.ClientID, Scopes: scopeList(it.ar.scope), Username: user})
}

// errorPage shows why an interaction cannot go on.
func (l *loginFlow) errorPage(w http.ResponseWriter, status int, msg string) {
	writePage(w, status, "error", pageData{Title: "Sign-in error · oauthconf reference", Message: msg})
}
