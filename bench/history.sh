#!/usr/bin/env bash
# bench/history.sh — what `audit --save` adds to the audit, and how fast
# `history diff` compares two large snapshots.
#
#   bash bench/history.sh            # ORG=large (about 4 minutes)
#   ORG=medium bash bench/history.sh
#
# 1. `ssoctl sandbox --org $ORG --quotas none`; the client at
#    SSOCTL_RATE_SCALE=1000 (bench/audit.sh's throughput run).
# 2. Side by side, twice: `ssoctl audit -f a.csv` and
#    `ssoctl audit --save --db h.db -f b.csv`, each under /usr/bin/time -v.
#    The added wall time of --save, the database's bytes per row, and
#    `history show 1` compared with the CSV the audit wrote.
# 3. A third snapshot of another organization of the same size (--seed 1:
#    every id differs), then `history diff 1 2` (nothing changed: a full
#    merge of two snapshots) and `history diff 2 3` (every row changed),
#    output to /dev/null, under /usr/bin/time -v: wall time and peak RSS.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${ORG:=large}" "${RATE:=1000}"
tmp=bench/.tmp/history
rm -rf "$tmp"
mkdir -p "$tmp"
bin=$PWD/bench/.tmp/ssoctl
go build -o "$bin" ./cmd/ssoctl
db=$tmp/h.db

# shellcheck source=bench/lib.sh
. bench/lib.sh
field() { awk -F': ' -v k="$2" '$1 ~ k {print $2}' "$1"; }
secs() { # wall clock "m:ss.xx" -> seconds
	field "$1" 'Elapsed \\(wall clock\\)' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }'
}
rss() { echo $(($(field "$1" 'Maximum resident set size') / 1024)); }
run() { # run NAME CMD… : under /usr/bin/time -v, stderr kept
	local name=$1
	shift
	SSOCTL_RATE_SCALE=$RATE /usr/bin/time -v -o "$tmp/$name.time" "$@" 2>"$tmp/$name.err" || { cat "$tmp/$name.err" >&2; exit 1; }
	printf '%-28s %7.2f s  %5d MB  %s\n' "$name" "$(secs "$tmp/$name.time")" "$(rss "$tmp/$name.time")" "$(grep -h '^audit: saved\|^history diff' "$tmp/$name.err" || true)"
}

echo "== $ORG, --quotas none, SSOCTL_RATE_SCALE=$RATE"
start_sandbox --quotas none --org "$ORG"
run audit-1 "$bin" audit -f "$tmp/a1.csv"
run audit-save-1 "$bin" audit --save --db "$db" -f "$tmp/b1.csv"
run audit-2 "$bin" audit -f "$tmp/a2.csv"
run audit-save-2 "$bin" audit --save --db "$db" -f "$tmp/b2.csv"
stop_sandbox
rows=$(($(wc -l <"$tmp/b1.csv") - 1))
size=$(stat -c %s "$db")
echo "rows per snapshot: $rows; database after 2 snapshots: $size bytes = $(echo "scale=1; $size / (2 * $rows)" | bc) bytes per row"
echo "CSV per snapshot: $(stat -c %s "$tmp/b1.csv") bytes = $(echo "scale=1; $(stat -c %s "$tmp/b1.csv") / $rows" | bc) bytes per row"
a=$(echo "$(secs "$tmp/audit-1.time") + $(secs "$tmp/audit-2.time")" | bc)
b=$(echo "$(secs "$tmp/audit-save-1.time") + $(secs "$tmp/audit-save-2.time")" | bc)
echo "audit --save / audit alone (sum of 2 runs each): $b / $a = $(echo "scale=3; $b / $a" | bc)"

run show-1 sh -c "'$bin' history show 1 --db '$db' >/dev/null"
"$bin" history show 1 --db "$db" >"$tmp/show1.csv"
cmp "$tmp/show1.csv" "$tmp/b1.csv" && echo "history show 1: byte-identical to the audit's CSV ($rows rows)"
rm -f "$tmp/show1.csv" "$tmp"/a?.csv

echo "== another $ORG organization (--seed 1), snapshot 3"
start_sandbox --quotas none --org "$ORG" --seed 1
run audit-save-seed1 "$bin" audit --save --db "$db" -f "$tmp/b3.csv"
stop_sandbox
rm -f "$tmp"/b?.csv
echo "database after 3 snapshots: $(stat -c %s "$db") bytes"

run "diff 1 2 (no change)" sh -c "'$bin' history diff 1 2 --db '$db' -o csv >/dev/null"
run "diff 2 3 (every row)" sh -c "'$bin' history diff 2 3 --db '$db' -o csv >/dev/null"
run "diff 1 2 -o json" sh -c "'$bin' history diff 1 2 --db '$db' -o json >/dev/null"
