// Package schemas holds the JSON Schemas rtconf validates against, embedded so
// that validation never needs the network.
package schemas

import _ "embed"

// ConfigURL is the $id of the rtconf.yaml schema.
const ConfigURL = "https://rtconf.io/schemas/rtconf.schema.json"

//go:embed rtconf.schema.json
var config []byte

// Config returns the JSON Schema (draft 2020-12) of rtconf.yaml.
func Config() []byte {
	return append([]byte(nil), config...)
}
