# Shared setup for the bats suite: each file gets its own --root and
# --runroot (through ctr-lite's environment variables), so tests never
# touch the machine's real state, and each file ends with a leak check.

CTR=${CTR:-$BATS_TEST_DIRNAME/../bin/ctr-lite}
TESTDATA=$BATS_TEST_DIRNAME/../testdata

# isolate points ctr-lite at a fresh root and runroot, and gives the
# default network a subnet and bridge of this file's own, so the suite
# never touches the machine's real ctr-lite state or network.
isolate() {
	export CTR_LITE_TEST_DIR=$(mktemp -d /tmp/ctr-lite-test.XXXXXX)
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root
	export CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run
	fresh_network
	# Registry traffic may only reach loopback: anything else goes to a
	# proxy address where nothing listens, so it fails at once without
	# even a DNS lookup. (Go never proxies loopback addresses.)
	export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=
	export CTR_LITE_REGISTRIES_CONF=/nonexistent
}

# fresh_network gives the next root's default network a subnet and bridge
# of its own: a bridge belongs to one root (two roots on one bridge would
# hand out the same addresses), so every root a test makes needs one.
fresh_network() {
	export CTR_LITE_DEFAULT_SUBNET=10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24
	export CTR_LITE_DEFAULT_BRIDGE=ctrlite-t$((RANDOM % 100000))
}

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

teardown() {
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
}

teardown_file() {
	finish_file
}

# finish_file resets this file's roots (the main one and any other_root
# under the test dir), runs the leak check and removes the test dir. Its
# status is the leak check's, so a leak fails the file.
finish_file() {
	local root status=0
	for root in "$CTR_LITE_TEST_DIR"/root-*; do
		[ -d "$root" ] || continue
		CTR_LITE_ROOT=$root CTR_LITE_RUNROOT=${root/\/root-//run-} "$CTR" system reset -f || status=$?
	done
	"$CTR" system reset -f || status=$?
	"$BATS_TEST_DIRNAME/leakcheck.sh" "$CTR_LITE_TEST_DIR" || status=$?
	rm -rf "$CTR_LITE_TEST_DIR"
	return $status
}

# ctr runs ctr-lite with bats' run, keeping stderr apart.
ctr() { run --separate-stderr "$CTR" "$@"; }

# ctr127 expects docker's "command not found" code, which bats would
# otherwise take for a missing test command.
ctr127() { run -127 --separate-stderr "$CTR" "$@"; }

# one_line_error: the failure printed exactly one line, starting "Error:"
# and containing $1.
one_line_error() {
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "stderr: $stderr"; return 1; }
	[[ "$stderr" == Error:* ]] || { echo "stderr: $stderr"; return 1; }
	[[ "$stderr" == *"$1"* ]] || { echo "stderr: $stderr, want $1"; return 1; }
}

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

# wait_running NAME: wait until a background container is up.
wait_running() {
	for _ in $(seq 100); do
		[ "$("$CTR" inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)" -gt 0 ] 2>/dev/null && return 0
		sleep 0.05
	done
	echo "container $1 did not start" >&2
	return 1
}

# stop_like_systemd NAME COMMAND...: run COMMAND (a foreground run of
# container NAME) in the background, SIGTERM it once NAME runs, as
# systemd stops a unit, and return its exit status.
stop_like_systemd() {
	local name=$1 pid st=0
	shift
	"$@" >/dev/null 3>&- &
	pid=$!
	wait_running "$name"
	sleep 0.3
	kill -TERM $pid
	wait $pid || st=$?
	return $st
}

# assert_net_clean: no veth, netns, lease, port reservation or port rule
# of this file's containers is left.
assert_net_clean() {
	assert_no_leftovers
	local left
	left=$(ls "$CTR_LITE_RUNROOT"/netns "$CTR_LITE_ROOT"/networks/*/leases 2>/dev/null | grep -v ':$' | grep -v '^$' || true)
	[ -z "$left" ] || { echo "network state left: $left" >&2; return 1; }
	# Host port leases are host-wide; each names the root that holds it.
	left=$(grep -rlF "$CTR_LITE_TEST_DIR" /run/ctr-lite/ports 2>/dev/null || true)
	[ -z "$left" ] || { echo "host port leases left: $left" >&2; return 1; }
	if nft list chain ip ctr-lite ports 2>/dev/null | grep -q dnat; then
		echo "port rules left: $(nft list chain ip ctr-lite ports)" >&2
		return 1
	fi
}

# load_debian loads the Debian test image (testdata/debian.tar, made by
# make testimage) and makes sure it answers to debian:bookworm and debian,
# whatever name load gave it (tagging the loaded image ID if needed).
load_debian() {
	local out id
	out=$("$CTR" load -i "$TESTDATA/debian.tar") || return
	if ! "$CTR" image inspect debian:bookworm >/dev/null 2>&1; then
		id=$(printf '%s\n' "$out" | sed -n 's/^Loaded image\( ID\)\{0,1\}: //p' | head -1)
		"$CTR" tag "$id" debian:bookworm || return
	fi
	"$CTR" tag debian:bookworm debian:latest
}

# start_registry NAME [HTPASSWD]: run docker-registry on a free loopback
# port, storage and config in $CTR_LITE_TEST_DIR/NAME, with basic auth when
# an htpasswd file is given; its address goes to NAME/addr.
start_registry() {
	local dir=$CTR_LITE_TEST_DIR/$1 auth="" port
	mkdir -p "$dir"
	[ -z "${2:-}" ] || auth="auth: {htpasswd: {realm: test, path: $2}}"
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 20000))
		cat >"$dir/config.yml" <<-YML
		version: 0.1
		log: {level: error}
		storage:
		  filesystem: {rootdirectory: $dir/data}
		  delete: {enabled: true}
		http: {addr: "127.0.0.1:$port"}
		$auth
		YML
		docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
		echo $! >"$dir/pid"
		for _ in $(seq 50); do
			# 200, or 401 with auth: the server is up.
			if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" =~ ^(200|401)$ ]]; then
				echo "127.0.0.1:$port" >"$dir/addr"
				return 0
			fi
			kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
			sleep 0.1
		done
		kill "$(cat "$dir/pid")" 2>/dev/null
	done
	echo "could not start docker-registry: $(cat "$dir/log")" >&2
	return 1
}

# stop_registry NAME
stop_registry() {
	local pid
	pid=$(cat "$CTR_LITE_TEST_DIR/$1/pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
