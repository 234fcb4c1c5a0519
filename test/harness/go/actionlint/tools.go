//go:build tools

// Package tools pins actionlint so `go build github.com/rhysd/actionlint/cmd/actionlint`
// resolves from this module; the harness builds the real linter from the Go module proxy.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
