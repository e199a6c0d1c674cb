#!/usr/bin/env bash
# bench/startup.sh — what ssoctl pays at start-up: warm `ssoctl
# credential-process` (the command an SDK runs on every credential refresh),
# built from a BEFORE revision and from the work tree, side by side with a
# bare Go binary (hello world) built the same way, and what
# GODEBUG=inittrace=1 shows of ssoctl's own packages in each.
#
#   bash bench/startup.sh                    # BEFORE=d88a646, 300 runs each
#   BEFORE=<rev> RUNS=500 bash bench/startup.sh
#
# The three commands run round-robin (one of each, repeated), so load on the
# machine falls on all of them alike; medians are reported.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${RUNS:=300}" "${BEFORE:=d88a646}"
tmp=$PWD/bench/.tmp/startup
rm -rf "$tmp"
mkdir -p "$tmp/home/.aws" "$tmp/hello" "$tmp/src"

git worktree add -q --detach "$tmp/src/before" "$BEFORE"
trap 'git worktree remove --force "$tmp/src/before" >/dev/null 2>&1 || true' EXIT
(cd "$tmp/src/before" && go build -o "$tmp/ssoctl-before" ./cmd/ssoctl)
go build -o "$tmp/ssoctl-after" ./cmd/ssoctl
cat >"$tmp/hello/main.go" <<'GO'
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
GO
(cd "$tmp/hello" && GOFLAGS=-mod=mod GO111MODULE=on go mod init hello >/dev/null 2>&1 && go build -o "$tmp/hello-bin" .)

bin=$tmp/ssoctl-after
# shellcheck source=bench/lib.sh
. bench/lib.sh
trap 'stop_sandbox; git worktree remove --force "$tmp/src/before" >/dev/null 2>&1 || true' EXIT
start_sandbox --sign-in-as dave.miller
export HOME=$tmp/home AWS_CONFIG_FILE=$tmp/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$tmp/home/.aws/credentials
unset DISPLAY WAYLAND_DISPLAY AWS_PROFILE SSOCTL_BROWSER
cat >"$AWS_CONFIG_FILE" <<CFG
[profile emu]
sso_session = emu
sso_account_id = 640775136188
sso_role_name = Developer
region = us-east-1

[sso-session emu]
sso_start_url = $AWS_DEFAULT_SSO_START_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access
CFG
"$bin" login --profile emu 2>/dev/null
for b in "$tmp/ssoctl-before" "$tmp/ssoctl-after"; do
	"$b" credential-process --profile emu >/dev/null # warm the cache
done

python3 - "$RUNS" "$tmp/hello-bin" "$tmp/ssoctl-before" "$tmp/ssoctl-after" <<'PY' | tee "$tmp/results.md"
import statistics, subprocess, sys, time
runs, hello, before, after = int(sys.argv[1]), *sys.argv[2:]
cmds = [("bare Go binary (hello world)", [hello]),
        ("ssoctl credential-process, warm, before", [before, "credential-process", "--profile", "emu"]),
        ("ssoctl credential-process, warm, after", [after, "credential-process", "--profile", "emu"])]
ts = {n: [] for n, _ in cmds}
for _ in range(runs):
    for n, argv in cmds:
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        ts[n].append((time.perf_counter() - t) * 1000)
base = statistics.median(ts[cmds[0][0]])
print("| command | median [ms] | p90 [ms] | median − bare Go [ms] |\n|:---|---:|---:|---:|")
for n, _ in cmds:
    m = statistics.median(ts[n])
    p90 = statistics.quantiles(ts[n], n=10)[-1]
    print(f"| {n} | {m:.2f} | {p90:.2f} | {m - base:.2f} |")
PY
for which in before after; do
	echo
	echo "GODEBUG=inittrace=1 ssoctl version ($which), median of 21 runs:"
	for _ in $(seq 21); do echo RUN; GODEBUG=inittrace=1 "$tmp/ssoctl-$which" version 2>&1 >/dev/null | grep '^init '; done |
		python3 -c '
import statistics, sys
runs, cur = [], None
for line in sys.stdin:
    if line.startswith("RUN"):
        cur = {}; runs.append(cur); continue
    f = line.split()  # init PKG @T ms, C ms clock, B bytes, A allocs
    cur[f[1]] = (float(f[4]), int(f[7]), int(f[9]))
ours = sorted({k for r in runs for k in r if k.startswith("github.com/ssoctl/ssoctl")})
tot = statistics.median(sum(v[0] for v in r.values()) for r in runs)
own = statistics.median(sum(r[k][0] for k in ours if k in r) for r in runs)
print(f"  all packages: {tot:.2f} ms; ssoctl'"'"'s own: {own:.3f} ms, {sum(runs[0][k][1] for k in ours)} bytes")
for k in sorted(ours, key=lambda k: -statistics.median(r[k][0] for r in runs)):
    v = runs[0][k]
    print(f"  {k:55s} {statistics.median(r[k][0] for r in runs):6.3f} ms {v[1]:8d} B {v[2]:6d} allocs")
'
done
