package output

import (
	"encoding/json"
	"io"

	"github.com/rtconf/rtconf/validator"
)

// jsonWriter writes the report as indented JSON with a summary of counts
// per severity. The output unmarshals back into a validator.Report.
type jsonWriter struct{}

type jsonReport struct {
	validator.Report
	Summary counts `json:"summary"`
}

func (jsonWriter) Write(w io.Writer, r validator.Report) error {
	// Empty lists are [] rather than null, so scripts can iterate them.
	if r.Findings == nil {
		r.Findings = []validator.Finding{}
	}
	if r.Runtimes == nil {
		r.Runtimes = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Not for HTML: keep <, > and & readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{Report: r, Summary: countFindings(r.Findings)})
}
