package profile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad fuzzes the profile loader with arbitrary YAML: Load (from a file)
// and Parse agree, neither panics, every refusal has a message, and an
// accepted profile can build a token request for each grant it supports
// (credential errors allowed). Seeded with the built-in profiles.
func FuzzLoad(f *testing.F) {
	for _, name := range Builtin() {
		data, err := BuiltinYAML(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "---\n", "name: x\n", "name: x\ntoken: {path: /t}\ngrants: {client_credentials: {}}\n",
		"name: x\ntoken: {path: /t}\nauthorize: {path: /a, code_ttl: soon}\ngrants: {authorization_code: {}}\n",
		"name: &a x\ntoken: {path: *a}\ngrants: {password: {params: {username: '${user}'}}}\n",
		"name: x\n---\nname: y\n", "grants: [\n",
		"name: x\ntoken: {path: /t}\ncredentials: {username: {}, password: {}}\ngrants: {authorization_code: {}}\n" +
			"authorize: {path: /a, login: {mode: browser, allowed_origins: [https://idp.test], steps: [{action: fill, selector: '#u', value: '{username}'}]}}\n",
		"name: x\ntoken: {path: /t}\nauthorize: {path: /a, login: [x]}\ngrants: {authorization_code: {}}\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, perr := Parse(data, "fuzz")
		path := filepath.Join(dir, "p.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		loaded, lerr := Load(path)
		if (perr == nil) != (lerr == nil) {
			t.Fatalf("Parse and Load disagree: %v / %v", perr, lerr)
		}
		if perr != nil {
			if perr.Error() == "" {
				t.Fatal("an empty error message")
			}
			return
		}
		if loaded.Name != parsed.Name {
			t.Fatalf("Load named it %q, Parse %q", loaded.Name, parsed.Name)
		}
		for g := range parsed.Grants {
			_ = parsed.ClientAuthFor(g)
			_, _ = parsed.NewTokenRequest(g, NewCredentials(map[string]string{"client_id": "c", "client_secret": "s"}))
		}
	})
}
