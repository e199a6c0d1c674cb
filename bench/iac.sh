#!/usr/bin/env bash
# bench/iac.sh — `ssoctl iac export`, `plan` and `apply` on the sandbox's
# medium organization under AWS's quotas (--quotas aws).
#
#   bash bench/iac.sh              # S=4 for export and plans; the apply at S=1
#   S=1 bash bench/iac.sh          # everything at AWS's own rates (slower)
#
# 1. Export: `ssoctl sandbox --org medium --quotas aws --quota-scale $S`,
#    SSOCTL_RATE_SCALE=$S; `iac export -f all.yaml`. Calls per service and
#    wall against the quota bound for those calls (bench/audit_bound.py's
#    seconds(): each bucket's burst free, the rest at its rate, the services
#    concurrently).
# 2. Plans: permission sets are added (one iac apply) until there are 40;
#    a file declaring 5 of them (their attributes as exported) and one
#    declaring all 40 are planned (`iac plan -o json`): the calls of the
#    first should be about 5/40 of the second's (plus what every plan reads
#    once: the instance, the accounts it names).
# 3. Apply: a fresh sandbox, --quotas aws --pending-polls $POLLS at S=1. A
#    setup apply makes $N permission sets, each assigned to a group on $A
#    accounts (provisioned there: N·A provisionings); then a file changing
#    every set's session duration and inline policy is applied: N updates,
#    each re-provisioned to its A accounts (ProvisionPermissionSet with
#    ALL_PROVISIONED_ACCOUNTS, polled). The executor's wall (executionSeconds)
#    against the bound AWS's rates set for the calls it must make.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${S:=4}" "${N:=50}" "${A:=10}" "${POLLS:=3}"
tmp=bench/.tmp
mkdir -p "$tmp"
bin=$PWD/$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl

. bench/lib.sh

export HOME=$PWD/$tmp/home XDG_CACHE_HOME=$PWD/$tmp/home/.cache
rm -rf "$HOME"
mkdir -p "$HOME"

: >"$tmp/iac-walls.txt"
run() { # NAME CMD… : wall time, output and the sandbox's stats
	local name=$1
	shift
	curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null
	local t0 t1
	t0=$(now)
	"$@" >"$tmp/iac-$name.out" 2>"$tmp/iac-$name.err" || { rc=$?; [ $rc -eq 2 ] || { cat "$tmp/iac-$name.err" >&2; exit $rc; }; }
	t1=$(now)
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" >"$tmp/iac-$name.stats"
	echo "$name $(echo "$t1 - $t0" | bc)" >>"$tmp/iac-walls.txt"
}

echo "== export and plans: --org medium --quotas aws --quota-scale $S, SSOCTL_RATE_SCALE=$S"
start_sandbox --org medium --quotas aws --quota-scale "$S"
export SSOCTL_RATE_SCALE=$S
curl -fsS "$AWS_ENDPOINT_URL/_sandbox/state" >"$tmp/iac-state.json"
run export "$bin" iac export -f "$tmp/iac-all.yaml"
python3 - "$tmp/iac-state.json" >"$tmp/iac-more.yaml" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
have = len(st["permissionSets"])
print("PermissionSets:")
for i in range(40 - have):
    print(f"  Bench{i:02d}:\n    Description: bench set {i}\n    SessionDuration: PT2H\n    ManagedPolicies: [ReadOnlyAccess]")
PY
"$bin" iac apply -f "$tmp/iac-more.yaml" --yes >/dev/null 2>"$tmp/iac-more.err"
run export40 "$bin" iac export -f "$tmp/iac-all40.yaml"
python3 - "$tmp/iac-all40.yaml" "$tmp" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
sets = doc["PermissionSets"]
names = sorted(sets)
assert len(names) == 40, len(names)
for k, pick in (("5", names[:5]), ("40", names)):
    yaml.safe_dump({"PermissionSets": {n: sets[n] for n in pick}}, open(f"{sys.argv[2]}/iac-sets{k}.yaml", "w"))
PY
run plan5 "$bin" iac plan -f "$tmp/iac-sets5.yaml" --detailed-exitcode -o json
run plan40 "$bin" iac plan -f "$tmp/iac-sets40.yaml" --detailed-exitcode -o json
stop_sandbox
unset SSOCTL_RATE_SCALE

echo "== apply: --org medium --quotas aws --pending-polls $POLLS (S=1), $N permission sets on $A accounts each"
start_sandbox --org medium --quotas aws --pending-polls "$POLLS"
curl -fsS "$AWS_ENDPOINT_URL/_sandbox/state" >"$tmp/iac-state.json"
python3 - "$tmp/iac-state.json" "$N" "$A" "$tmp" <<'PY'
import json, sys
st, n, a, tmp = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mgmt = st["organization"]["masterAccountId"]
accts = sorted(x["name"] for x in st["accounts"] if x.get("state", x.get("status")) == "ACTIVE" and x["id"] != mgmt)[:a]
group = sorted(g["displayName"] for g in st["groups"])[0]
for name, dur, action in (("setup", "PT2H", "s3:GetObject"), ("change", "PT4H", "s3:ListBucket")):
    with open(f"{tmp}/iac-{name}.yaml", "w") as f:
        f.write("PermissionSets:\n")
        for i in range(n):
            f.write(f"  Apply{i:02d}:\n    SessionDuration: {dur}\n    ManagedPolicies: [ReadOnlyAccess]\n")
            f.write(f"    InlinePolicy: '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"{action}\",\"Resource\":\"*\"}}]}}'\n")
        f.write(f"Assignments:\n  - Groups: [{group}]\n    PermissionSets: [{', '.join(f'Apply{i:02d}' for i in range(n))}]\n")
        f.write(f"    Accounts: [{', '.join(accts)}]\n")
PY
run setup "$bin" iac apply -f "$tmp/iac-setup.yaml" --yes -o json
run change "$bin" iac apply -f "$tmp/iac-change.yaml" --yes -o json
stop_sandbox

python3 - "$tmp" "$S" "$N" "$A" "$POLLS" <<'PY'
import json, math, sys
sys.path.insert(0, "bench")
from audit_bound import seconds
tmp, S, n, a, polls = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
walls = {k: float(v) for k, v in (l.split() for l in open(f"{tmp}/iac-walls.txt"))}
def stats(name):
    s = json.load(open(f"{tmp}/iac-{name}.stats"))
    return s["calls"], sum(s.get("throttled", {}).values())
def by_service(calls):
    out = {}
    for k, v in calls.items():
        out[k.split(":")[0]] = out.get(k.split(":")[0], 0) + v
    return out
print(f"\n| run (S = {S:g}) | API calls (sso-admin / identitystore / organizations) | throttled | quota bound | wall | wall / bound |")
print("|---|---:|---:|---:|---:|---:|")
for name in ("export", "export40", "plan5", "plan40"):
    c, th = stats(name)
    sv = by_service(c)
    b = max(seconds(c, S).values() or [0])
    w = walls[name]
    ratio = f"{w/b:.2f}" if b else "— (within the burst)"
    print(f"| {name} | {sum(c.values())} ({sv.get('sso-admin',0)} / {sv.get('identitystore',0)} / {sv.get('organizations',0)}) | {th} | {b:.1f} s | {w:.1f} s | {ratio} |")
c5, _ = stats("plan5"); c40, _ = stats("plan40")
print(f"\nplan of 5 of 40 permission sets: {sum(c5.values())} calls, {sum(c5.values())/sum(c40.values()):.3f} of the 40-set plan's {sum(c40.values())} (5/40 = 0.125)")
print("plan5 calls:", json.dumps(dict(sorted(c5.items()))))
print("plan40 calls:", json.dumps(dict(sorted(c40.items()))))
for name in ("setup", "change"):
    doc = json.load(open(f"{tmp}/iac-{name}.out"))
    c, th = stats(name)
    ex = doc["executionSeconds"]
    print(f"\n{name}: {doc['result']['summary']}; executor {ex:.2f} s, whole command {walls[name]:.2f} s")
    print(f"{name} calls:", json.dumps(dict(sorted(c.items()))))
    if name == "change":
        # the executor's calls: the writes and the status polls (the plan's reads are before it)
        writes = ("UpdatePermissionSet", "PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DescribePermissionSetProvisioningStatus", "ListPermissionSetProvisioningStatus")
        ex_calls = sum(v for k, v in c.items() if k.split(":")[1] in writes)
        least = 2 * n + n + math.ceil(n / 15) * (polls + 1)
        bound = least / 20
        print(f"| change | sets | accounts re-provisioned | executor calls | least calls (2 writes + 1 provision a set + ⌈{n}/15⌉·({polls}+1) status) | bound at 20 TPS | executor wall | wall / bound |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| | {n} | {n*a} | {ex_calls} | {least} | {bound:.2f} s | {ex:.2f} s | **{ex/bound:.2f}** |")
PY
