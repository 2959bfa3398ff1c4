#!/usr/bin/env bats
# create / start / ps / inspect / rm, signals, and the command line itself.

load helpers
bats_require_minimum_version 1.5.0

@test "create prints the ID; start -a runs it; ps and inspect tell its state" {
	ctr create --name c1 -e A=1 -w /tmp busybox sh -c 'echo $A $PWD'
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	ctr ps -a --format '{{.Names}} {{.State}} {{.Status}}'
	[ "$output" = "c1 created Created" ]
	ctr start -a c1
	assert_status 0
	[ "$output" = "1 /tmp" ]
	ctr inspect --format '{{.Id}} {{.State.Status}} {{.State.ExitCode}} {{.Name}} {{.Config.WorkingDir}}' c1
	[ "$output" = "$id exited 0 /c1 /tmp" ]
	ctr ps -a
	[[ "${lines[0]}" == "CONTAINER ID"*"IMAGE"*"COMMAND"*"CREATED"*"STATUS"*"PORTS"*"NAMES" ]]
	[[ "${lines[1]}" == "${id:0:12}"*"busybox"*"Exited (0)"*"c1" ]]
	ctr ps
	[ "${#lines[@]}" -eq 1 ]
	ctr rm c1
	assert_status 0
	[ "$output" = "c1" ]
	assert_no_leftovers
}

@test "start -a returns the container's code, and can start it again" {
	"$CTR" create --name c3 busybox sh -c 'exit 3'
	ctr start -a c3
	assert_status 3
	ctr start -a c3
	assert_status 3
	ctr inspect -f '{{.State.ExitCode}}' c3
	[ "$output" = "3" ]
}

@test "lookup by ID prefix; ambiguous or unknown references fail with 1" {
	id=$("$CTR" create busybox true)
	ctr inspect -f '{{.Id}}' "${id:0:8}"
	[ "$output" = "$id" ]
	ctr rm nosuch
	assert_status 1
	[[ "$stderr" == *"no such container"* ]]
}

@test "inspect: docker's fields, GraphDriver, Mounts; JSON array" {
	"$CTR" create --name ins -v "$BATS_TEST_TMPDIR:/data:ro" busybox true
	ctr inspect ins
	assert_status 0
	[[ "${lines[0]}" == "[" ]]
	for field in '"Id"' '"State"' '"Config"' '"HostConfig"' '"GraphDriver"' '"Mounts"' '"LowerDir"' '"MergedDir"' '"Destination": "/data"'; do
		[[ "$output" == *"$field"* ]] || { echo "missing $field" >&2; return 1; }
	done
	ctr inspect -f '{{.HostConfig.NetworkMode}}' ins
	[ "$output" = "bridge" ]
}

@test "rm refuses a running container; rm -f kills it and the attached run exits 137" {
	"$CTR" run --name att busybox sleep 30 3>&- &
	pid=$!
	for i in $(seq 50); do "$CTR" ps --format '{{.Names}}' | grep -q att && break; sleep 0.1; done
	ctr ps --format '{{.Names}} {{.State}}'
	[ "$output" = "att running" ]
	ctr rm att
	assert_status 1
	[[ "$stderr" == *"is running"* ]]
	ctr rm -f att
	assert_status 0
	st=0; wait $pid || st=$?
	[ "$st" -eq 137 ]
	assert_no_leftovers
}

@test "SIGTERM to an attached run reaches the container; its exit code is kept" {
	"$CTR" run --rm busybox sh -c 'trap "echo got TERM; exit 42" TERM; sleep 30 & wait' > "$BATS_TEST_TMPDIR/out" 3>&- &
	pid=$!
	sleep 1
	kill -TERM $pid
	st=0; wait $pid || st=$?
	[ "$st" -eq 42 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "got TERM" ]
	assert_no_leftovers
}

@test "SIGINT (as from ^C) reaches the container once" {
	"$CTR" run --rm busybox sh -c 'n=0; trap "n=\$((n+1))" INT; sleep 2 & wait; sleep 0.5; echo $n' > "$BATS_TEST_TMPDIR/out" 3>&- &
	pid=$!
	sleep 1
	kill -INT $pid
	wait $pid || true
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "1" ]
}

@test "ps: -q, json, template; a stale running record shows as exited" {
	"$CTR" create --name p1 --label tier=web busybox true
	ctr ps -aq
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	ctr ps -a --format json
	[[ "$output" == *'"Names":"p1"'* ]]
	ctr ps -a --format 'table {{.Names}}\t{{.Labels}}'
	[[ "${lines[0]}" == NAMES* ]]
	[[ "${lines[1]}" == "p1"*"tier=web" ]]
}

@test "version, info, help and completion" {
	ctr version
	[[ "$output" == "ctr-lite version "* ]]
	ctr info
	assert_status 0
	[[ "$output" == *"Storage Driver: "* ]]
	[[ "$output" == *"Runtime Version: "* ]]
	[[ "$output" == *"Cgroup Version: 1"* || "$output" == *"Cgroup Version: 2"* ]]
	ctr run --help
	[[ "$output" == *"--network"* ]]
	[[ "$output" == *"Examples:"* ]]
	ctr completion bash
	assert_status 0
	[[ "$output" == *"__start_ctr-lite"* ]]
	ctr spec nosuch
	assert_status 1
}
