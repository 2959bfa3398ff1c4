#!/usr/bin/env bats
# docker's run flags for namespaces, groups, sysctls, labels and stopping
# (issue 11), checked from inside the container where they take effect.

load helpers
bats_require_minimum_version 1.5.0

@test "--stop-signal USR1: stop sends it and the trap runs; a bad signal is refused with 125" {
	"$CTR" run -d --name sig --stop-signal USR1 busybox sh -c 'trap "exit 33" USR1; trap "" TERM; sleep 30 & wait' >/dev/null
	wait_running sig
	ctr inspect -f '{{.Config.StopSignal}}' sig
	[ "$output" = "USR1" ]
	SECONDS=0
	ctr stop -t 10 sig
	assert_status 0
	[ "$SECONDS" -lt 8 ] # the trap ended it, not the SIGKILL after 10s
	ctr inspect -f '{{.State.ExitCode}}' sig
	[ "$output" = "33" ]
	ctr run --rm --stop-signal NOPE busybox true
	assert_status 125
	one_line_error "invalid signal"
}

@test "--stop-timeout bounds stop without -t; -t still wins; inspect shows it" {
	"$CTR" run -d --name st --stop-timeout 1 busybox sh -c 'trap "" TERM; sleep 100' >/dev/null
	wait_running st
	ctr inspect -f '{{.Config.StopTimeout}}' st
	[ "$output" = "1" ]
	SECONDS=0
	ctr stop st
	assert_status 0
	[ "$SECONDS" -lt 6 ] # 1s, then SIGKILL, not docker's 10s default
	ctr inspect -f '{{.State.ExitCode}}' st
	[ "$output" = "137" ]
	"$CTR" start st >/dev/null
	wait_running st
	SECONDS=0
	ctr stop -t 0 st
	assert_status 0
	[ "$SECONDS" -lt 3 ]
	ctr run --rm --stop-timeout x busybox true
	assert_status 125
	one_line_error "--stop-timeout"
}
