#!/usr/bin/env bash
# bench/history_ab.sh — `audit` and `audit --save` of two builds side by side on one sandbox
# (large, --quotas none, SSOCTL_RATE_SCALE=1000): OLD=/path/to/old/ssoctl bash bench/history_ab.sh
# (this tree is the new build), then every CSV compared with cmp to the old audit's, and the last
# snapshot of each database read back by the other build. Per command: wall time, peak RSS, CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ORG:=large}" "${RATE:=1000}"
tmp=bench/.tmp/stream-ab; rm -rf "$tmp"; mkdir -p "$tmp"
bin=$PWD/bench/.tmp/ssoctl-new
go build -o "$bin" ./cmd/ssoctl
old=${OLD:?set OLD to the ssoctl binary to compare with}
. bench/lib.sh
field() { awk -F': ' -v k="$2" '$1 ~ k {print $2}' "$1"; }
secs() { field "$1" 'Elapsed \\(wall clock\\)' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
rss() { echo $(($(field "$1" 'Maximum resident set size') / 1024)); }
cpu() { awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.1f", u+s}' "$1"; }
run() { local name=$1; shift
	SSOCTL_RATE_SCALE=$RATE /usr/bin/time -v -o "$tmp/$name.time" "$@" 2>"$tmp/$name.err" || { cat "$tmp/$name.err" >&2; exit 1; }
	printf '%-16s %7.2f s  %5d MB  %5s s CPU\n' "$name" "$(secs "$tmp/$name.time")" "$(rss "$tmp/$name.time")" "$(cpu "$tmp/$name.time")"; }
start_sandbox --quotas none --org "$ORG"
for i in ${ROUNDS:-1 2}; do
	run old-audit-$i "$old" audit -f "$tmp/oa$i.csv"
	run old-save-$i "$old" audit --save --db "$tmp/old.db" -f "$tmp/ob$i.csv"
	run new-audit-$i "$bin" audit -f "$tmp/na$i.csv"
	run new-save-$i "$bin" audit --save --db "$tmp/new.db" -f "$tmp/nb$i.csv"
done
stop_sandbox
for f in "$tmp"/ob1.csv "$tmp"/na*.csv "$tmp"/nb*.csv; do cmp "$tmp/oa1.csv" "$f"; done && echo "all CSVs byte-identical to the old audit's ($(($(wc -l <"$tmp/oa1.csv") - 1)) rows)"
"$bin" history show 1 --db "$tmp/new.db" | cmp - "$tmp/oa1.csv" && echo "history show 1 (new) byte-identical"
last=$(printf '%s\n' ${ROUNDS:-1 2} | tail -1)
"$old" history show "$last" --db "$tmp/new.db" | cmp - "$tmp/oa1.csv" && echo "history show $last of the new build's database, by the old build, byte-identical"
"$bin" history show "$last" --db "$tmp/old.db" | cmp - "$tmp/oa1.csv" && echo "history show $last of the old build's database, by the new build, byte-identical"
ls -l "$tmp/old.db" "$tmp/new.db" | awk '{print $5, $NF}'
