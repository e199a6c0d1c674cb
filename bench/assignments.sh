#!/usr/bin/env bash
# bench/assignments.sh — `ssoctl assignments plan` and `apply` on the
# sandbox's medium organization under AWS's quotas.
#
#   bash bench/assignments.sh            # S=2 for the listings, N=500 creates at S=1
#   S=1 bash bench/assignments.sh        # the listings at AWS's own rates (slow)
#
# 1. Listing: `ssoctl sandbox --org medium --quotas aws --quota-scale $S`,
#    SSOCTL_RATE_SCALE=$S. A file giving two groups five permission sets on
#    every account (RecursiveOUs: [Root]) is planned (`plan -o json`); then
#    the full listing of every assignment (`admin assignments -o json`) and
#    the full audit (`audit -o json`) run against the same sandbox. Calls
#    and wall time side by side: the plan should cost in proportion to the
#    five permission sets, not to the organization.
# 2. Apply: a fresh `--quotas aws --pending-polls 3` sandbox at S=1; a file
#    declaring $N new assignments (two groups, one permission set, N/2
#    accounts) applied with `apply -f … --yes -o json`. The executor's time
#    (executionSeconds) against its quota bound, as bench/lifecycle.sh
#    defines it: N writes + ⌈N/15⌉·(polls+1) status pages + 2, at 20 TPS.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${S:=2}" "${N:=500}" "${POLLS:=3}"
tmp=bench/.tmp
mkdir -p "$tmp"
bin=$PWD/$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl

. bench/lib.sh

# start ARGS… starts a medium sandbox under AWS's quotas and keeps its state.
start() {
	start_sandbox --org medium --quotas aws "$@"
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/state" >"$tmp/assignments-state.json"
}

export HOME=$PWD/$tmp/home XDG_CACHE_HOME=$PWD/$tmp/home/.cache
rm -rf "$HOME"
mkdir -p "$HOME"

echo "== listing: --org medium --quotas aws --quota-scale $S, SSOCTL_RATE_SCALE=$S"
start --quota-scale "$S"
export SSOCTL_RATE_SCALE=$S
python3 - "$tmp/assignments-state.json" >"$tmp/five.yaml" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
ps = sorted(p["name"] for p in st["permissionSets"])[:5]
groups = sorted(g["displayName"] for g in st["groups"])[:2]
print(f"- Groups: [{', '.join(groups)}]\n  PermissionSets: [{', '.join(ps)}]\n  RecursiveOUs: [Root]")
PY
cat "$tmp/five.yaml"
run() { # NAME CMD… : wall time and the JSON's stats
	local name=$1
	shift
	curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null
	local t0 t1
	t0=$(now)
	"$@" >"$tmp/assignments-$name.json" 2>"$tmp/assignments-$name.err" || { rc=$?; [ $rc -eq 2 ] || { cat "$tmp/assignments-$name.err" >&2; exit $rc; }; }
	t1=$(now)
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" >"$tmp/assignments-$name.stats"
	echo "$name $(echo "$t1 - $t0" | bc)" >>"$tmp/assignments-walls.txt"
}
: >"$tmp/assignments-walls.txt"
run plan "$bin" assignments plan -f "$tmp/five.yaml" -o json
run listing "$bin" admin assignments -o json
run audit "$bin" audit -o json
stop_sandbox

echo "== apply: --org medium --quotas aws --pending-polls $POLLS (S=1), N=$N"
start --pending-polls "$POLLS"
unset SSOCTL_RATE_SCALE
python3 - "$tmp/assignments-state.json" "$N" >"$tmp/apply.yaml" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
mgmt = st["organization"]["masterAccountId"]
ps = sorted(p["name"] for p in st["permissionSets"])[-1]
have = {(a["accountId"], a["permissionSetArn"], a["principalId"]) for a in st["assignments"]}
arn = next(p["permissionSetArn"] for p in st["permissionSets"] if p["name"] == ps)
groups = sorted(st["groups"], key=lambda g: g["displayName"])[-2:]
accts = [a["id"] for a in sorted(st["accounts"], key=lambda a: a["id"])
         if a["status"] == "ACTIVE" and a["id"] != mgmt
         and all((a["id"], arn, g["groupId"]) not in have for g in groups)][: n // 2]
print(f"- Groups: [{', '.join(g['displayName'] for g in groups)}]\n  PermissionSets: [{ps}]\n  Accounts:")
for a in accts:
    print(f"  - '{a}'")
PY
run apply "$bin" assignments apply -f "$tmp/apply.yaml" --yes -o json
stop_sandbox

python3 - "$tmp" "$S" "$POLLS" <<'PY'
import json, math, sys
tmp, S, polls = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
walls = dict(l.split() for l in open(f"{tmp}/assignments-walls.txt"))
def stats(name):
    s = json.load(open(f"{tmp}/assignments-{name}.stats"))
    return s["calls"], sum(s["calls"].values()), sum(s.get("throttled", {}).values())
def ops(calls, prefix):
    return sum(v for k, v in calls.items() if k.startswith(prefix))
plan = json.load(open(f"{tmp}/assignments-plan.json"))
print(f"\nplan: {plan['plan']['declared']} declared, {plan['plan']['live']} live in scope, {plan['plan']['creates']} to create, "
      f"{len(plan['plan']['scope']['permissionSets'])} permission sets in scope")
print("| run (S = %g) | API calls | ListAccountAssignments | wall | calls vs plan | wall vs plan |" % S)
print("|---|---:|---:|---:|---:|---:|")
pc, pn, _ = stats("plan")
for name in ("plan", "listing", "audit"):
    c, n, th = stats(name)
    w = float(walls[name])
    laa = c.get("sso-admin:ListAccountAssignments", 0) + c.get("sso-admin:ListAccountAssignmentsForPrincipal", 0)
    print(f"| {name} | {n} ({th} throttled) | {laa} | {w:.1f} s | {n/pn:.1f}× | {w/float(walls['plan']):.1f}× |")
print("\nplan calls by operation:", json.dumps({k: v for k, v in sorted(pc.items())}))
ap = json.load(open(f"{tmp}/assignments-apply.json"))
res = ap["result"]["summary"]
c, n, th = stats("apply")
writes = c.get("sso-admin:CreateAccountAssignment", 0)
status = ops(c, "sso-admin:ListAccountAssignmentCreationStatus") + ops(c, "sso-admin:DescribeAccountAssignmentCreationStatus")
k = res["created"]
bound_calls = k + math.ceil(k / 15) * (polls + 1) + 2
bound = bound_calls / 20
ex = ap["executionSeconds"]
print(f"\napply: {res}; executor {ex:.2f} s, whole command {float(walls['apply']):.2f} s ({ap['stats']['seconds']:.2f} s in-process)")
print(f"| N created | creates sent | status calls | calls / assignment | throttled | bound ({bound_calls} calls / 20 TPS) | executor wall | wall / bound |")
print(f"|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {k} | {writes} | {status} | {(writes+status)/k:.3f} | {th} | {bound:.2f} s | {ex:.2f} s | **{ex/bound:.3f}** |")
print("\napply calls by operation:", json.dumps({k: v for k, v in sorted(c.items())}))
PY
