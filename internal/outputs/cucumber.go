package outputs

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SkipReasonAttachment is the name of the text attachment that carries a
// skipped step's reason in godog's raw output; verify moves it into the step's
// result.error_message (MoveSkipReasons).
const SkipReasonAttachment = "skip-reason.txt"

// CucumberFeature is one feature of godog's cucumber JSON (godog v0.15's
// cucumber formatter, field for field, so that decoding and encoding again
// keeps every field godog writes).
type CucumberFeature struct {
	URI         string            `json:"uri"`
	ID          string            `json:"id"`
	Keyword     string            `json:"keyword"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Line        int               `json:"line"`
	Comments    []CucumberComment `json:"comments,omitempty"`
	Tags        []CucumberTag     `json:"tags,omitempty"`
	Elements    []CucumberElement `json:"elements,omitempty"`
}

// CucumberComment is a comment line of a feature file.
type CucumberComment struct {
	Value string `json:"value"`
	Line  int    `json:"line"`
}

// CucumberTag is one tag, with its leading "@".
type CucumberTag struct {
	Name string `json:"name"`
	Line int    `json:"line"`
}

// CucumberElement is a scenario (type "scenario") or a background.
type CucumberElement struct {
	ID          string         `json:"id"`
	Keyword     string         `json:"keyword"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Line        int            `json:"line"`
	Type        string         `json:"type"`
	Tags        []CucumberTag  `json:"tags,omitempty"`
	Steps       []CucumberStep `json:"steps,omitempty"`
}

// CucumberStep is one executed step.
type CucumberStep struct {
	Keyword    string              `json:"keyword"`
	Name       string              `json:"name"`
	Line       int                 `json:"line"`
	DocString  *CucumberDocString  `json:"doc_string,omitempty"`
	Match      CucumberMatch       `json:"match"`
	Result     CucumberResult      `json:"result"`
	Rows       []CucumberRow       `json:"rows,omitempty"`
	Embeddings []CucumberEmbedding `json:"embeddings,omitempty"`
}

// CucumberDocString is a step's doc string argument.
type CucumberDocString struct {
	Value       string `json:"value"`
	ContentType string `json:"content_type"`
	Line        int    `json:"line"`
}

// CucumberMatch is where the step definition is.
type CucumberMatch struct {
	Location string `json:"location"`
}

// CucumberResult is a step's outcome: godog's raw status (passed, failed,
// skipped, undefined, pending, ambiguous), its message and its duration in
// nanoseconds.
type CucumberResult struct {
	Status   string `json:"status"`
	Error    string `json:"error_message,omitempty"`
	Duration *int64 `json:"duration,omitempty"`
}

// CucumberRow is one row of a step's data table.
type CucumberRow struct {
	Cells []string `json:"cells"`
}

// CucumberEmbedding is an attachment; Data is base64.
type CucumberEmbedding struct {
	Name     string `json:"name"`
	MimeType string `json:"mime_type"`
	Data     string `json:"data"`
}

// Text returns the attachment decoded, or Data itself when it is not base64
// (a hand-written file).
func (e CucumberEmbedding) Text() string {
	if b, err := base64.StdEncoding.DecodeString(e.Data); err == nil {
		return string(b)
	}
	return e.Data
}

// ParseCucumber decodes godog's cucumber JSON. On a syntax error (a truncated
// file, say) it returns the features that decoded completely before the error,
// with the error.
func ParseCucumber(data []byte) ([]CucumberFeature, error) {
	var raw []json.RawMessage
	err := json.Unmarshal(data, &raw)
	if err != nil {
		raw, err = partialArray(data)
	}
	var feats []CucumberFeature
	for i, r := range raw {
		var f CucumberFeature
		if e := json.Unmarshal(r, &f); e != nil {
			err = errors.Join(err, fmt.Errorf("feature %d: %w", i, e))
			continue
		}
		feats = append(feats, f)
	}
	return feats, err
}

// partialArray decodes the elements of a JSON array one by one, returning the
// ones that decoded before the first error, and that error (with its offset).
func partialArray(data []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("not a cucumber JSON array (starts with %v)", tok)
	}
	var out []json.RawMessage
	for dec.More() {
		var r json.RawMessage
		if err := dec.Decode(&r); err != nil {
			return out, fmt.Errorf("malformed or truncated JSON after %d complete feature(s) at byte %d: %w", len(out), dec.InputOffset(), err)
		}
		out = append(out, r)
	}
	if _, err := dec.Token(); err != nil {
		return out, fmt.Errorf("truncated JSON after %d complete feature(s): %w", len(out), err)
	}
	return out, nil
}

// MoveSkipReasons moves each skipped step's reason (its SkipReasonAttachment
// embedding) into result.error_message, through redact, and drops that
// embedding. feats is changed in place.
func MoveSkipReasons(feats []CucumberFeature, redact func(string) string) {
	for fi := range feats {
		for ei := range feats[fi].Elements {
			steps := feats[fi].Elements[ei].Steps
			for si := range steps {
				if steps[si].Result.Status == StatusSkipped {
					moveSkipReason(&steps[si], redact)
				}
			}
		}
	}
}

func moveSkipReason(st *CucumberStep, redact func(string) string) {
	var keep []CucumberEmbedding
	for _, e := range st.Embeddings {
		if e.Name != SkipReasonAttachment {
			keep = append(keep, e)
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(e.Data); err == nil {
			st.Result.Error = redact(string(b))
		}
	}
	st.Embeddings = keep
}
