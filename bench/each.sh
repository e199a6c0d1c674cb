#!/usr/bin/env bash
# bench/each.sh — `ssoctl each` across ~500 accounts against the plain
# sequential way (credentials fetched one account at a time, then the
# command run one account at a time), with injected latency.
#
#   bash bench/each.sh                 # both quota modes, 50 ms latency
#   LATENCY=100ms bash bench/each.sh   # another latency
#   MODES=lifted bash bench/each.sh    # only one mode (lifted | aws)
#   PARALLEL="16 32" bash bench/each.sh  # the --parallel values (default: 16, ssoctl's default, and 64)
#
# The organization: the sandbox's medium org (500 accounts) plus one
# platform team, "platform-oncall", holding ReadOnlyAccess in every account,
# with one member (the enabled user whose name sorts first), who signs in.
# No one in the generated org reaches more than ~90 accounts; a platform
# team reaching all of them is what fan-out is for. The state is dumped from
# a medium sandbox, edited, and loaded with --org FILE.
#
# The command run in every account is bench/callerid: a tiny Go program
# that calls sts GetCallerIdentity with the AWS SDK for Go (default config
# chain: the credentials in its environment) and prints the account and
# ARN; ~10 ms of CPU a run. (/usr/bin/aws takes ~0.5 s of CPU to start,
# which would measure the AWS CLI on a small machine, not the fan-out.)
#
# Modes:
#   lifted  the sandbox enforces no quotas and the client's token buckets
#           are scaled up (SSOCTL_RATE_SCALE=50): an organization whose
#           portal quota was raised, or the fan-out's own cost.
#   aws     the sandbox enforces AWS's rates (--quotas aws: the portal, "sso",
#           20 TPS) and ssoctl runs as shipped (its portal bucket at 20 TPS).
#
# In each mode ("cold": from an empty role-credential cache):
#   each        ssoctl each --role ReadOnlyAccess --yes --parallel P -- callerid
#   each warm   the same again: credentials from ~/.aws/cli/cache
#   sequential  ssoctl roles (to know the accounts; it lists them 8 at a
#               time), then one `ssoctl export -a ID -r ROLE` per account,
#               then one callerid per account with those variables
#   Go API      bench/eachgo: the same fan-out in one process through the
#               public package github.com/ssoctl/ssoctl/accounts (no
#               process per account)
# Portal calls come from the sandbox's /_sandbox/stats, reset before each
# run. Both ways' outputs are compared (sorted): they must be equal.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${LATENCY:=50ms}" "${PARALLEL:=16 64}" "${ROLE:=ReadOnlyAccess}" "${MODES:=lifted aws}"
tmp=$PWD/bench/.tmp/each
rm -rf "$tmp"
mkdir -p "$tmp/bin"
bin=$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl
go build -o "$tmp/bin/callerid" ./bench/callerid
go build -o "$tmp/eachgo" ./bench/eachgo
export PATH=$tmp/bin:$PATH

. bench/lib.sh

stats() { curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats"; }
reset_stats() { curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null; }
# calls JSON OP: the count of one service:Operation in a stats document.
calls() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["calls"].get(sys.argv[1],0), d["throttled"].get(sys.argv[1],0))' "$1" <<<"$2"; }

echo "== the organization: medium + platform-oncall ($ROLE in every account)"
start_sandbox --org medium
curl -fsS "$AWS_ENDPOINT_URL/_sandbox/state" >"$tmp/medium.json"
stop_sandbox
signin=$(python3 - "$tmp/medium.json" "$tmp/state.json" "$ROLE" <<'EOF'
import json, sys, uuid
src, dst, role = sys.argv[1:]
st = json.load(open(src))
inst = st["instances"][0]
ps = next(p["permissionSetArn"] for p in st["permissionSets"] if p["name"] == role)
user = min((u for u in st["users"] if u["userStatus"] == "ENABLED"), key=lambda u: u["userName"].lower())
gid = "9067" + uuid.UUID(int=1).hex[:6] + "-" + str(uuid.UUID(int=2))
st["groups"].append({"identityStoreId": inst["identityStoreId"], "groupId": gid, "displayName": "platform-oncall",
                     "description": "Platform on-call: read-only everywhere", "createdAt": st["groups"][0]["createdAt"]})
st["memberships"].append({"identityStoreId": inst["identityStoreId"], "membershipId": "9067" + uuid.UUID(int=3).hex[:6] + "-" + str(uuid.UUID(int=4)),
                          "groupId": gid, "userId": user["userId"]})
provisioned = {(p["permissionSetArn"], p["accountId"]) for p in st["provisioned"]}
for a in st["accounts"]:
    st["assignments"].append({"instanceArn": inst["instanceArn"], "accountId": a["id"], "permissionSetArn": ps,
                              "principalType": "GROUP", "principalId": gid})
    if (ps, a["id"]) not in provisioned:
        st["provisioned"].append({"permissionSetArn": ps, "accountId": a["id"]})
json.dump(st, open(dst, "w"))
print(user["userName"])
EOF
)
echo "signs in: $signin"

# measure LABEL CACHE OUT COMMAND…: runs COMMAND with stdout to OUT and
# stderr to OUT.err (cache: cold empties the role-credential cache first),
# and prints its wall time and portal calls as a table row.
measure() {
	local label=$1 cache=$2 out=$3
	shift 3
	[ "$cache" = warm ] || rm -rf "$HOME/.aws/cli/cache"
	reset_stats
	local t0 t1 s
	t0=$(now)
	"$@" >"$out" 2>"$out.err" || { cat "$out.err" >&2; exit 1; }
	t1=$(now)
	s=$(stats)
	last=$(echo "$t1 - $t0" | bc -l)
	grc=$(calls sso:GetRoleCredentials "$s" | cut -d' ' -f1)
	thr=$(python3 -c 'import json,sys; print(sum(v for k, v in json.load(sys.stdin)["throttled"].items() if k.startswith("sso:")))' <<<"$s")
	printf '| %-36s | %8.2f | %5s | %5s | %5s | %5s |\n' "$label" "$last" "$grc" "$thr" \
		"$(calls sso:ListAccountRoles "$s" | cut -d' ' -f1)" "$(calls sts:GetCallerIdentity "$s" | cut -d' ' -f1)"
}

# sequential: the plain way. One `ssoctl export` per account (one
# GetRoleCredentials each), then one callerid per account.
sequential() {
	"$bin" roles -o csv --role-name "^$ROLE\$" | tail -n +2 | cut -d, -f1 >"$tmp/seq-accounts"
	rm -rf "$tmp/seq-creds"
	mkdir -p "$tmp/seq-creds"
	while read -r id; do
		"$bin" export -a "$id" -r "$ROLE" >"$tmp/seq-creds/$id"
	done <"$tmp/seq-accounts"
	while read -r id; do
		(. "$tmp/seq-creds/$id" && callerid)
	done <"$tmp/seq-accounts"
}

# same A B: the two outputs hold the same lines.
same() {
	cmp -s <(sort "$1") <(sort "$2") || { echo "outputs differ: $1 $2" >&2; exit 1; }
}

# run_mode NAME SANDBOX-ARGS… runs the measurements in one sandbox.
run_mode() {
	local mode=$1
	shift
	start_sandbox --org "$tmp/state.json" --latency "$LATENCY" --sign-in-as "$signin" "$@"
	export HOME=$tmp/home-$mode
	rm -rf "$HOME"
	mkdir -p "$HOME"
	"$bin" login --use-device-code >/dev/null 2>&1
	"$bin" roles -o csv >"$tmp/roles.csv"
	local accounts roles targets
	accounts=$(tail -n +2 "$tmp/roles.csv" | cut -d, -f1 | sort -u | wc -l)
	roles=$(($(wc -l <"$tmp/roles.csv") - 1))
	targets=$(grep -c ",$ROLE\$" "$tmp/roles.csv")
	echo
	echo "== $mode: $signin reaches $accounts accounts ($roles roles); --role $ROLE: $targets runs; latency $LATENCY"
	echo
	echo "Calls as the sandbox counted them, retries included. GetRC: sso:GetRoleCredentials; thrtl: portal"
	echo "calls answered with a throttling error; ListR: sso:ListAccountRoles; sts: sts:GetCallerIdentity."
	echo
	echo "| run                                  |   wall s | GetRC | thrtl | ListR |   sts |"
	echo "|--------------------------------------|---------:|------:|------:|------:|------:|"
	local p each_s=() go_s=() seq_s
	for p in $PARALLEL; do
		measure "each --parallel $p, cold cache" cold "$tmp/each-$mode-$p.out" \
			"$bin" each --role "$ROLE" --yes --parallel "$p" -- callerid
		each_s+=("$p:$last")
	done
	for p in $PARALLEL; do
		measure "Go API (accounts), $p at once, cold" cold "$tmp/eachgo-$mode-$p.out" \
			"$tmp/eachgo" -role "$ROLE" -parallel "$p" -rate "$portal_rate"
		go_s+=("$p:$last")
	done
	p=${PARALLEL%% *}
	measure "each --parallel $p, warm cache" warm "$tmp/each-warm.out" \
		"$bin" each --role "$ROLE" --yes --parallel "$p" -- callerid
	measure "sequential (export, then calls)" cold "$tmp/seq-$mode.out" sequential
	seq_s=$last
	for p in $PARALLEL; do
		same "$tmp/each-$mode-$p.out" "$tmp/seq-$mode.out"
		same "$tmp/eachgo-$mode-$p.out" "$tmp/seq-$mode.out"
	done
	echo
	echo "outputs: the same $(wc -l <"$tmp/seq-$mode.out") lines each way"
	local e
	for e in "${each_s[@]}"; do
		printf 'speed-up, sequential / each --parallel %s (cold): %.1fx\n' "${e%%:*}" "$(echo "$seq_s / ${e#*:}" | bc -l)"
	done
	for e in "${go_s[@]}"; do
		printf 'speed-up, sequential / Go API %s at once (cold): %.1fx\n' "${e%%:*}" "$(echo "$seq_s / ${e#*:}" | bc -l)"
	done
	stop_sandbox
}

for mode in $MODES; do
	case $mode in
	lifted) SSOCTL_RATE_SCALE=50 portal_rate=1000 run_mode lifted --quotas none ;;
	aws) SSOCTL_RATE_SCALE= portal_rate=0 run_mode aws --quotas aws ;;
	*) echo "unknown mode $mode" >&2; exit 2 ;;
	esac
done
