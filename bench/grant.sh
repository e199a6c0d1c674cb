#!/usr/bin/env bash
# bench/grant.sh — a just-in-time grant to usable credentials, on the
# sandbox's small organization under AWS's quotas, with asynchronous
# requests that stay IN_PROGRESS for 3 polls:
#
#   ssoctl sandbox --quotas aws --pending-polls 3 --sign-in-as dave.miller
#
#   bash bench/grant.sh            # RUNS=5
#
# Each run: `ssoctl grant create dave.miller --permission-set Developer
# --account payments-dev --for 2h --yes -o json` (its API calls from the
# document's stats), then `ssoctl exec --account 640775136188 --role
# ssoctl-jit-<id> -- bench/lsbuckets` (role credentials from the portal,
# then s3 ListBuckets with them). The wall time is from the start of the
# grant to the end of the ListBuckets. Then `grant revoke --yes`.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${RUNS:=5}"
tmp=$PWD/bench/.tmp/grant
mkdir -p "$tmp"
go build -o "$tmp/ssoctl" ./cmd/ssoctl
go build -o "$tmp/lsbuckets" ./bench/lsbuckets
bin=$tmp/ssoctl

out=$tmp/sandbox.env
: >"$out"
"$bin" sandbox --listen 127.0.0.1:0 --quotas aws --pending-polls 3 --sign-in-as dave.miller >"$out" 2>"$tmp/sandbox.log" &
sandbox_pid=$!
trap 'kill -INT $sandbox_pid 2>/dev/null; wait $sandbox_pid 2>/dev/null || true' EXIT
until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$out"; do
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
eval "$(cat "$out")"
unset SSOCTL_RATE_SCALE SSOCTL_ORG_CONFIG
export HOME=$tmp/home AWS_CONFIG_FILE=$tmp/home/config
rm -rf "$HOME"; mkdir -p "$HOME"
cat >"$AWS_CONFIG_FILE" <<CFG
[sso-session emu]
sso_start_url = $AWS_DEFAULT_SSO_START_URL
sso_region = us-east-1
CFG
"$bin" login --sso-session emu 2>/dev/null

printf 'run,grant_s,credentials_s,total_s,grant_api_calls\n'
for i in $(seq "$RUNS"); do
	t0=$(date +%s.%N)
	"$bin" grant create dave.miller --permission-set Developer --account payments-dev --for 2h --reason bench --yes -o json >"$tmp/grant.json" 2>/dev/null
	t1=$(date +%s.%N)
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["grant"]["grantId"])' "$tmp/grant.json")
	calls=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["apiCalls"])' "$tmp/grant.json")
	(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
	 "$bin" exec --sso-session emu --account 640775136188 --role "ssoctl-jit-$id" -- "$tmp/lsbuckets" >/dev/null)
	t2=$(date +%s.%N)
	printf '%d,%.2f,%.2f,%.2f,%s\n' "$i" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t2 - $t0" | bc)" "$calls"
	"$bin" grant revoke "$id" --yes >/dev/null 2>&1
done
