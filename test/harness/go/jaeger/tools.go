//go:build tools

// Package tools pins Jaeger so `go build github.com/jaegertracing/jaeger/cmd/jaeger`
// resolves from this module; the harness builds the real trace store (OTLP receiver and
// query API) from the Go module proxy.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
