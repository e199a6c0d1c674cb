#!/usr/bin/env bash
# bench/signin.sh — whole-process latency of `ssoctl credential-process`
# with a warm credential cache, side by side with boto3 resolving the same
# role (through credential_process = ssoctl …, and through botocore's own
# SSO provider), and with a cold credential cache against the sandbox.
#
#   bash bench/signin.sh                 # 200 runs each
#   RUNS=500 bash bench/signin.sh
#   SSOCTL_BIN=/path/to/ssoctl bash bench/signin.sh   # a prebuilt binary
#
# Builds ./cmd/ssoctl into bench/.tmp/signin/ (unless SSOCTL_BIN), starts
# `ssoctl sandbox` on loopback, signs in with the device flow (the sandbox
# approves at once), warms the cache, then times the commands with hyperfine
# (installed with apt-get when missing; without it, a python timer runs
# each command RUNS times). Results: bench/.tmp/signin/results.md (and
# .json with hyperfine).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${RUNS:=200}"
tmp=$PWD/bench/.tmp/signin
rm -rf "$tmp"
mkdir -p "$tmp/home/.aws"
bin=${SSOCTL_BIN:-$tmp/ssoctl}
if [ -z "${SSOCTL_BIN:-}" ]; then
	go build -o "$bin" ./cmd/ssoctl
fi
py=$(python3 -c 'import sys, boto3; print(sys.executable)')

"$bin" sandbox --listen 127.0.0.1:0 --sign-in-as dave.miller >"$tmp/sandbox.env" 2>"$tmp/sandbox.err" &
sandbox_pid=$!
trap 'kill -INT $sandbox_pid 2>/dev/null || true; wait $sandbox_pid 2>/dev/null || true' EXIT
until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$tmp/sandbox.env"; do
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/sandbox.err" >&2; exit 1; }
	sleep 0.02
done
# shellcheck disable=SC1091
. "$tmp/sandbox.env"
export HOME=$tmp/home AWS_CONFIG_FILE=$tmp/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$tmp/home/.aws/credentials
unset DISPLAY WAYLAND_DISPLAY AWS_PROFILE SSOCTL_BROWSER
# The sandbox's dummy keys would win over the profiles in boto3's chain.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

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

[profile proc]
credential_process = $bin credential-process --profile emu
region = us-east-1
EOF

"$bin" login --profile emu 2>/dev/null
"$bin" credential-process --profile emu >/dev/null # warm the cache

warm="$bin credential-process --profile emu"
boto_proc="$py -c \"import boto3; boto3.Session(profile_name='proc').get_credentials().get_frozen_credentials()\""
boto_sso="$py -c \"import boto3; boto3.Session(profile_name='emu').get_credentials().get_frozen_credentials()\""
cold_prepare="find $HOME/.aws/cli/cache -name *.json -delete"

if ! command -v hyperfine >/dev/null; then
	apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi
if command -v hyperfine >/dev/null; then
	# One --prepare per command: only the cold run empties the cache.
	hyperfine -N --warmup 10 --runs "$RUNS" --style basic \
		--export-markdown "$tmp/results.md" --export-json "$tmp/results.json" \
		--prepare true --prepare true --prepare true --prepare "$cold_prepare" \
		-n 'ssoctl credential-process (warm cache)' \
		-n 'boto3, credential_process = ssoctl (warm cache)' \
		-n 'boto3, its own SSO provider (no cache: GetRoleCredentials)' \
		-n 'ssoctl credential-process (cold: GetRoleCredentials)' \
		"$warm" "$boto_proc" "$boto_sso" "$warm"
	cat "$tmp/results.md"
else
	echo "hyperfine not available: timing with python" >&2
	"$py" - "$RUNS" "$warm" "$boto_proc" "$boto_sso" "$cold_prepare" <<'PY' | tee "$tmp/results.md"
import glob, os, shlex, statistics, subprocess, sys, time
runs, warm, boto_proc, boto_sso, prepare = int(sys.argv[1]), *sys.argv[2:]
def bench(name, cmd, before=None):
    argv, ts = shlex.split(cmd), []
    for _ in range(runs):
        if before:
            for f in glob.glob(os.path.expandvars("$HOME/.aws/cli/cache/*.json")):
                os.remove(f)
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        ts.append((time.perf_counter() - t) * 1000)
    print(f"| {name} | {statistics.median(ts):.1f} | {statistics.mean(ts):.1f} ± {statistics.stdev(ts):.1f} | {min(ts):.1f} | {max(ts):.1f} |")
print("| Command | Median [ms] | Mean [ms] | Min [ms] | Max [ms] |\n|:---|---:|---:|---:|---:|")
bench("ssoctl credential-process (warm cache)", warm)
bench("boto3, credential_process = ssoctl (warm cache)", boto_proc)
bench("boto3, its own SSO provider (no cache: GetRoleCredentials)", boto_sso)
bench("ssoctl credential-process (cold: GetRoleCredentials)", warm, before=True)
PY
fi
if [ -f "$tmp/results.json" ]; then
	"$py" - "$tmp/results.json" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']}: median {r['median']*1000:.1f} ms, mean {r['mean']*1000:.1f} ms, min {r['min']*1000:.1f} ms")
PY
fi
curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats"
echo
