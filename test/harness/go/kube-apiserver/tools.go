//go:build tools

// Package tools pins kube-apiserver so `go build k8s.io/kubernetes/cmd/kube-apiserver`
// resolves from this module; the harness builds the real server from the Go module proxy.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
