#!/usr/bin/env bash
# bench/audit.sh — `ssoctl audit` against the sandbox under AWS's quotas.
#
#   bash bench/audit.sh            # medium at S=2, then large without quotas
#   S=4 bash bench/audit.sh        # another quota scale
#   LARGE= bash bench/audit.sh     # skip the large run (ORG= skips the quota run)
#   ORG=large S=50 LARGE= bash bench/audit.sh   # large under quotas
#   STRATEGY=permission-set bash bench/audit.sh
#   STRATEGIES="principal auto" LARGE= bash bench/audit.sh   # side by side:
#       the old default on medium (principal-first, incomplete) and the new
#       one (auto = permission-set-first, complete), one after the other
#   BIN=/tmp/old/ssoctl TAG=old bash bench/audit.sh   # another build (not this
#       tree's), its files under bench/.tmp/TAG-…: two builds side by side
#
# 1. Quota run: `ssoctl sandbox --org $ORG --quotas aws --quota-scale $S`
#    in the background; its export lines evaluated; SSOCTL_RATE_SCALE=$S so
#    the client's token buckets match the sandbox's; `ssoctl audit -o json`
#    under /usr/bin/time -v. bench/audit_bound.py then compares the calls
#    with the strategy's lower bound (anchors-admin.md §5) and the wall time
#    with the least time the scaled quotas allow.
# 2. Throughput run: `ssoctl sandbox --org $LARGE --quotas none`, the client
#    at SSOCTL_RATE_SCALE=$LARGE_RATE_SCALE, `ssoctl audit -f out.csv`: rows
#    per second and peak RSS of the audit (rows stream out) and the sandbox;
#    the calls against the lower bound, and the time AWS's real quotas
#    would need for them.
set -euo pipefail

cd "$(dirname "$0")/.."
ORG=${ORG-medium}
: "${S:=2}" "${STRATEGY:=auto}"
: "${STRATEGIES:=$STRATEGY}"
LARGE=${LARGE-large}
: "${LARGE_RATE_SCALE:=1000}"
tmp=bench/.tmp${TAG:+/$TAG}
mkdir -p "$tmp"
if [ -n "${BIN:-}" ]; then
	bin=$BIN
else
	bin=$PWD/$tmp/ssoctl
	go build -o "$bin" ./cmd/ssoctl
fi

sandbox_pid=
stop_sandbox() {
	if [ -n "$sandbox_pid" ]; then
		# GNU time ignores SIGINT; interrupt the sandbox itself.
		kill -INT "$(pgrep -P "$sandbox_pid")" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
		sandbox_pid=
	fi
}
trap stop_sandbox EXIT

# start_sandbox NAME ARGS… starts the sandbox under /usr/bin/time -v (report
# in $tmp/NAME-sandbox.time) and exports what its lines say.
start_sandbox() {
	local name=$1
	shift
	local out=$tmp/$name-sandbox.env
	: >"$out"
	/usr/bin/time -v -o "$tmp/$name-sandbox.time" "$bin" sandbox --listen 127.0.0.1:0 "$@" >"$out" 2>"$tmp/$name-sandbox.log" &
	sandbox_pid=$!
	until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$out"; do
		kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/$name-sandbox.log" >&2; exit 1; }
		sleep 0.05
	done
	eval "$(cat "$out")"
}

# dump_state ORG FILE writes the organization's state (GET /_sandbox/state)
# from a sandbox of its own: the organizations are deterministic, and the
# dump would otherwise count in the measured sandbox's peak RSS.
dump_state() {
	local env=$tmp/state-sandbox.env pid
	: >"$env"
	"$bin" sandbox --listen 127.0.0.1:0 --org "$1" >"$env" 2>/dev/null &
	pid=$!
	until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$env"; do sleep 0.05; done
	curl -fsS "$(sed -n 's/^export AWS_ENDPOINT_URL=//p' "$env")/_sandbox/state" >"$2"
	kill -INT "$pid"
	wait "$pid" || true
}

rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }

# quota_run STRATEGY: one audit of $ORG under AWS's quotas scaled by $S.
quota_run() {
	local strategy=$1 t=$tmp/quota-$1
	echo "== quota run: --org $ORG --quotas aws --quota-scale $S, SSOCTL_RATE_SCALE=$S, --strategy $strategy"
	start_sandbox "quota-$strategy" --org "$ORG" --quotas aws --quota-scale "$S"
	curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset"
	SSOCTL_RATE_SCALE=$S /usr/bin/time -v -o "$t-audit.time" \
		"$bin" audit -o json -f "$t-out.json" --strategy "$strategy" 2>"$t-audit.err" || {
		cat "$t-audit.err" >&2
		exit 1
	}
	grep '^audit:' "$t-audit.err"
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" >"$t-sandbox-stats.json"
	stop_sandbox
	python3 bench/audit_bound.py --state "$tmp/quota-state.json" --report "$t-out.json" \
		--sandbox-stats "$t-sandbox-stats.json" --time "$t-audit.time" --scale "$S" |
		tee "$t-summary.md"
	echo "sandbox peak RSS: $(rss_mb "$tmp/quota-$strategy-sandbox.time") MB"
	echo
}

if [ -n "$ORG" ]; then
	dump_state "$ORG" "$tmp/quota-state.json"
	for strategy in $STRATEGIES; do
		quota_run "$strategy"
	done
fi

if [ -n "$LARGE" ]; then
	echo
	echo "== throughput run: --org $LARGE --quotas none, SSOCTL_RATE_SCALE=$LARGE_RATE_SCALE, --strategy $STRATEGY, -f out.csv"
	dump_state "$LARGE" "$tmp/large-state.json"
	start_sandbox large --org "$LARGE" --quotas none
	curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset"
	SSOCTL_RATE_SCALE=$LARGE_RATE_SCALE /usr/bin/time -v -o "$tmp/large-audit.time" \
		"$bin" audit -f "$tmp/large-out.csv" --strategy "$STRATEGY" 2>"$tmp/large-audit.err" || {
		cat "$tmp/large-audit.err" >&2
		exit 1
	}
	summary=$(grep '^audit:' "$tmp/large-audit.err")
	echo "$summary"
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" >"$tmp/large-sandbox-stats.json"
	stop_sandbox
	rows=$(($(wc -l <"$tmp/large-out.csv") - 1))
	secs=$(echo "$summary" | sed -n 's/.* \([0-9][0-9.]*\)s[ ;].*strategy.*/\1/p')
	echo "| metric | value |"
	echo "|---|---:|"
	echo "| rows | $rows |"
	echo "| wall (/usr/bin/time) | $(wall "$tmp/large-audit.time") |"
	echo "| audit seconds | $secs |"
	echo "| rows per second | $(echo "$rows / $secs" | bc) |"
	echo "| peak RSS, audit (MB) | $(rss_mb "$tmp/large-audit.time") |"
	echo "| peak RSS, sandbox (MB) | $(rss_mb "$tmp/large-sandbox.time") |"
	echo "| CSV size (MB) | $(($(stat -c %s "$tmp/large-out.csv") / 1048576)) |"
	echo
	python3 bench/audit_bound.py --state "$tmp/large-state.json" --sandbox-stats "$tmp/large-sandbox-stats.json" \
		--strategy "$(echo "$summary" | sed -n 's/.*; strategy \([a-z-]*\).*/\1/p')" | tee "$tmp/large-summary.md"
fi
