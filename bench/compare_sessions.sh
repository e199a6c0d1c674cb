#!/usr/bin/env bash
# bench/compare_sessions.sh — ssoctl's outputs before and after a change,
# byte for byte (issue 24: a renovation must not change what any command
# prints).
#
#   bash bench/compare_sessions.sh                 # old = merge-base of HEAD and main
#   BASE=eba4e6d bash bench/compare_sessions.sh    # old = a given revision
#
# It builds the old binary (git archive of $BASE) and the new one (the work
# tree), and runs the same session of commands with each: the README's
# examples and the testscripts' commands that print a document (audit,
# admin assignments and lookup, access, assignments export/plan/apply/cfn,
# history and report, user create/assign/unassign/change-access/notify/
# offboard/migrate-iam, login, roles, export, check, configure, each,
# credentials export, console --print) in CSV, table and JSON. Each binary
# runs against its own sandbox started alike (`--sign-in-as dave.miller`;
# the sandbox draws every id from one seeded generator), in its own HOME,
# one command after another. A third session, the new binary again, is the
# control: what differs between the two new sessions is not the change's
# doing (none is expected).
#
# For each command it compares stdout and the exit status after masking
# what cannot repeat between two runs (wall-clock times, the "seconds" a
# run took); stderr is compared too and reported apart (progress and
# summary lines, not documents), and so are the AWS calls each command
# made, by operation (the sandbox's /_sandbox/stats, reset after each).
# Exit status 0 when every stdout is identical, 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
BASE=${BASE:-$(git merge-base HEAD main)}
tmp=$root/bench/.tmp/compare
rm -rf "$tmp"
mkdir -p "$tmp/old-src"

git archive "$BASE" | tar -x -C "$tmp/old-src"
(cd "$tmp/old-src" && go build -o "$tmp/old.bin" ./cmd/ssoctl)
go build -o "$tmp/new.bin" ./cmd/ssoctl

# The session: one command a line, run by bash in the session's folder.
cat >"$tmp/commands" <<'EOF'
ssoctl audit -f -
ssoctl audit -o json -f -
ssoctl audit -o table -f -
ssoctl audit --strategy principal -o json -f -
ssoctl audit --iam -f - --columns UserName,IAMUser,IAMStage
ssoctl audit --iam -o json -f -
ssoctl admin assignments
ssoctl admin assignments -o json
ssoctl admin assignments -o table
ssoctl admin assignments --user alice.johnson -o json
ssoctl admin assignments --group Developers -o csv
ssoctl admin assignments --account 640775136188 --permission-set ReadOnlyAccess -o json
ssoctl admin assignments --account-name '^payments-' -o csv
ssoctl admin assignments --ou Workloads -o table
ssoctl admin assignments --user dave.miller --user bob.smith -o json
ssoctl admin lookup user :all
ssoctl admin lookup user alice.johnson nobody -o json
ssoctl admin lookup group :all -o table
ssoctl admin lookup permission-set :all -o json
ssoctl admin lookup account :all -o csv
ssoctl admin lookup account payments-prod 640775136188 nowhere -o json
ssoctl admin lookup instance -o json
ssoctl admin lookup identity-store
ssoctl access user alice.johnson
ssoctl access user alice.johnson -o json
ssoctl access user dave.miller -o csv
ssoctl access user nobody.here
ssoctl access account payments-prod
ssoctl access account payments-prod -o json
ssoctl access account 640775136188 -o csv
ssoctl assignments export -f access.yaml && cat access.yaml
ssoctl assignments plan -f access.yaml
ssoctl assignments plan -f access.yaml -o json
ssoctl assignments cfn -f access.yaml && cat templates/*
sed -i 's/^- Groups:/- Groups:/' access.yaml && printf -- '- Users: [bob.smith]\n  PermissionSets: [ReadOnlyAccess]\n  OUs: [Workloads/Prod]\n' >> access.yaml && ssoctl assignments plan -f access.yaml --prune --out access.plan
ssoctl assignments plan -f access.yaml --prune -o json
ssoctl assignments apply access.plan --yes
ssoctl assignments apply -f access.yaml --yes -o json
ssoctl audit --save -f /dev/null
ssoctl user create jane.doe --given-name Jane --family-name Doe --access Developer
ssoctl user create jane.doe --given-name Jane --family-name Doe --access Developer -o json
ssoctl user create jane.doe --given-name Jane --family-name Doe --access Developer --yes
ssoctl user create -f people.csv --yes
ssoctl user create -f people.csv -o json
ssoctl user assign jane.doe --permission-set ReadOnlyAccess --ou Workloads --yes
ssoctl user assign jane.doe --permission-set ReadOnlyAccess --ou Workloads -o json
ssoctl user unassign jane.doe --permission-set ReadOnlyAccess --account payments-prod --yes
ssoctl user change-access jane.doe --from Developer --to SeniorDeveloper --yes
ssoctl user assign jane.doe --permission-set ReadOnlAccess --account payments-prod
ssoctl user assign jane.dose --permission-set ReadOnlyAccess --account payments-prod
ssoctl user assign jane.doe --permission-set ReadOnlyAccess --account payments-prd
ssoctl user notify jane.doe --template welcome
ssoctl access user jane.doe -o json
ssoctl audit --save -f /dev/null
ssoctl history list -o json
ssoctl history show 1 -o json
ssoctl history diff -o csv
ssoctl history diff 1 2 -o json
ssoctl history diff 1 2 -o table
ssoctl user offboard jane.doe
ssoctl user offboard jane.doe -o json
ssoctl user offboard jane.doe --yes
ssoctl user offboard jane.doe --yes
ssoctl user migrate-iam alice.johnson
ssoctl user migrate-iam alice.johnson -o json
ssoctl user migrate-iam alice.johnson --deactivate --yes
ssoctl audit --iam -f - --columns UserName,IAMUser,IAMStage
ssoctl user migrate-iam mallory.evans --force --before-deadline --yes -o json
ssoctl login --use-device-code
ssoctl roles
ssoctl roles -o json
ssoctl roles -o csv
ssoctl check -a 640775136188 -r Developer
ssoctl configure populate --dry-run
ssoctl configure populate --name '{{.AccountName}}-{{.RoleName}}' --lower --replace-spaces - --dry-run -o json
ssoctl configure populate && cat "$AWS_CONFIG_FILE"
ssoctl configure profile dev --account payments-dev --role Developer --region eu-west-1 && cat "$AWS_CONFIG_FILE"
ssoctl each --role Developer --dry-run -- true
ssoctl each --role Developer -o json -- sh -c 'echo "$SSOCTL_ACCOUNT_NAME $SSOCTL_ROLE_NAME"'
ssoctl each --account-name '^payments-' --region us-east-1 --region eu-west-1 -- sh -c 'echo "$AWS_REGION"'
ssoctl exec -a 640775136188 -r Developer -- sh -c 'echo "$SSOCTL_ACCOUNT_ID $SSOCTL_ROLE_NAME $AWS_REGION"'
ssoctl help formats
EOF

# session NAME BIN: runs the session with BIN in $tmp/NAME.
session() {
	local name=$1 bin=$2 dir=$tmp/$1
	mkdir -p "$dir/home" "$dir/work/examples" "$dir/bin" "$dir/out"
	ln -sf "$bin" "$dir/bin/ssoctl"
	cp "$root/examples/org.yaml" "$dir/work/examples/org.yaml"
	printf 'username,given_name,family_name,email,access\nsam.lee,Sam,Lee,sam.lee@example.com,Developer\n' >"$dir/work/people.csv"
	(
		export HOME=$dir/home PATH=$dir/bin:$PATH
		export AWS_CONFIG_FILE=$dir/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$dir/home/.aws/credentials
		export XDG_CACHE_HOME=$dir/home/.cache XDG_DATA_HOME=$dir/home/.local/share XDG_CONFIG_HOME=$dir/home/.config
		export SSOCTL_ORG_CONFIG=examples/org.yaml NO_COLOR=1
		unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION
		"$bin" sandbox --listen 127.0.0.1:0 --sign-in-as dave.miller >"$dir/sandbox.env" 2>"$dir/sandbox.log" &
		pid=$!
		trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
		until grep -qs '^export AWS_DEFAULT_SSO_REGION=' "$dir/sandbox.env"; do
			kill -0 $pid 2>/dev/null || { cat "$dir/sandbox.log" >&2; exit 1; }
			sleep 0.05
		done
		eval "$(cat "$dir/sandbox.env")"
		cd "$dir/work"
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			set +e
			bash -c "$line" </dev/null >"$dir/out/$n.stdout" 2>"$dir/out/$n.stderr"
			echo $? >"$dir/out/$n.rc"
			set -e
			# The AWS calls the command made, by operation (the sandbox's count).
			curl -fsS "$AWS_ENDPOINT_URL/_sandbox/stats" | python3 -c 'import json,sys; [print(k, v) for k, v in sorted(json.load(sys.stdin)["calls"].items())]' >"$dir/out/$n.calls"
			curl -fsS -X POST "$AWS_ENDPOINT_URL/_sandbox/stats/reset" >/dev/null
		done <"$tmp/commands"
	)
}

# mask replaces what cannot repeat between two runs: the session's folder
# and its sandbox's port, wall-clock times and dates, and how long a run
# took.
mask() {
	sed -E \
		-e "s#$tmp/(old|new|control)/#<SESSION>/#g" \
		-e 's#127\.0\.0\.1:[0-9]+#127.0.0.1:<PORT>#g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2}| UTC)?/<TIME>/g' \
		-e 's/[0-9]{8}_[0-9]{6}/<STAMP>/g' \
		-e 's/("[A-Za-z]*[sS]econds": ?)[0-9.e+-]+/\1<S>/g' \
		-e 's/[0-9]+(\.[0-9]+)? ?(s|ms|µs)([ ;,)]|$)/<DUR>\3/g' "$1"
}

session old "$tmp/old.bin"
session new "$tmp/new.bin"
session control "$tmp/new.bin"

total=$(wc -l <"$tmp/commands")
same=0 differ=0 flaky=0 errdiff=0 calldiff=0
report=$tmp/report.txt
: >"$report"
for n in $(seq 1 "$total"); do
	cmd=$(sed -n "${n}p" "$tmp/commands")
	for s in old new control; do
		{ cat "$tmp/$s/out/$n.rc"; mask "$tmp/$s/out/$n.stdout"; } >"$tmp/$s/out/$n.cmp"
		mask "$tmp/$s/out/$n.stderr" >"$tmp/$s/out/$n.errcmp"
	done
	if ! cmp -s "$tmp/new/out/$n.cmp" "$tmp/control/out/$n.cmp"; then
		flaky=$((flaky + 1))
		echo "NONDETERMINISTIC #$n: $cmd" >>"$report"
		diff "$tmp/new/out/$n.cmp" "$tmp/control/out/$n.cmp" | head -20 >>"$report" || true
	fi
	if cmp -s "$tmp/old/out/$n.cmp" "$tmp/new/out/$n.cmp"; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		echo "DIFFERS #$n: $cmd" >>"$report"
		diff "$tmp/old/out/$n.cmp" "$tmp/new/out/$n.cmp" | head -40 >>"$report" || true
	fi
	if ! cmp -s "$tmp/old/out/$n.calls" "$tmp/new/out/$n.calls"; then
		calldiff=$((calldiff + 1))
		echo "AWS calls differ #$n: $cmd" >>"$report"
		diff "$tmp/old/out/$n.calls" "$tmp/new/out/$n.calls" | grep '^[<>]' | head -20 >>"$report" || true
	fi
	if ! cmp -s "$tmp/old/out/$n.errcmp" "$tmp/new/out/$n.errcmp"; then
		errdiff=$((errdiff + 1))
		echo "stderr differs #$n: $cmd" >>"$report"
		diff "$tmp/old/out/$n.errcmp" "$tmp/new/out/$n.errcmp" | head -10 >>"$report" || true
	fi
done
bytes=$(cat "$tmp"/new/out/*.stdout | wc -c)
echo "compare_sessions: base $BASE; $total commands ($bytes bytes of stdout): stdout and exit status identical for $same, different for $differ; stderr different for $errdiff; AWS calls different for $calldiff; new-vs-new nondeterministic: $flaky"
cat "$report"
[ "$differ" -eq 0 ]
