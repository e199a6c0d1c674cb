#!/usr/bin/env bash
# bench/populate.sh — `ssoctl configure populate` over 500 and 1,000
# accounts under AWS's portal quota, against the quota bound.
#
#   bash bench/populate.sh                  # 50 ms latency, both sizes
#   LATENCY=0s SIZES=500 bash bench/populate.sh
#
# The organizations: the sandbox's medium org (500 accounts), and the same
# with 500 more accounts cloned into its OUs (1,000). In each, a new group
# "platform-oncall" holds ReadOnlyAccess in every account, and one new
# person, "platform.person", belongs to that group only and signs in: they
# reach exactly every account, with one role in each.
#
# The sandbox runs with --quotas aws (the portal, "sso", 20 TPS) and ssoctl
# as shipped (its portal bucket at 20 TPS). Populate needs ceil(N/100)
# ListAccounts pages plus one ListAccountRoles page per account; the quota
# bound is those calls ÷ 20 per second. Portal calls come from
# /_sandbox/stats, reset before the run; the config file starts empty. A
# second run (nothing new) is timed too.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${LATENCY:=50ms}" "${SIZES:=500 1000}"
tmp=$PWD/bench/.tmp/populate
rm -rf "$tmp"
mkdir -p "$tmp"
bin=$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl

. bench/lib.sh

start_sandbox --org medium
curl -fsS "$AWS_ENDPOINT_URL/_sandbox/state" >"$tmp/medium.json"
stop_sandbox

echo "| accounts | roles | ListAccounts | ListAccountRoles | ListAccountRoles/account | throttled | wall s | quota bound s | wall/bound | 2nd run s | 2nd run bytes changed |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	python3 - "$tmp/medium.json" "$tmp/state-$n.json" "$n" <<'EOF'
import copy, json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
st = json.load(open(src))
base = list(st["accounts"])
i = 0
while len(st["accounts"]) < n:
    a = copy.deepcopy(base[i % len(base)])
    aid = "%012d" % (900000000000 + i)
    a["arn"] = a["arn"].rsplit("/", 1)[0] + "/" + aid
    a["id"], a["name"], a["email"] = aid, "clone-%04d" % i, "aws+clone-%04d@example.com" % i
    a["status"] = "ACTIVE"
    st["accounts"].append(a)
    i += 1
inst = st["instances"][0]
ps = next(p["permissionSetArn"] for p in st["permissionSets"] if p["name"] == "ReadOnlyAccess")
u = copy.deepcopy(st["users"][0])
u.update(userId="9067aaaaaa-00000000-0000-4000-8000-000000000001", userName="platform.person", displayName="Platform Person",
         name={"Formatted": "Platform Person", "FamilyName": "Person", "GivenName": "Platform"},
         emails=[{"Value": "platform.person@example.com", "Type": "work", "Primary": True}], userStatus="ENABLED")
st["users"].append(u)
gid = "9067aaaaaa-00000000-0000-4000-8000-000000000002"
st["groups"].append({"identityStoreId": inst["identityStoreId"], "groupId": gid, "displayName": "platform-oncall",
                     "description": "Platform on-call", "createdAt": st["groups"][0]["createdAt"]})
st["memberships"].append({"identityStoreId": inst["identityStoreId"], "membershipId": "9067aaaaaa-00000000-0000-4000-8000-000000000003",
                          "groupId": gid, "userId": u["userId"]})
prov = {(p["permissionSetArn"], p["accountId"]) for p in st["provisioned"]}
for a in st["accounts"]:
    st["assignments"].append({"instanceArn": inst["instanceArn"], "accountId": a["id"], "permissionSetArn": ps,
                              "principalType": "GROUP", "principalId": gid})
    if (ps, a["id"]) not in prov:
        st["provisioned"].append({"permissionSetArn": ps, "accountId": a["id"]})
json.dump(st, open(dst, "w"))
EOF
	start_sandbox --org "$tmp/state-$n.json" --quotas aws --latency "$LATENCY" --sign-in-as platform.person
	export HOME=$tmp/home-$n AWS_CONFIG_FILE=$tmp/home-$n/.aws/config
	rm -rf "$HOME"
	mkdir -p "$HOME"
	"$bin" login --use-device-code >/dev/null 2>&1
	curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null
	t0=$(now)
	"$bin" configure populate -o json >"$tmp/populate-$n.json" 2>"$tmp/populate-$n.err" || { cat "$tmp/populate-$n.err" >&2; exit 1; }
	t1=$(now)
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" >"$tmp/stats-$n.json"
	cp "$AWS_CONFIG_FILE" "$tmp/config-$n"
	t2=$(now)
	"$bin" configure populate >/dev/null 2>"$tmp/populate2-$n.err"
	t3=$(now)
	changed=$(cmp -l "$AWS_CONFIG_FILE" "$tmp/config-$n" 2>/dev/null | wc -l)
	python3 - "$tmp/stats-$n.json" "$tmp/populate-$n.json" "$t0" "$t1" "$t2" "$t3" "$changed" <<'EOF'
import json, sys
s, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
t0, t1, t2, t3 = map(float, sys.argv[3:7])
la, lr = s["calls"].get("sso:ListAccounts", 0), s["calls"].get("sso:ListAccountRoles", 0)
thr = sum(v for k, v in s["throttled"].items() if k.startswith("sso:"))
accounts = len({c["accountId"] for c in p["changes"]})
roles = p["summary"]["added"]
bound = (la + lr) / 20.0
wall = t1 - t0
print(f"| {accounts} | {roles} | {la} | {lr} | {lr/accounts:.2f} | {thr} | {wall:.2f} | {bound:.2f} | {wall/bound:.3f} | {t3-t2:.2f} | {sys.argv[7]} |")
EOF
	stop_sandbox
done
echo
echo "latency ${LATENCY}; quota bound = (ListAccounts + ListAccountRoles calls) / 20 per second"
