#!/usr/bin/env bats
# Security options and what inspect shows for them (issue 11).

load helpers
bats_require_minimum_version 1.5.0

@test "--pid/--ipc container:NAME hand runc a held namespace file, not the target's /proc/PID/ns path" {
	"$CTR" run -d --name nstgt --ipc shareable busybox sleep 100 >/dev/null
	wait_running nstgt
	pid=$("$CTR" inspect -f '{{.State.Pid}}' nstgt)
	"$CTR" run -d --name nsjoin --pid container:nstgt --ipc container:nstgt busybox sleep 100 >/dev/null
	wait_running nsjoin
	ctr spec nsjoin
	assert_status 0
	# runc got /proc/<ctr-lite's pid>/fd/N, opened and checked against the
	# target's recorded start time before runc ran
	[[ "$output" =~ \"path\":\ *\"/proc/[0-9]+/fd/[0-9]+\" ]] || { echo "$output"; false; }
	[[ "$output" != *"/proc/$pid/ns/"* ]] || { echo "$output"; false; }
	ctr exec nsjoin sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc'
	assert_status 0
	[ "$output" = "$(readlink /proc/$pid/ns/pid)
$(readlink /proc/$pid/ns/ipc)" ]
	"$CTR" rm -f nsjoin nstgt >/dev/null
}
