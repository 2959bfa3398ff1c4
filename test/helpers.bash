# Shared setup for the bats suite: each file gets its own --root and
# --runroot (through ctr-lite's environment variables), so tests never
# touch the machine's real state, and each file ends with a leak check.

CTR=${CTR:-$BATS_TEST_DIRNAME/../bin/ctr-lite}
TESTDATA=$BATS_TEST_DIRNAME/../testdata

setup_file() {
	export CTR_LITE_TEST_DIR=$(mktemp -d /tmp/ctr-lite-test.XXXXXX)
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root
	export CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

teardown() {
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
}

teardown_file() {
	"$BATS_TEST_DIRNAME/leakcheck.sh" "$CTR_LITE_TEST_DIR"
	rm -rf "$CTR_LITE_TEST_DIR"
}

# ctr runs ctr-lite with bats' run, keeping stderr apart.
ctr() { run --separate-stderr "$CTR" "$@"; }

# ctr127 expects docker's "command not found" code, which bats would
# otherwise take for a missing test command.
ctr127() { run -127 --separate-stderr "$CTR" "$@"; }

assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "exit status $status, want $1; stdout: $output; stderr: $stderr" >&2
		return 1
	fi
}

# assert_no_leftovers: no container dirs, layers, bundles or mounts left.
assert_no_leftovers() {
	local left
	left=$(ls "$CTR_LITE_ROOT/containers" "$CTR_LITE_ROOT/names" "$CTR_LITE_RUNROOT/containers" 2>/dev/null; ls "$CTR_LITE_ROOT"/*/containers 2>/dev/null)
	if [ -n "$(echo "$left" | grep -v ':$' | grep -v '^$')" ]; then
		echo "left behind: $left" >&2
		return 1
	fi
	if grep -q "$CTR_LITE_TEST_DIR" /proc/self/mountinfo; then
		echo "mounts left: $(grep "$CTR_LITE_TEST_DIR" /proc/self/mountinfo)" >&2
		return 1
	fi
}
