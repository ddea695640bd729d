package profile

import (
	"fmt"
	"path"
	"strings"
)

// BuiltinYAML returns the text of the built-in profile called name, the best
// starting point for a profile of one's own.
func BuiltinYAML(name string) ([]byte, error) {
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("%w %q: the built-in profiles are %s", ErrUnknownProfile, name, strings.Join(Builtin(), ", "))
	}
	return data, nil
}
