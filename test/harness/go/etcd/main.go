// Command etcd is etcd 3.5 built from the Go module proxy for breakwater's test harness;
// Debian's etcd-server is older than kube-apiserver accepts.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
