#!/usr/bin/env bats
# pause/unpause (the freezer, docker's paused state everywhere) and top
# (the host's ps, rows of the container's processes only).

load helpers
bats_require_minimum_version 1.5.0

# freezer_state PID: FROZEN or THAWED, from the process's cgroup (v1), or
# 1/0 from cgroup.freeze (v2).
freezer_state() {
	local path
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		path=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup$path/cgroup.freeze"
	else
		path=$(awk -F: '$2 == "freezer" {print $3}' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup/freezer$path/freezer.state"
	fi
}

@test "pause: the cgroup is frozen, ps and inspect say paused, exec is refused, unpause thaws" {
	ctr run -d --name pz busybox sh -c 'while :; do echo tick; sleep 0.2; done'
	assert_status 0
	wait_running pz
	pid=$("$CTR" inspect -f '{{.State.Pid}}' pz)
	ctr pause pz
	assert_status 0
	[ "$output" = pz ]
	[[ "$(freezer_state "$pid")" =~ ^(FROZEN|1)$ ]]
	ctr inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' pz
	[ "$output" = "paused true true" ]
	ctr ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "pz Up "*" (Paused)" ]]
	ctr ps -q -f status=paused
	[ -n "$output" ]
	ctr ps -q -f status=running
	[ -z "$output" ]
	ctr info --format '{{.ContainersPaused}} {{.ContainersRunning}}'
	[ "$output" = "1 0" ]
	ctr exec pz true
	assert_status 1
	one_line_error "is paused, unpause the container before exec"
	ctr pause pz
	assert_status 1
	one_line_error "already paused"
	n=$("$CTR" logs pz | wc -l)
	sleep 0.5
	[ "$("$CTR" logs pz | wc -l)" -eq "$n" ] # no output while frozen
	ctr unpause pz
	assert_status 0
	[[ "$(freezer_state "$pid")" =~ ^(THAWED|0)$ ]]
	ctr inspect -f '{{.State.Status}} {{.State.Paused}}' pz
	[ "$output" = "running false" ]
	ctr unpause pz
	assert_status 1
	one_line_error "not paused"
	ctr exec pz true
	assert_status 0
}

@test "pause: stop of a paused container delivers its stop signal; rm -f and kill work; a stopped one cannot be paused" {
	ctr run -d --name ps1 busybox sh -c 'trap "echo got term; exit 3" TERM; while :; do sleep 0.1; done'
	wait_running ps1
	ctr pause ps1
	ctr stop -t 5 ps1
	assert_status 0
	ctr inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}' ps1
	[ "$output" = "exited false 3" ]
	ctr logs ps1
	[ "$output" = "got term" ]
	ctr pause ps1
	assert_status 1
	one_line_error "not running"
	ctr run -d --name ps2 busybox sleep 1000
	wait_running ps2
	ctr pause ps2
	ctr kill ps2
	assert_status 0
	ctr wait ps2
	[ "$output" = 137 ]
	ctr run -d --name ps3 busybox sleep 1000
	wait_running ps3
	ctr pause ps3
	ctr rm -f ps3
	assert_status 0
	ctr rm -f ps1 ps2
	assert_no_leftovers
}

@test "top: the container's processes only, with ps options; a ps table without PID is refused" {
	ctr run -d --name tp busybox sh -c 'sleep 1001 & exec sleep 1002'
	wait_running tp
	ctr top tp
	assert_status 0
	[[ "${lines[0]}" == UID*PID*CMD ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"sleep 1001"* ]] && [[ "$output" == *"sleep 1002"* ]]
	[[ "$output" != *bats* ]]
	ctr container top tp -o pid,comm
	assert_status 0
	[[ "${lines[0]}" == "PID"*"COMMAND" ]]
	[ "${#lines[@]}" -eq 3 ]
	ctr top tp -o comm
	assert_status 1
	one_line_error "no PID column"
	ctr stop -t 0 tp
	ctr top tp
	assert_status 1
	one_line_error "not running"
}
