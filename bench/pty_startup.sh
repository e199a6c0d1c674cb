#!/usr/bin/env bash
# bench/pty_startup.sh — issue 21 items 1 and 2, a BEFORE build against the
# work tree's:
#
#  1. start-up at a terminal that answers no query (a pty made by
#     `script`, as the issue measured it) against piped, for `version`,
#     `roles` and `export` (signed in to a sandbox): median of RUNS runs,
#     builds and commands round-robin so load falls on all alike;
#  2. how long credential-process takes to end against an endpoint that
#     accepts and never answers, one that sends the headers and stalls the
#     body, and (token in its refresh window) silent sso-oidc and portal
#     both; the BEFORE build is killed after LIMIT seconds. Default
#     timeouts (no SSOCTL_*_TIMEOUT).
#
#   bash bench/pty_startup.sh                 # BEFORE=657f116, RUNS=15, LIMIT=60
#   BEFORE=<rev> RUNS=31 LIMIT=120 bash bench/pty_startup.sh
set -euo pipefail

cd "$(dirname "$0")/.."
: "${RUNS:=15}" "${BEFORE:=657f116}" "${LIMIT:=60}"
command -v script >/dev/null || { echo "needs script (util-linux)" >&2; exit 1; }
tmp=$PWD/bench/.tmp/pty_startup
rm -rf "$tmp"
mkdir -p "$tmp/home/.aws" "$tmp/src"
git worktree add -q --detach "$tmp/src/before" "$BEFORE"
silent_pids=
cleanup() {
	if type stop_sandbox >/dev/null 2>&1; then stop_sandbox; fi
	for p in $silent_pids; do kill "$p" 2>/dev/null || true; done
	git worktree remove --force "$tmp/src/before" >/dev/null 2>&1 || true
}
trap cleanup EXIT
(cd "$tmp/src/before" && go build -o "$tmp/ssoctl-before" ./cmd/ssoctl)
go build -o "$tmp/ssoctl-after" ./cmd/ssoctl

bin=$tmp/ssoctl-after
# shellcheck source=bench/lib.sh
. bench/lib.sh
trap cleanup EXIT
export HOME=$tmp/home AWS_CONFIG_FILE=$tmp/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$tmp/home/.aws/credentials
unset DISPLAY WAYLAND_DISPLAY AWS_PROFILE SSOCTL_BROWSER SSOCTL_CONNECT_TIMEOUT SSOCTL_RESPONSE_TIMEOUT SSOCTL_ATTEMPT_TIMEOUT
export TERM=xterm-256color
start_sandbox --sign-in-as dave.miller
cat >"$AWS_CONFIG_FILE" <<EOF
[profile emu]
sso_session = emu
sso_account_id = 640775136188
sso_role_name = Developer
region = us-east-1

[sso-session emu]
sso_start_url = $AWS_DEFAULT_SSO_START_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access
EOF
"$bin" login --profile emu --use-device-code >/dev/null 2>&1
"$bin" export --profile emu >/dev/null # credentials cached: export makes no call

# ms CMD… prints how long CMD took, in milliseconds.
ms() {
	local s e
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "== start-up, median of $RUNS runs (ms): at a pty that answers no query | piped"
echo "BEFORE=$BEFORE ($(git rev-parse --short "$BEFORE")), AFTER=work tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' || echo ', modified'))"
for cmd in "version" "roles --profile emu" "export --profile emu"; do
	for b in before after; do : >"$tmp/$b.pty" && : >"$tmp/$b.pipe"; done
	for _ in $(seq "$RUNS"); do
		for b in before after; do
			ms script -qec "$tmp/ssoctl-$b $cmd" /dev/null >>"$tmp/$b.pty"
			ms sh -c "$tmp/ssoctl-$b $cmd | cat" >>"$tmp/$b.pipe"
		done
	done
	printf '%-22s before %6s | %4s   after %4s | %4s\n' "$cmd" \
		"$(median <"$tmp/before.pty")" "$(median <"$tmp/before.pipe")" \
		"$(median <"$tmp/after.pty")" "$(median <"$tmp/after.pipe")"
done
for _ in $(seq "$RUNS"); do
	ms script -qec true /dev/null >>"$tmp/true.pty"
	ms sh -c "true | cat" >>"$tmp/true.pipe"
done
printf '%-22s %13s | %4s   (what script and the pipe cost alone)\n' "true" "$(median <"$tmp/true.pty")" "$(median <"$tmp/true.pipe")"
script -qec "$tmp/ssoctl-before version" /dev/null | od -c | head -2 | sed 's/^/  before at a pty wrote: /'
script -qec "$tmp/ssoctl-after version" /dev/null | od -c | head -2 | sed 's/^/  after at a pty wrote:  /'

# A silent endpoint (accepts, never answers) and a stalling one (the
# headers and one byte of the body, then nothing).
python3 - "$tmp/silent.port" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
silent_pids="$silent_pids $!"
python3 - "$tmp/stall.port" <<'PY' &
import socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
def serve(c):
    c.recv(65536)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    held.append(c)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
silent_pids="$silent_pids $!"
until [ -s "$tmp/silent.port" ] && [ -s "$tmp/stall.port" ]; do sleep 0.05; done
silent=http://127.0.0.1:$(cat "$tmp/silent.port")
stall=http://127.0.0.1:$(cat "$tmp/stall.port")
token=$(ls "$HOME"/.aws/sso/cache/6551e797240051925b8a62615f4c8baaa4c1698c.json)
cp "$token" "$tmp/token.json"

# end B CASE: credential-process of build B in CASE; prints seconds and the
# last line of stderr.
end() {
	local b=$1 case=$2 s e code=0
	rm -rf "$HOME/.aws/cli"
	cp "$tmp/token.json" "$token"
	local env=()
	case $case in
	silent) env=(AWS_ENDPOINT_URL_SSO="$silent") ;;
	stall) env=(AWS_ENDPOINT_URL_SSO="$stall") ;;
	refresh) # expires in 5 minutes: inside the refresh window, still usable
		python3 - "$token" <<'PY'
import json, sys, datetime
p = sys.argv[1]; t = json.load(open(p))
t["expiresAt"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(t, open(p, "w"))
PY
		env=(AWS_ENDPOINT_URL_SSO="$silent" AWS_ENDPOINT_URL_SSO_OIDC="$silent") ;;
	esac
	s=$(date +%s%N)
	env "${env[@]}" timeout "$LIMIT" "$tmp/ssoctl-$b" credential-process --profile emu >/dev/null 2>"$tmp/err" || code=$?
	e=$(date +%s%N)
	local msg
	msg=$(tail -1 "$tmp/err")
	[ "$code" = 124 ] && msg="(killed after $LIMIT s: still waiting)"
	printf '  %-7s %-7s %6.2f s  exit %3s  %s\n' "$case" "$b" "$(echo "($e - $s) / 1000000000" | bc -l)" "$code" "$msg"
}
echo "== credential-process against a silent endpoint (default timeouts)"
for case in silent stall refresh; do
	for b in before after; do end "$b" "$case"; done
done
