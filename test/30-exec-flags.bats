#!/usr/bin/env bats
# exec's -d, --env-file and --privileged, and run's -q.

load helpers
bats_require_minimum_version 1.5.0

@test "exec -d: returns at once, the process keeps running, its output goes nowhere" {
	ctr run -d --name ed busybox sleep 1000
	wait_running ed
	ctr exec -d ed sh -c 'echo hidden; echo hidden >&2; exec sleep 777'
	assert_status 0
	[ -z "$output" ] && [ -z "$stderr" ]
	ctr exec ed ps -o args
	[[ "$output" == *"sleep 777"* ]]
	ctr logs ed
	[[ "$output" != *hidden* ]] && [[ "$stderr" != *hidden* ]]
	ctr127 exec -d ed nosuchcommand
	assert_status 127
}

@test "exec --env-file: the file's variables, then -e's over them; a missing file is one line" {
	ctr run -d --name ee busybox sleep 1000
	wait_running ee
	printf 'A=1\n# comment\nB=two\n' >"$BATS_TEST_TMPDIR/app.env"
	ctr exec --env-file "$BATS_TEST_TMPDIR/app.env" -e B=three ee sh -c 'echo $A $B'
	assert_status 0
	[ "$output" = "1 three" ]
	ctr exec --env-file /nonexistent ee true
	assert_status 1
	one_line_error /nonexistent
}

@test "exec --privileged: every capability the host has for root; a non-root user gets them only in its bounding set, as docker" {
	load_debian
	ctr run -d --name ep debian:bookworm sleep 1000
	wait_running ep
	ctr exec ep grep CapEff /proc/self/status
	plain=$(echo ${output##*:})
	ctr exec --privileged ep grep CapEff /proc/self/status
	priv=$(echo ${output##*:})
	[ "$plain" != "$priv" ]
	[ "$(( 0x$priv & 0x$plain ))" -eq "$(( 0x$plain ))" ] # a superset
	[ "$(( (0x$priv >> 21) & 1 ))" -eq 1 ] # CAP_SYS_ADMIN
	# No ambient or inheritable capabilities (CVE-2022-24769): nobody's
	# effective set stays empty, its bounding set is the privileged one.
	ctr exec -u nobody --privileged ep grep -E 'Cap(Eff|Amb|Inh)' /proc/self/status
	[ "$(echo "$output" | awk '{print $2}' | sort -u)" = 0000000000000000 ]
	ctr exec -u nobody --privileged ep grep CapBnd /proc/self/status
	[ "$(echo ${output##*:})" = "$priv" ]
	ctr exec -u nobody ep grep CapEff /proc/self/status
	[ "$(( 0x$(echo ${output##*:}) ))" -eq 0 ]
}

@test "run -q: no pull output on stderr; the container's output stays" {
	ctr run --rm -q --network none busybox echo hi
	assert_status 0
	[ "$output" = hi ] && [ -z "$stderr" ]
	ctr run --rm --quiet --pull never --network none busybox true
	assert_status 0
}
