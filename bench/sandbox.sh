#!/usr/bin/env bash
# bench/sandbox.sh — how long `ssoctl sandbox` takes to be ready, and its
# peak RSS, for each organization size given (default: small medium large).
#
#   bash bench/sandbox.sh [small|medium|large …]
#
# Builds ./cmd/ssoctl once into bench/.tmp/, starts the sandbox under
# /usr/bin/time -v, waits for the last export line (printed after the
# organization is generated, indexed and the port is open), sends SIGINT,
# and reads "Maximum resident set size" from time's report.
set -euo pipefail

cd "$(dirname "$0")/.."
tmp=bench/.tmp
mkdir -p "$tmp"
bin=$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(small medium large)

printf '%-8s %14s %14s\n' org ready_seconds peak_rss_mb
for org in "${sizes[@]}"; do
	out=$tmp/sandbox-$org.out
	tv=$tmp/sandbox-$org.time
	: >"$out"
	start=$(date +%s.%N)
	/usr/bin/time -v -o "$tv" "$bin" sandbox --org "$org" --listen 127.0.0.1:0 >"$out" 2>/dev/null &
	tpid=$!
	until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$out"; do
		if ! kill -0 "$tpid" 2>/dev/null; then
			echo "sandbox --org $org exited before it was ready" >&2
			exit 1
		fi
		sleep 0.02
	done
	ready=$(date +%s.%N)
	url=$(sed -n 's/^export AWS_ENDPOINT_URL=//p' "$out")
	curl -fsS "$url/_sandbox/stats" >/dev/null # it answers
	# GNU time ignores SIGINT; interrupt the sandbox itself.
	spid=$(pgrep -P "$tpid")
	kill -INT "$spid"
	wait "$tpid" || true
	rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tv")
	printf '%-8s %14.2f %14.1f\n' "$org" "$(echo "$ready - $start" | bc -l)" "$(echo "$rss_kb / 1024" | bc -l)"
done
