#!/usr/bin/env bash
# bench/activity.sh — CloudTrail activity (issue 28) against the sandbox under
# AWS's quotas (scaled by S; SSOCTL_RATE_SCALE=S so the client's token
# buckets match).
#
#   bash bench/activity.sh                 # medium at S=2, large at S=50, access unused on medium
#   ORGS="medium:2" UNUSED= bash bench/activity.sh
#
# Per ORG:S: a full `audit --save`; the ten changes of audit_since.txtar
# with boto3 (bench/activity_changes.py); `audit --since last --save
# --cloudtrail-lag 0s` (the sandbox delivers events at once); a fresh full
# audit, whose CSV must equal the incremental one byte for byte. Calls come
# from the sandbox's /_sandbox/stats (reset before each run), wall times from
# the client. Times at AWS's own quotas are the scaled times × S.
# UNUSED=medium:2 then measures `access unused --days 1` on the medium org
# with one day of seeded sign-in history (--activity-days 1): the first run
# (no cursor) and a second run (the cursor: only what is new).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${ORGS:=medium:2 large:50}"
UNUSED=${UNUSED-medium:2}
tmp=bench/.tmp/activity
mkdir -p "$tmp"
bin=$PWD/$tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl
source bench/lib.sh

calls() { # calls FILE [EXCLUDE-REGEX]: total calls in a /_sandbox/stats dump
	python3 -c '
import json, re, sys
s = json.load(open(sys.argv[1]))["calls"]
ex = sys.argv[2] if len(sys.argv) > 2 else None
print(sum(v for k, v in s.items() if not (ex and re.search(ex, k))))' "$@"
}
ops() { # ops FILE: the calls by operation, most first
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["calls"]
print(", ".join("%s %d" % kv for kv in sorted(s.items(), key=lambda kv: -kv[1])))' "$1"
}
reset() { curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null; }
stats() { curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" >"$1"; }

for spec in $ORGS; do
	org=${spec%%:*} S=${spec##*:}
	export SSOCTL_RATE_SCALE=$S
	db=$tmp/$org.db
	rm -f "$db"
	echo "== $org: --quotas aws --quota-scale $S, SSOCTL_RATE_SCALE=$S"
	start_sandbox --org "$org" --quotas aws --quota-scale "$S" --cloudtrail-delay 0s
	reset
	t0=$(now)
	"$bin" audit --save --db "$db" -f "$tmp/$org-base.csv" 2>"$tmp/$org-full1.err"
	t1=$(now)
	stats "$tmp/$org-full1.json"
	echo "full audit --save: $(calls "$tmp/$org-full1.json") calls, $(echo "$t1 - $t0" | bc)s"
	python3 bench/activity_changes.py
	reset
	t0=$(now)
	"$bin" audit --since last --save --db "$db" --cloudtrail-lag 0s -f "$tmp/$org-inc.csv" 2>"$tmp/$org-inc.err"
	t1=$(now)
	stats "$tmp/$org-inc.json"
	grep '^audit --since' "$tmp/$org-inc.err"
	inc_all=$(calls "$tmp/$org-inc.json")
	inc_aws=$(calls "$tmp/$org-inc.json" '^cloudtrail:')
	echo "audit --since last --save: $inc_aws calls besides $((inc_all - inc_aws)) LookupEvents, $(echo "$t1 - $t0" | bc)s"
	echo "  by operation: $(ops "$tmp/$org-inc.json")"
	reset
	t0=$(now)
	"$bin" audit -f "$tmp/$org-full2.csv" 2>"$tmp/$org-full2.err"
	t1=$(now)
	stats "$tmp/$org-full2.json"
	echo "fresh full audit: $(calls "$tmp/$org-full2.json") calls, $(echo "$t1 - $t0" | bc)s"
	if cmp -s "$tmp/$org-inc.csv" "$tmp/$org-full2.csv"; then
		echo "incremental CSV equals the fresh full audit's byte for byte ($(($(wc -l <"$tmp/$org-inc.csv") - 1)) rows)"
	else
		echo "DIFFERENT: $tmp/$org-inc.csv $tmp/$org-full2.csv" >&2
		exit 1
	fi
	stop_sandbox
	echo
done

if [ -n "$UNUSED" ]; then
	org=${UNUSED%%:*} S=${UNUSED##*:}
	export SSOCTL_RATE_SCALE=$S
	db=$tmp/unused.db
	rm -f "$db"
	echo "== access unused --days 1: $org with --activity-days 1, --quotas aws --quota-scale $S"
	start_sandbox --org "$org" --activity-days 1 --quotas aws --quota-scale "$S"
	"$bin" audit --save --db "$db" -f "$tmp/unused-base.csv" 2>/dev/null
	for run in first second; do
		reset
		t0=$(now)
		"$bin" access unused --days 1 --db "$db" -o json >"$tmp/unused-$run.json" 2>"$tmp/unused-$run.err"
		t1=$(now)
		stats "$tmp/unused-$run.json.stats"
		echo "$run run: $(calls "$tmp/unused-$run.json.stats") calls ($(ops "$tmp/unused-$run.json.stats")), $(echo "$t1 - $t0" | bc)s"
		grep '^access unused: [0-9]' "$tmp/unused-$run.err"
		grep '^access unused: read' "$tmp/unused-$run.err"
	done
	stop_sandbox
fi
