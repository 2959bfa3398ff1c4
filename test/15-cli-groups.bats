#!/usr/bin/env bats
# docker's command groups and the stop/restart flags scripts use: every
# container command also under `container`, the image and network groups
# complete, `stop -t/--timeout -s/--signal`.

load helpers
bats_require_minimum_version 1.5.0

# flags_of prints the Flags: section of a command's help.
flags_of() { "$CTR" "$@" --help | sed -n '/^Flags:/,/^$/p' | grep -v -- '--help'; }

@test "container group: each container command under 'container', with the same flags and exit codes" {
	for sub in create run start stop restart kill rm inspect logs exec wait; do
		[ "$(flags_of container $sub)" = "$(flags_of $sub)" ] || { echo "container $sub help differs"; false; }
	done
	[ "$(flags_of container ls)" = "$(flags_of ps)" ]
	ctr container create --name g1 busybox sleep 100
	assert_status 0
	ctr container start g1
	assert_status 0
	for ls in ls ps list; do
		ctr container $ls --format '{{.Names}}'
		assert_status 0
		[ "$output" = g1 ] || { echo "container $ls: $output"; false; }
	done
	ctr container inspect -f '{{.State.Status}}' g1
	[ "$output" = running ]
	ctr container exec g1 sh -c 'echo out; exit 3'
	assert_status 3
	[ "$output" = out ]
	ctr127 container exec g1 nosuchcommand
	assert_status 127
	ctr container kill g1
	assert_status 0
	ctr container wait g1
	assert_status 0
	[ "$output" = 137 ]
	ctr container rm g1
	assert_status 0
	[ "$output" = g1 ]
	ctr container run --name g2 busybox sh -c 'echo logged; exit 7'
	assert_status 7
	ctr container logs g2
	[ "$output" = logged ]
	ctr container remove g2
	assert_status 0
	ctr container run --rm nosuchimage:1
	assert_status 125
	ctr container nonsense
	assert_status 1
	[[ "$stderr" == *"unknown command: ctr-lite container nonsense"* ]]
	ctr container
	assert_status 0
	[[ "$output" == *"Available Commands:"* ]]
}

@test "image group: ls/images/list, rm/rmi/remove, tag and inspect as docker's image commands" {
	ctr images -q
	local want=$output
	for ls in ls images list; do
		ctr image $ls -q
		assert_status 0
		[ "$output" = "$want" ] || { echo "image $ls: $output"; false; }
	done
	ctr image tag busybox grp/one:1
	assert_status 0
	ctr image tag busybox grp/two:1
	ctr image inspect -f '{{.Id}}' grp/one:1
	assert_status 0
	ctr image rm grp/one:1
	assert_status 0
	ctr image rmi grp/two:1
	assert_status 0
	ctr image ls grp/one
	[[ "$output" != *grp/one* ]]
	ctr image nonsense
	assert_status 1
}

@test "network group: create, ls, inspect, rm" {
	ctr network create grpnet
	assert_status 0
	ctr network ls --format '{{.Name}}'
	[[ "$output" == *grpnet* ]]
	ctr network inspect -f '{{.Name}}' grpnet
	assert_status 0
	[ "$output" = grpnet ]
	ctr network rm grpnet
	assert_status 0
	ctr network inspect grpnet
	assert_status 1
}

# wait_ready waits for container $1 to print "ready" (its traps are set).
wait_ready() {
	local i
	for i in $(seq 50); do
		[[ "$("$CTR" logs "$1" 2>/dev/null)" == *ready* ]] && return 0
		sleep 0.1
	done
	echo "$1 never got ready" >&2
	return 1
}

# A container that writes /mark/got on USR1 and exits 0, or (ignore)
# ignores USR1 and TERM and must be killed.
TRAPPER='trap "echo usr1 > /mark/got; exit 0" USR1; echo ready; while :; do sleep 0.1; done'
IGNORER='trap "" USR1 TERM; echo ready; while :; do sleep 0.1; done'

@test "stop -s USR1 -t 1 sends USR1 first: the container's handler runs and it exits 0" {
	mkdir -p "$CTR_LITE_TEST_DIR/mark"
	"$CTR" run -d --name trap -v "$CTR_LITE_TEST_DIR/mark:/mark" busybox sh -c "$TRAPPER" >/dev/null
	wait_ready trap
	ctr stop -s USR1 -t 1 trap
	assert_status 0
	[ "$output" = trap ]
	[ "$(cat "$CTR_LITE_TEST_DIR/mark/got")" = usr1 ]
	ctr inspect -f '{{.State.Status}} {{.State.ExitCode}}' trap
	[ "$output" = "exited 0" ]
	# --signal takes SIG-prefixed names and numbers too
	rm -f "$CTR_LITE_TEST_DIR/mark/got"
	"$CTR" start trap >/dev/null
	wait_ready trap
	ctr stop --signal SIGUSR1 --timeout 1 trap
	assert_status 0
	[ "$(cat "$CTR_LITE_TEST_DIR/mark/got")" = usr1 ]
	ctr stop -s NOSUCH trap
	assert_status 1
	[[ "$stderr" == *'invalid signal "NOSUCH"'* ]]
}

@test "stop -t/--timeout, and the deprecated hidden --time, bound the wait before SIGKILL" {
	"$CTR" run -d --name ign busybox sh -c "$IGNORER" >/dev/null
	wait_ready ign
	local t0=$SECONDS
	ctr stop -s USR1 -t 1 ign
	assert_status 0
	[ $((SECONDS - t0)) -le 5 ]
	ctr inspect -f '{{.State.ExitCode}}' ign
	[ "$output" = 137 ]
	"$CTR" start ign >/dev/null
	wait_ready ign
	t0=$SECONDS
	ctr stop --time 1 ign
	assert_status 0
	[ $((SECONDS - t0)) -le 5 ]
	"$CTR" stop --help | grep -q -- '--timeout'
	! "$CTR" stop --help | grep -q -- '--time '
}

@test "restart -s USR1 -t 1 stops with USR1 and starts the container again" {
	mkdir -p "$CTR_LITE_TEST_DIR/mark2"
	"$CTR" run -d --name rtrap -v "$CTR_LITE_TEST_DIR/mark2:/mark" busybox sh -c "$TRAPPER" >/dev/null
	wait_ready rtrap
	ctr container restart -s USR1 -t 1 rtrap
	assert_status 0
	[ "$(cat "$CTR_LITE_TEST_DIR/mark2/got")" = usr1 ]
	ctr inspect -f '{{.State.Status}}' rtrap
	[ "$output" = running ]
}

@test "version --format and info --format read docker's field names; a bad template exits 64" {
	ctr version --format '{{.Client.Version}}'
	assert_status 0
	[ -n "$output" ]
	[[ "$("$CTR" version)" == *"ctr-lite version $output"* ]]
	ctr version -f '{{.Server.Version}}'
	[ -n "$output" ]
	ctr version --format '{{.Client'
	assert_status 64
	"$CTR" run -d --name inf busybox sleep 100 >/dev/null
	ctr info --format '{{json .}}'
	assert_status 0
	[[ "$output" == "{"*'"Containers":1,"ContainersRunning":1,'*'"DockerRootDir":"'"$CTR_LITE_ROOT"'"'*"}" ]]
	ctr info -f '{{.Images}} {{.ContainersStopped}} {{.OSType}}'
	[ "$output" = "$("$CTR" images -q | sort -u | wc -l) 0 linux" ]
	ctr info --format json
	[[ "$output" == *'"Driver":'* ]]
	ctr info --format '{{.Nope'
	assert_status 64
}
