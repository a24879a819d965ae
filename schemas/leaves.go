package schemas

import "github.com/santhosh-tekuri/jsonschema/v5"

// Leaves are the innermost causes of a validation error, in order: the ones
// a user acts on.
func Leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, Leaves(c)...)
	}
	return out
}
