#!/usr/bin/env bash
# bench/portal_pace.sh — portal calls throttled when populate, each and
# credentials export run one after another against AWS's portal quota
# (issue 21 item 8), before (OLD, default main) and after the portal's calls
# were paced across processes.
#
#   bash bench/portal_pace.sh            # 3 rounds of the three commands
#   OLD=657f116 ROUNDS=5 bash bench/portal_pace.sh
#
# The sandbox serves the medium org with --quotas aws (the portal, "sso",
# 20 TPS, a bucket of 20) and signs in as its first person with access (55
# roles in 52 accounts). Each round runs, back to back, signed in once:
# configure populate (into an empty config), credentials export -f (from an
# empty credential cache: ListAccounts, ListAccountRoles and
# GetRoleCredentials), each --yes -- true (the credentials now cached), so
# every round makes the same 214 portal calls. Calls and throttled calls per command come
# from /_sandbox/stats, reset before each.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${OLD:=main}" "${ROUNDS:=3}"
tmp=$PWD/bench/.tmp/portal_pace
rm -rf "$tmp"
mkdir -p "$tmp/old"
git archive "$OLD" | tar -x -C "$tmp/old"
(cd "$tmp/old" && go build -o "$tmp/ssoctl-old" ./cmd/ssoctl)
go build -o "$tmp/ssoctl-new" ./cmd/ssoctl
bin=$tmp/ssoctl-new
. bench/lib.sh

stats() { # stats LABEL: calls and throttled sso calls since the last reset
	curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" | python3 -c '
import json, sys
s = json.load(sys.stdin)
calls = sum(v for k, v in s["calls"].items() if k.startswith("sso:"))
thr = sum(v for k, v in s["throttled"].items() if k.startswith("sso:"))
print(calls, thr)'
}

echo "| build | round | populate calls | throttled | export calls | throttled | each calls | throttled | seconds (3 commands) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for b in old new; do
	start_sandbox --org medium --quotas aws
	export HOME=$tmp/home-$b AWS_CONFIG_FILE=$tmp/home-$b/.aws/config
	rm -rf "$HOME"
	mkdir -p "$HOME"
	"$tmp/ssoctl-$b" login --use-device-code >/dev/null 2>&1
	sleep 2 # a full sandbox bucket to start from
	for r in $(seq "$ROUNDS"); do
		rm -rf "$HOME/.aws/cli/cache" "$AWS_CONFIG_FILE"
		t0=$(now)
		row="| $b | $r"
		for cmd in "configure populate" "credentials export -f $tmp/creds.json" "each --yes -- true"; do
			curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null
			# shellcheck disable=SC2086
			"$tmp/ssoctl-$b" $cmd >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
			read -r calls thr < <(stats)
			row="$row | $calls | $thr"
		done
		t1=$(now)
		echo "$row | $(python3 -c "print(f'{$t1-$t0:.2f}')") |"
	done
	stop_sandbox
done
