#!/usr/bin/env bash
# bench/lifecycle.sh — the assignment executor against the runbook's way, on
# the sandbox's medium organization under AWS's quotas with async requests
# that stay IN_PROGRESS for 3 polls:
#
#   ssoctl sandbox --org medium --quotas aws --pending-polls 3
#
#   bash bench/lifecycle.sh                  # N=300, N_SEQ=100, N_CLI=10
#   N=300 N_SEQ=300 N_CLI=20 bash bench/lifecycle.sh
#   SRC=/tmp/old TAG=old bash bench/lifecycle.sh   # ssoctl and bench/executor
#       built from another source tree, files under bench/.tmp/TAG
#
# 1. executor:   bench/executor -n $N: a new user gets one permission set in
#                the first N active accounts through internal/lifecycle/
#                executor (15 outstanding, status lists, 20 TPS bucket), then
#                loses them again. Wall time against the quota bound:
#                  bound calls = N writes + ceil(N/15)·(polls+1) status pages
#                                + 2 (the adoption check and the FAILED page)
#                  bound time  = bound calls / 20 TPS
#                (each batch of 15 requests needs polls+1 IN_PROGRESS pages
#                before it has left the list; one page answers for all 15).
# 2. sequential: bench/executor -mode sequential -n $N_SEQ: the runbook's
#                loop in Go with the same clients — create, describe until
#                not IN_PROGRESS, next (1 + polls calls per assignment).
# 3. AWS CLI:    the runbook itself: /usr/bin/aws sso-admin
#                create-account-assignment, then describe-account-assignment-
#                creation-status until done, next; then the deletes the same
#                way ($N_CLI assignments; the per-assignment time is scaled).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${N:=300}" "${N_SEQ:=100}" "${N_CLI:=10}" "${POLLS:=3}"
tmp=$PWD/bench/.tmp${TAG:+/$TAG}
mkdir -p "$tmp"
(cd "${SRC:-.}" && go build -o "$tmp/ssoctl" ./cmd/ssoctl && go build -o "$tmp/executor" ./bench/executor)

out=$tmp/lifecycle-sandbox.env
: >"$out"
"$tmp/ssoctl" sandbox --listen 127.0.0.1:0 --org medium --quotas aws --pending-polls "$POLLS" >"$out" 2>"$tmp/lifecycle-sandbox.log" &
sandbox_pid=$!
trap 'kill -INT $sandbox_pid 2>/dev/null; wait $sandbox_pid 2>/dev/null || true' EXIT
until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$out"; do
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/lifecycle-sandbox.log" >&2; exit 1; }
	sleep 0.1
done
eval "$(cat "$out")"
unset SSOCTL_RATE_SCALE

echo "== executor, N=$N" >&2
"$tmp/executor" -n "$N" | tee "$tmp/lifecycle-executor.jsonl"
echo "== sequential (Go), N=$N_SEQ" >&2
"$tmp/executor" -mode sequential -n "$N_SEQ" | tee "$tmp/lifecycle-sequential.jsonl"

echo "== AWS CLI runbook, N=$N_CLI" >&2
aws=/usr/bin/aws
cli() { "$aws" --endpoint-url "$AWS_ENDPOINT_URL" --output text "$@"; }
if [ -x "$aws" ]; then
	inst=$(cli sso-admin list-instances --query 'Instances[0].InstanceArn')
	store=$(cli sso-admin list-instances --query 'Instances[0].IdentityStoreId')
	ps=$(cli sso-admin list-permission-sets --instance-arn "$inst" --query 'PermissionSets' | tr '\t' '\n' | sort | head -1)
	uid=$(cli identitystore get-user-id --identity-store-id "$store" --alternate-identifier '{"UniqueAttribute":{"AttributePath":"userName","AttributeValue":"bench.user"}}' --query UserId)
	# Active accounts by their State, read with boto3: AWS retired the
	# account's Status, the only member Debian's CLI 2.9 model knows.
	accounts=$(python3 -c 'import boto3, os
o = boto3.client("organizations", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
print("\n".join(a["Id"] for p in o.get_paginator("list_accounts").paginate() for a in p["Accounts"] if a.get("State") == "ACTIVE"))' | sort | head -"$N_CLI")
	calls=0
	# runbook create|delete Creation|Deletion: one request, described until done, next.
	runbook() {
		local op=$1 kind=$2 rid st
		for acct in $accounts; do
			rid=$(cli sso-admin "$op-account-assignment" --instance-arn "$inst" --target-id "$acct" --target-type AWS_ACCOUNT \
				--permission-set-arn "$ps" --principal-type USER --principal-id "$uid" --query "AccountAssignment${kind}Status.RequestId")
			calls=$((calls + 1))
			while :; do
				st=$(cli sso-admin "describe-account-assignment-${kind,,}-status" --instance-arn "$inst" \
					"--account-assignment-${kind,,}-request-id" "$rid" --query "AccountAssignment${kind}Status.Status")
				calls=$((calls + 1))
				[ "$st" = IN_PROGRESS ] || break
			done
		done
	}
	start=$(date +%s.%N)
	runbook create Creation
	mid=$(date +%s.%N)
	runbook delete Deletion
	end=$(date +%s.%N)
	printf '{"mode":"aws-cli","n":%d,"createSeconds":%.2f,"deleteSeconds":%.2f,"calls":%d}\n' "$N_CLI" \
		"$(echo "$mid - $start" | bc)" "$(echo "$end - $mid" | bc)" "$calls" | tee "$tmp/lifecycle-cli.jsonl"
else
	echo "/usr/bin/aws not found: the AWS CLI runbook is skipped" >&2
fi

python3 - "$N" "$POLLS" "$tmp" <<'PY'
import json, math, sys
n, polls, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
bound_calls = n + math.ceil(n / 15) * (polls + 1) + 2
bound = bound_calls / 20
ex = [json.loads(l) for l in open(f"{tmp}/lifecycle-executor.jsonl")]
seq = [json.loads(l) for l in open(f"{tmp}/lifecycle-sequential.jsonl")]
print(f"\nbound per phase: {bound_calls} calls / 20 TPS = {bound:.2f} s")
print("| phase | executor wall | wall / bound | sso-admin calls | calls / assignment | throttled | failed | sequential (Go) per assignment | executor per assignment | speed-up |")
print("|---|---|---|---|---|---|---|---|---|---|")
for e, s in zip(ex, seq):
    per_ex = e["seconds"] / e["n"]
    per_seq = s["seconds"] / s["n"]
    print(f"| {e['op']} | {e['seconds']:.2f} s | {e['seconds']/bound:.3f} | {e['ssoAdminCalls']} | {e['ssoAdminCalls']/e['n']:.3f} | {e['throttled']} | {e['failed']} | {per_seq*1000:.0f} ms ({s['ssoAdminCalls']/s['n']:.2f} calls) | {per_ex*1000:.1f} ms | {per_seq/per_ex:.1f}× |")
try:
    cli = json.loads(open(f"{tmp}/lifecycle-cli.jsonl").read())
    for op, key in (("create", "createSeconds"), ("delete", "deleteSeconds")):
        e = next(x for x in ex if x["op"] == op)
        per_cli = cli[key] / cli["n"]
        print(f"AWS CLI runbook {op}: {per_cli:.2f} s per assignment ({cli['calls']/cli['n']/2:.1f} calls); executor {e['seconds']/e['n']*1000:.1f} ms: {per_cli/(e['seconds']/e['n']):.0f}× faster")
except FileNotFoundError:
    pass
for k in ("Calls",):
    for e in ex:
        print(e["op"], e["calls"])
PY
