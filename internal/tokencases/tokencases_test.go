package tokencases

import "testing"

// TestTheTableHasBothVerdicts: a table of valid rows only (or invalid only)
// would let a judge that always answers the same pass.
func TestTheTableHasBothVerdicts(t *testing.T) {
	cases, err := Cases()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[bool]int{}
	names := map[string]bool{}
	for _, c := range cases {
		seen[c.Valid]++
		if names[c.Description] || c.Description == "" {
			t.Errorf("description %q is empty or used twice: -run could not single it out", c.Description)
		}
		names[c.Description] = true
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Errorf("valid rows %d, invalid rows %d: want both", seen[true], seen[false])
	}
}
