#!/usr/bin/env bash
# Runs every check and test of the module: gofmt, go vet, the wire files,
# and go test with the PostgreSQL and S3 tests enabled.
#
# When TELCOJOBS_TEST_POSTGRES_URL is not set, it starts a throwaway
# PostgreSQL cluster on 127.0.0.1 for the run and stops it afterwards.
# When TELCOJOBS_TEST_S3_ENDPOINT is not set, it starts a versitygw S3 server
# on 127.0.0.1 over a temporary folder. Missing binaries are installed
# first: Debian's postgresql package, versitygw from the Go module proxy,
# and, for the full run as root, Debian's chromium package for the
# dashboard screenshot test. Arguments limit the run to go test with those
# arguments, without the repository-wide checks, for example:
#
#	scripts/test.sh -run TestContract ./adapters/...
set -euo pipefail
cd "$(dirname "$0")/.."

export CI="${CI:-}"
work=$(mktemp -d)
chmod 755 "$work"
pids=()
pg_data=""
pg_bin=""

cleanup() {
	set +e
	if [ -n "$pg_data" ]; then
		run_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1
	fi
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

# run_pg runs a PostgreSQL server command as the postgres user when this
# script runs as root, since initdb refuses to run as root.
run_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

find_pg_bin() {
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_postgres() {
	pg_bin=$(find_pg_bin)
	if [ -z "$pg_bin" ]; then
		echo "test.sh: installing PostgreSQL (Debian package postgresql)" >&2
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
		pg_bin=$(find_pg_bin)
	fi
	local dir="$work/pg" port
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
	port=$(free_port)
	run_pg "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync >"$work/initdb.log" 2>&1 ||
		{ cat "$work/initdb.log" >&2; exit 1; }
	pg_data="$dir/data"
	run_pg "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$dir/log" \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null ||
		{ cat "$dir/log" >&2; exit 1; }
	export TELCOJOBS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	echo "test.sh: PostgreSQL on 127.0.0.1:$port" >&2
}

start_s3() {
	local bin port dir="$work/s3"
	bin=$(command -v versitygw || true)
	[ -z "$bin" ] && [ -x "$(go env GOPATH)/bin/versitygw" ] && bin="$(go env GOPATH)/bin/versitygw"
	if [ -z "$bin" ]; then
		echo "test.sh: installing versitygw (S3 server) with go install" >&2
		go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
		bin="$(go env GOPATH)/bin/versitygw"
	fi
	mkdir -p "$dir"
	port=$(free_port)
	"$bin" -p "127.0.0.1:$port" -a telcojobs-test -s telcojobs-test-secret posix "$dir" >"$work/s3.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		sleep 0.1
	done
	export TELCOJOBS_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
	export TELCOJOBS_TEST_S3_ACCESS_KEY=telcojobs-test
	export TELCOJOBS_TEST_S3_SECRET_KEY=telcojobs-test-secret
	echo "test.sh: S3 (versitygw) on 127.0.0.1:$port" >&2
}

# install_chromium installs Debian's Chromium for the dashboard screenshot
# test, which fails under CI without it.
install_chromium() {
	if command -v chromium >/dev/null 2>&1; then
		return
	fi
	echo "test.sh: installing Chromium (Debian package chromium)" >&2
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

[ -n "${TELCOJOBS_TEST_POSTGRES_URL:-}" ] || start_postgres
[ -n "${TELCOJOBS_TEST_S3_ENDPOINT:-}" ] || start_s3

if [ $# -gt 0 ]; then
	# A run limited to some packages skips the repository-wide checks.
	echo "test.sh: go test $*" >&2
	go test -count=1 -timeout 45m "$@"
	exit
fi

echo "test.sh: gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt has not been applied to:" >&2
	echo "$unformatted" >&2
	exit 1
fi

echo "test.sh: go vet" >&2
go vet ./...

if [ -x scripts/check-wire.sh ]; then
	echo "test.sh: wire" >&2
	scripts/check-wire.sh
fi

if [ "$(id -u)" = 0 ]; then
	install_chromium
fi

echo "test.sh: go test" >&2
go test -count=1 -timeout 45m ./...
