package main

import (
	"runtime/debug"
	"testing"
)

// TestVersionFrom: a binary says which build it is, stamped or not.
func TestVersionFrom(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/oauthconf/oauthconf", Version: "(devel)"}}
		bi.Settings = []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
		return bi
	}
	cases := []struct {
		description string
		stamped     string
		bi          *debug.BuildInfo
		want        string
	}{
		{"the -ldflags stamp wins", "v1.4.0", vcs("39a4f60aabbccdd", "true"), "v1.4.0"},
		{"go install …@version records the module version", "dev",
			&debug.BuildInfo{Main: debug.Module{Version: "v1.3.2"}}, "v1.3.2"},
		{"a clean checkout gives its revision", "dev", vcs("39a4f60aabbccdd", "false"), "(devel) 39a4f60"},
		{"a modified checkout says dirty", "dev", vcs("39a4f60aabbccdd", "true"), "(devel) 39a4f60-dirty"},
		{"a short revision is kept whole", "dev", vcs("39a4", "false"), "(devel) 39a4"},
		{"no VCS information leaves dev", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"no build information leaves dev", "dev", nil, "dev"},
	}
	for _, tc := range cases {
		t.Run(tc.description, func(t *testing.T) {
			if got := versionFrom(tc.stamped, tc.bi); got != tc.want {
				t.Errorf("versionFrom(%q, …) = %q, want %q", tc.stamped, got, tc.want)
			}
		})
	}
}
