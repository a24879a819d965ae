package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rtconf/rtconf/internal/validator"
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

// ReadJSON reads a report the json format wrote, such as a shard's report
// that `rtconf gather` merges. Unknown fields are ignored, so a report from
// a newer release still reads; a document without findings is refused.
func ReadJSON(r io.Reader) (validator.Report, error) {
	var doc struct {
		validator.Report
		Findings *[]validator.Finding `json:"findings"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return validator.Report{}, fmt.Errorf("not an rtconf json report: %w", err)
	}
	if doc.Findings == nil {
		return validator.Report{}, errors.New("not an rtconf json report: no findings list")
	}
	rep := doc.Report
	rep.Findings = *doc.Findings
	return rep, nil
}
