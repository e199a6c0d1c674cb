#!/bin/sh
# How long ssoctl takes to give up on an endpoint it cannot reach, for two
# binaries side by side (issue 8 item 3): a closed port (connection
# refused) and https spoken to a plain-HTTP sandbox.
#   bench/unreachable.sh OLD_BINARY NEW_BINARY
set -eu
old=$1 new=$2
tmp=$(mktemp -d)
trap 'kill $sb 2>/dev/null; rm -rf "$tmp"' EXIT
"$new" sandbox --listen 127.0.0.1:0 >"$tmp/env" 2>/dev/null &
sb=$!
sleep 1
url=$(sed -n 's/^export AWS_ENDPOINT_URL=//p' "$tmp/env")
export HOME="$tmp" AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
secs() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
for case in "refused http://127.0.0.1:1" "https-to-http https${url#http}"; do
	set -- $case
	printf '%-14s old %6.2f s   new %6.3f s\n' "$1" "$(secs "$old" admin lookup instance --endpoint-url "$2")" "$(secs "$new" admin lookup instance --endpoint-url "$2")"
done
