#!/usr/bin/env bash
# bench/user_create.sh — `ssoctl user create -f people.csv` at scale (issue 22 item 3).
#
#   bash bench/user_create.sh                      # N="1000 100000", writes for 1000 at AWS's quotas
#   N="1000" WRITES="1000" bash bench/user_create.sh
#   WRITES="1000 100000" S=50 bash bench/user_create.sh   # 100,000 writes at 50× the quotas
#   OLD=/tmp/ssoctl-old bash bench/user_create.sh  # also the old build's 1,000-row validation
#
# 1. Validation: a file of N rows, every one naming an unknown access bundle
#    (the issue's case: the old build looked every user up at ~20/s before
#    checking the bundle: 49 s for 1,000 rows). Now the file is checked
#    without calling AWS; the time and the sandbox's call count are printed.
#    The sandbox: `--org small --quotas aws`.
# 2. Plan: N valid rows (new users, bundle "Bench": ReadOnlyAccess on one
#    account), no --yes: the directory read once; wall and calls.
# 3. Writes: W rows with --yes, the sandbox at `--quotas aws --quota-scale S`
#    and the client at SSOCTL_RATE_SCALE=S. The least time the quotas allow:
#      users       W CreateUser / (20·S TPS identity store)
#      assignments (W creates + ceil(W/15) status pages + 2) / (20·S TPS sso-admin)
#    The two services' quotas are apart, and ssoctl makes the assignments of
#    one batch of users (B = min(max(W/10, 100), 5000)) while it creates the
#    next, so the bound is max(users, B/(20·S) + assignments); the serial
#    bound (users + assignments) is printed too.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${N:=1000 100000}" "${WRITES:=1000}" "${S:=1}"
tmp=bench/.tmp/user_create
mkdir -p "$tmp"
bin=$PWD/$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl
. bench/lib.sh

cat >"$tmp/org.yaml" <<'EOF'
start_url: https://acme.awsapps.com/start
sso_region: us-east-1
sso_session: acme
domain: example.com
access:
  Bench:
    - {permission_set: ReadOnlyAccess, accounts: [payments-dev]}
EOF
export SSOCTL_ORG_CONFIG=$PWD/$tmp/org.yaml

people() { # people FILE N BUNDLE PREFIX
	python3 - "$@" <<'PY'
import sys
path, n, bundle, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(path, "w") as f:
    f.write("username,given_name,family_name,access\n")
    for i in range(n):
        f.write(f"{prefix}{i:06d},Bench,User{i},{bundle}\n")
PY
}

calls() { # calls: total calls the sandbox counted since its start
	curl -s "$AWS_ENDPOINT_URL/_sandbox/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(s["calls"].values()))'
}

timed() { # timed LABEL CMD… : wall seconds and max RSS of CMD
	local start end
	start=$(now)
	/usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" || true
	end=$(now)
	printf '%s: %.2f s, max RSS %s KB, exit %s\n' "$1" "$(echo "$end - $start" | bc)" "$(cat "$tmp/rss" | tail -1)" "$(tail -1 "$tmp/err" | head -c 120)"
}

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_sandbox --org small --quotas aws
for n in $N; do
	people "$tmp/bad-$n.csv" "$n" Nope bad.user
	c0=$(calls)
	start=$(now)
	"$bin" user create -f "$tmp/bad-$n.csv" >/dev/null 2>"$tmp/err" || true
	end=$(now)
	printf 'validation, %d rows, unknown bundle: %.2f s, %d AWS calls, %s\n' "$n" "$(echo "$end - $start" | bc)" "$(($(calls) - c0))" "$(tail -1 "$tmp/err")"
	if [ -n "${OLD:-}" ] && [ "$n" -le 1000 ]; then
		c0=$(calls)
		start=$(now)
		"$OLD" user create -f "$tmp/bad-$n.csv" >/dev/null 2>"$tmp/err" || true
		end=$(now)
		printf 'validation (old build), %d rows: %.2f s, %d AWS calls\n' "$n" "$(echo "$end - $start" | bc)" "$(($(calls) - c0))"
	fi
	people "$tmp/plan-$n.csv" "$n" Bench plan.user
	c0=$(calls)
	start=$(now)
	"$bin" user create -f "$tmp/plan-$n.csv" >/dev/null 2>"$tmp/err" || true
	end=$(now)
	printf 'plan, %d new users with a bundle: %.2f s, %d AWS calls\n' "$n" "$(echo "$end - $start" | bc)" "$(($(calls) - c0))"
done
stop_sandbox

for w in $WRITES; do
	start_sandbox --org small --quotas aws --quota-scale "$S"
	people "$tmp/write-$w.csv" "$w" Bench new.user
	c0=$(calls)
	start=$(now)
	SSOCTL_RATE_SCALE=$S "$bin" user create -f "$tmp/write-$w.csv" --yes >"$tmp/out" 2>"$tmp/err" || true
	end=$(now)
	wall=$(echo "$end - $start" | bc)
	python3 - "$w" "$S" "$wall" "$(($(calls) - c0))" "$(grep -c '^Created user ' "$tmp/out")" "$(grep '^Assignments:' "$tmp/err" | tail -1)" <<'PY'
import math, sys
w, s, wall, calls, created, summary = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
users = w / (20 * s)
assign = (w + math.ceil(w / 15) + 2) / (20 * s)
batch = min(max(w // 10, 100), 5000)
bound = max(users, batch / (20 * s) + assign)
serial = users + assign
print(f"writes, {w} rows at {s:g}x AWS's quotas: {wall:.1f} s; users {users:.1f} s, assignments {assign:.1f} s, first batch {batch/(20*s):.1f} s: bound {bound:.1f} s, wall/bound {wall/bound:.3f} (serial bound {serial:.1f} s, wall/serial {wall/serial:.3f}); {calls} calls; {created} users created; {summary}")
PY
	stop_sandbox
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
