#!/usr/bin/env bash
# bench/compare_outputs.sh [BASE] — the stdout of every ssoctl run in the testscripts
# (cmd/ssoctl/testdata/script) and the README's examples (TestREADMEExamples), from a build of
# BASE (default: the merge base with main) and one of this work tree, compared run by run.
# cmd/ssoctl's record_test.go writes each run's stdout when SSOCTL_RECORD is set (BASE gets the
# same file if it lacks it). Before comparing, what differs between any two runs is normalized:
# work folders, loopback ports, times and durations, generated ids, keys and tokens.
# Prints the runs whose stdout differs (a unified diff each) and exits 1 if any do.
# KEEP_BASE=1 reuses the BASE recordings of an earlier run for the same commit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
base=$(git rev-parse "${1:-$(git merge-base HEAD main)}")
out=${OUT:-$root/bench/.tmp/compare_outputs}
mkdir -p "$out"
tests='^(TestScript|TestREADMEExamples)$'

record() { # record SRC DEST
	rm -rf "$2"; mkdir -p "$2"
	(cd "$1" && SSOCTL_RECORD=$2 go test -count=1 -timeout 90m -run "$tests" ./cmd/ssoctl >"$2.log" 2>&1) ||
		echo "note: go test failed in $1 (see $2.log); comparing what was recorded" >&2
}

if [ "${KEEP_BASE:-}" = 1 ] && [ "$(cat "$out/base.commit" 2>/dev/null)" = "$base" ]; then
	echo "reusing the recordings of $base"
else
	src=$out/base-src; rm -rf "$src"; mkdir -p "$src"
	git archive "$base" | tar -x -C "$src"
	if ! grep -q recordMain "$src/cmd/ssoctl/script_test.go"; then
		cp cmd/ssoctl/record_test.go "$src/cmd/ssoctl/"
		python3 - "$src/cmd/ssoctl" <<'PY'
import sys
d = sys.argv[1]
p = d + '/script_test.go'; s = open(p).read()
s = s.replace('"ssoctl": main,', '"ssoctl": recordMain,', 1)
s = s.replace('\t\t\tenv.Setenv("TESTDATA", testdata)\n', '\t\t\tenv.Setenv("TESTDATA", testdata)\n\t\t\tif d := os.Getenv("SSOCTL_RECORD"); d != "" {\n\t\t\t\tenv.Setenv("SSOCTL_RECORD", d)\n\t\t\t}\n', 1)
open(p, 'w').write(s)
p = d + '/readme_test.go'; s = open(p).read()
s = s.replace('\tif t.Failed() {\n\t\tt.Logf("output:\\n%s", out)\n\t}\n', '\tif t.Failed() {\n\t\tt.Logf("output:\\n%s", out)\n\t}\n\tif d := os.Getenv("SSOCTL_RECORD"); d != "" {\n\t\t_ = os.WriteFile(filepath.Join(d, "README.out"), out, 0o644)\n\t}\n', 1)
open(p, 'w').write(s)
PY
	fi
	record "$src" "$out/base"
	echo "$base" >"$out/base.commit"
fi
record "$root" "$out/new"

python3 - "$out/base" "$out/new" <<'PY'
import difflib, os, re, sys
base, new = sys.argv[1], sys.argv[2]
subs = [
    (r'/tmp/[^\s"\'/]*/(?:[^\s"\'/]+/)*?script-([\w.-]+)', r'$WORK'),
    (r'/tmp/[\w.-]+(/[\w.-]+)*', '$TMP'),
    (r'127\.0\.0\.1:\d+', '127.0.0.1:PORT'),
    (r'\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?', 'TIME'),
    (r'\b\d{8}_\d{6}\b', 'STAMP'),
    (r'\b\d{4}-\d\d-\d\d\b', 'DATE'),
    (r'("(?:seconds|executionSeconds|durationSeconds)": )[\d.e+-]+', r'\1N'),
    (r'\b\d+(\.\d+)? ?(s|ms|µs)\b', 'Ns'),
    (r'\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b', 'UUID'),
    (r'\b(ASIA|AKIA)[A-Z0-9]{16}\b', 'KEYID'),
    (r'("(?:SecretAccessKey|secretAccessKey|SessionToken|sessionToken|accessToken|token)": ")[^"]*', r'\1SECRET'),
    (r'(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_CONTAINER_AUTHORIZATION_TOKEN)=\S+', r'\1=SECRET'),
    (r'("(?:Expiration|expiration)": )\d+', r'\1N'),
    (r'\b1\d{12}\b', 'EPOCHMS'),
]
def norm(text):
    for a, b in subs:
        text = re.sub(a, b, text)
    return text
def files(d):
    out = {}
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            out[os.path.relpath(p, d)] = p
    return out
b, n = files(base), files(new)
same = differ = 0
for k in sorted(set(b) | set(n)):
    if k not in b or k not in n:
        print(f'only in {"base" if k in b else "new"}: {k}')
        differ += 1
        continue
    x = norm(open(b[k], errors='replace').read()).splitlines(keepends=True)
    y = norm(open(n[k], errors='replace').read()).splitlines(keepends=True)
    if x == y:
        same += 1
        continue
    differ += 1
    sys.stdout.writelines(difflib.unified_diff(x, y, 'base/' + k, 'new/' + k))
print(f'{same} runs with the same stdout, {differ} differing ({len(b)} recorded from the base, {len(n)} from this tree)')
sys.exit(1 if differ else 0)
PY
