# bench/lib.sh — what the benchmark scripts share: start a sandbox in the
# background and export its lines, stop it, and a clock. Source it after
# setting $bin (the ssoctl binary) and $tmp (a scratch folder).

sandbox_pid=
stop_sandbox() {
	if [ -n "$sandbox_pid" ]; then
		kill -INT "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
		sandbox_pid=
	fi
}
trap stop_sandbox EXIT

# start_sandbox ARGS… starts `ssoctl sandbox ARGS…` and exports what its
# lines say.
start_sandbox() {
	local out=$tmp/sandbox.env
	: >"$out"
	"$bin" sandbox --listen 127.0.0.1:0 "$@" >"$out" 2>"$tmp/sandbox.log" &
	sandbox_pid=$!
	until grep -q '^export AWS_DEFAULT_SSO_REGION=' "$out"; do
		kill -0 "$sandbox_pid" 2>/dev/null || { cat "$tmp/sandbox.log" >&2; exit 1; }
		sleep 0.05
	done
	eval "$(cat "$out")"
}

now() { date +%s.%N; }
