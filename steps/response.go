package steps

import (
	"fmt"
)

// describeJSON names a decoded JSON value's type and value for a message.
func describeJSON(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
}
