#!/usr/bin/env bash
# bench/refresh_kill.sh — sessions lost when `ssoctl credential-process` is
# killed (SIGKILL) while it refreshes the token, before and after the new
# token was written the moment it arrives (issue 21 item 9). See
# bench/refreshkill/main.go for the method.
#
#   bash bench/refresh_kill.sh                 # old = main, N=100 per mode
#   OLD=657f116 N=40 bash bench/refresh_kill.sh
set -euo pipefail

cd "$(dirname "$0")/.."
: "${OLD:=main}" "${N:=100}" "${LATENCY:=20ms}"
tmp=$PWD/bench/.tmp/refresh_kill
rm -rf "$tmp"
mkdir -p "$tmp/old"
git archive "$OLD" | tar -x -C "$tmp/old"
(cd "$tmp/old" && go build -o "$tmp/ssoctl-old" ./cmd/ssoctl)
go build -o "$tmp/ssoctl-new" ./cmd/ssoctl
go build -o "$tmp/refreshkill" ./bench/refreshkill
for mode in uniform after-answer; do
	for b in old new; do
		"$tmp/refreshkill" -bin "$tmp/ssoctl-$b" -n "$N" -mode "$mode" -latency "$LATENCY"
	done
done
