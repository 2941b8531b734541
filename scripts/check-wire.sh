#!/usr/bin/env bash
# Fails when a wire_gen.go file differs from what `go tool wire` would
# generate now, so that a change to a constructor cannot leave a stale
# injector behind. Fix with: go tool wire ./...
set -euo pipefail
cd "$(dirname "$0")/.."
if ! go tool wire diff ./examples/...; then
	echo "wire_gen.go is stale: run 'go tool wire ./...' and commit the result" >&2
	exit 1
fi
