#!/usr/bin/env bash
# bench/chain.sh — warm `ssoctl credential-process` for a role chain
# (role_arn + source_profile over an Identity Center profile, one hop and
# two) against the same for a plain Identity Center profile and a bare Go
# binary (hello world) built the same way: what a chain costs an SDK on
# every credential refresh once its hops are cached. Same method as
# bench/startup.sh: the commands run round-robin (one of each, repeated),
# so load on the machine falls on all of them alike; medians are reported.
#
#   bash bench/chain.sh              # 300 runs each
#   RUNS=500 bash bench/chain.sh
set -euo pipefail

cd "$(dirname "$0")/.."
: "${RUNS:=300}"
tmp=$PWD/bench/.tmp/chain
rm -rf "$tmp"
mkdir -p "$tmp/home/.aws" "$tmp/hello"

go build -o "$tmp/ssoctl" ./cmd/ssoctl
cat >"$tmp/hello/main.go" <<'GO'
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
GO
(cd "$tmp/hello" && GOFLAGS=-mod=mod GO111MODULE=on go mod init hello >/dev/null 2>&1 && go build -o "$tmp/hello-bin" .)

bin=$tmp/ssoctl
# shellcheck source=bench/lib.sh
. bench/lib.sh
start_sandbox --sign-in-as dave.miller
export HOME=$tmp/home AWS_CONFIG_FILE=$tmp/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$tmp/home/.aws/credentials
unset DISPLAY WAYLAND_DISPLAY AWS_PROFILE SSOCTL_BROWSER
cat >"$AWS_CONFIG_FILE" <<CFG
[profile emu]
sso_session = emu
sso_account_id = 640775136188
sso_role_name = Developer
region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::640775136188:role/DeployRole
source_profile = emu
region = us-east-1

[profile deploy2]
role_arn = arn:aws:iam::640775136188:role/DeployRole
source_profile = deploy
role_session_name = second-hop

[sso-session emu]
sso_start_url = $AWS_DEFAULT_SSO_START_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access
CFG
"$bin" login --profile emu 2>/dev/null
for p in emu deploy deploy2; do
	"$bin" credential-process --profile "$p" >/dev/null # warm the caches
done
curl -s "$AWS_ENDPOINT_URL/_sandbox/stats" >"$tmp/stats-before.json"

python3 - "$RUNS" "$tmp/hello-bin" "$bin" <<'PY' | tee "$tmp/results.md"
import statistics, subprocess, sys, time
runs, hello, ssoctl = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = [("bare Go binary (hello world)", [hello]),
        ("credential-process, plain Identity Center profile", [ssoctl, "credential-process", "--profile", "emu"]),
        ("credential-process, chain of one hop", [ssoctl, "credential-process", "--profile", "deploy"]),
        ("credential-process, chain of two hops", [ssoctl, "credential-process", "--profile", "deploy2"])]
ts = {n: [] for n, _ in cmds}
for _ in range(runs):
    for n, argv in cmds:
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        ts[n].append((time.perf_counter() - t) * 1000)
base = statistics.median(ts[cmds[0][0]])
plain = statistics.median(ts[cmds[1][0]])
print("| command | median [ms] | p90 [ms] | median − bare Go [ms] | median − plain [ms] |\n|:---|---:|---:|---:|---:|")
for n, _ in cmds:
    m = statistics.median(ts[n])
    p90 = statistics.quantiles(ts[n], n=10)[-1]
    print(f"| {n} | {m:.2f} | {p90:.2f} | {m - base:.2f} | {m - plain:+.2f} |")
PY
curl -s "$AWS_ENDPOINT_URL/_sandbox/stats" >"$tmp/stats-after.json"
if cmp -s "$tmp/stats-before.json" "$tmp/stats-after.json"; then
	echo
	echo "The sandbox saw no call during the timed runs (every run was served from the caches)."
else
	echo
	echo "warning: the sandbox was called during the timed runs:"
	diff "$tmp/stats-before.json" "$tmp/stats-after.json" || true
fi
