#!/usr/bin/env bash
# bench/compare_outputs.sh [BASE] — the stdout of every ssoctl run in the testscripts
# (cmd/ssoctl/testdata/script) and the README's examples (TestREADMEExamples), from a build of
# BASE (default: the merge base with main) and one of this work tree, compared run by run.
# cmd/ssoctl's record_test.go writes each run's stdout when SSOCTL_RECORD is set (BASE gets the
# same file if it lacks it). Before comparing, what differs between any two runs is normalized:
# work folders, loopback ports, times and durations, generated ids, keys and tokens.
# Runs are paired by script and command line (the k-th run of the same command in a script
# with the k-th), so commands a script runs at once in the background pair up whatever their
# order. Prints the runs whose stdout differs (a unified diff each), then the counts, and exits
# 1 if any differ outside the scripts listed in NOISY (whose outputs differ between two runs of
# one build: a sandbox that dies part-way through a concurrent listing).
# KEEP_BASE=1 reuses the BASE recordings of an earlier run for the same commit; COMPARE_ONLY=1
# compares the recordings already there. A JSON document that gains a "stats" member (the one
# CallStats every document embeds) and is otherwise the same is counted apart, not as differing.
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

if [ "${COMPARE_ONLY:-}" = 1 ]; then
	:
elif [ "${KEEP_BASE:-}" = 1 ] && [ "$(cat "$out/base.commit" 2>/dev/null)" = "$base" ]; then
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
[ "${COMPARE_ONLY:-}" = 1 ] || record "$root" "$out/new"

NOISY=${NOISY:-audit_incomplete} python3 - "$out/base" "$out/new" <<'PY'
import collections, difflib, os, re, sys
base, new = sys.argv[1], sys.argv[2]
noisy = set(os.environ['NOISY'].split())
subs = [
    (r'/tmp/[^\s"\'/]*/(?:[^\s"\'/]+/)*?script-([\w.-]+)', r'$WORK'),
    (r'/tmp/[\w.-]+(/[\w.-]+)*', '$TMP'),
    (r'\b(TESTDATA|SSOCTL_RECORD)=\S+', r'\1=PATH'),
    (r'/\S*?/cmd/ssoctl/testdata', '$TESTDATA'),
    (r'(127\.0\.0\.1|\[::\]):\d+', r'\1:PORT'),
    (r'%3A\d+', '%3APORT'),
    (r'SigninToken=[\w.-]+', 'SigninToken=TOKEN'),
    (r'ssoctl-console-1\.[\w-]+', 'CONSOLE-TOKEN'),
    (r'botocore-session-\d+', 'botocore-session-N'),
    (r'SSOCTL_SANDBOX_TOKEN=\S+', 'SSOCTL_SANDBOX_TOKEN=TOKEN'),
    (r'\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?', 'TIME'),
    (r'(?<!\d)\d{8}_\d{6}(?!\d)', 'STAMP'),
    (r'\b\d{4}-\d\d-\d\d\b', 'DATE'),
    (r'\(\d+h\d+m\d+s left\)', '(LEFT left)'),
    (r'("(?:seconds|executionSeconds|durationSeconds)": ?)[\d.e+-]+', r'\1N'),
    (r'\b\d+(\.\d+)? ?(s|ms|µs)\b', 'Ns'),
    (r'\b([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b', 'ID'),
    (r'\b(ASIA|AKIA)[A-Z0-9]{16}\b', 'KEYID'),
    (r'("(?:SecretAccessKey|secretAccessKey|SessionToken|sessionToken|accessToken|token)": ?")[^"]*', r'\1SECRET'),
    (r'(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_CONTAINER_AUTHORIZATION_TOKEN)=\S+', r'\1=SECRET'),
    (r'("(?:Expiration|expiration)": ?)\d+', r'\1N'),
    (r'\b1\d{12}\b', 'EPOCHMS'),
    (r'\b(server|pid)=\d+', r'\1=N'),
]
# The README's transcript (bash -x, stdout and stderr together) also holds
# the lines of its background processes and wait loops, which come when
# they come.
readme_drop = re.compile(r'^(\+ sleep |\+ grep -qs |sandbox serving on |ssoctl: interrupted|\+\+ jobs -p|\+\+? kill )')
def norm(name, text):
    for a, b in subs:
        text = re.sub(a, b, text)
    lines = text.splitlines(keepends=True)
    if name == 'README.out':
        lines = [l for l in lines if not readme_drop.match(l)]
        # bash -x traces the commands of a pipeline as they start, in
        # either order: each run of trace lines is compared sorted.
        out, run = [], []
        for l in lines + ['']:
            if l.startswith('+'):
                run.append(l)
                continue
            out += sorted(run)
            run = []
            if l:
                out.append(l)
        lines = out
    return lines
def drop_added_stats(x, y):
    """y without the "stats" members x lacks, and whether there were any."""
    if any('"stats":' in l for l in x):
        return y, False
    out, i, dropped = [], 0, False
    while i < len(y):
        m = re.match(r'^(\s*)"stats": \{$', y[i].rstrip('\n'))
        if not m:
            out.append(y[i])
            i += 1
            continue
        end = i + 1
        while end < len(y) and y[end].rstrip('\n') != m.group(1) + '}':
            end += 1
        if out and out[-1].rstrip('\n').endswith(','):
            out[-1] = out[-1].rstrip('\n')[:-1] + '\n'
        i, dropped = end + 1, True
    return out, dropped
def runs(d):
    out = {}
    for script in sorted(os.listdir(d)):
        p = os.path.join(d, script)
        if not os.path.isdir(p):
            out[script] = [(script, p)]
            continue
        seen = collections.Counter()
        for n in sorted(os.listdir(p)):
            with open(os.path.join(p, n), errors='replace') as f:
                head = f.readline()
            head = ''.join(norm(script, head)).strip()
            seen[head] += 1
            out.setdefault(script, []).append(((head, seen[head]), os.path.join(p, n)))
    return out
b, n = runs(base), runs(new)
same = differ = noise = stats = 0
for script in sorted(set(b) | set(n)):
    bb, nn = dict(b.get(script, [])), dict(n.get(script, []))
    for key in list(bb) + [k for k in nn if k not in bb]:
        label = script if script == 'README.out' else f'{script}: {key[0]} (#{key[1]})'
        if key not in bb or key not in nn:
            print(f'only in {"base" if key in bb else "new"}: {label}')
            differ += 1
            continue
        x, y = norm(script, open(bb[key], errors='replace').read()), norm(script, open(nn[key], errors='replace').read())
        if x == y:
            same += 1
            continue
        y2, dropped = drop_added_stats(x, y)
        if dropped and x == y2:
            stats += 1
            print(f'the same but for an added "stats" member: {label}')
            continue
        if script in noisy:
            noise += 1
            continue
        differ += 1
        sys.stdout.writelines(difflib.unified_diff(x, y, 'base/' + os.path.relpath(bb[key], base), 'new/' + os.path.relpath(nn[key], new)))
total = sum(len(v) for v in b.values()), sum(len(v) for v in n.values())
print(f'{same} runs with the same stdout, {stats} the same but for an added "stats" member, {differ} differing, {noise} differing in NOISY scripts ({" ".join(sorted(noisy))}); {total[0]} runs recorded from the base, {total[1]} from this tree')
sys.exit(1 if differ else 0)
PY
