package reference

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// jsonw appends a JSON object field by field, for the token hot path where
// encoding/json's reflection shows in profiles. Start with jsonw{'{'}, end
// with close(). Keys are trusted literals; values are escaped.
type jsonw []byte

func (w jsonw) key(k string) jsonw {
	if len(w) > 1 {
		w = append(w, ',')
	}
	w = append(w, '"')
	w = append(w, k...)
	return append(w, '"', ':')
}

func (w jsonw) str(k, v string) jsonw { return appendJSONString(w.key(k), v) }

func (w jsonw) num(k string, v int64) jsonw { return strconv.AppendInt(w.key(k), v, 10) }

func (w jsonw) close() []byte { return append(w, '}') }

// appendJSONString appends s as a JSON string; plain printable ASCII takes the
// fast path, anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
