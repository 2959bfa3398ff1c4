#!/usr/bin/env bats
# The command line's contract with scripts, as docker's CLI keeps it: an
# unknown command of a group fails (1) with one line naming it (at the top
# level, docker's two lines); a flag that does not parse is 125 from every
# command; any other failure of a command other than run is 1; run's own
# failures are 125/126/127; a process's own status is passed on (run,
# start -a, exec).

load helpers
bats_require_minimum_version 1.5.0

@test "an unknown command of a group fails with 1 and names it; the group alone prints its help" {
	for group in system volume network image generate; do
		ctr "$group" nonsense
		assert_status 1
		one_line_error "unknown command: ctr-lite $group nonsense; run 'ctr-lite $group --help'"
		[ -z "$output" ]
		ctr "$group"
		assert_status 0
		[[ "$output" == *"Available Commands:"* ]]
	done
	ctr nonsense
	assert_status 1
	[ "$stderr" = "ctr-lite: 'nonsense' is not a ctr-lite command.
See 'ctr-lite --help'." ] || { echo "stderr: $stderr"; false; }
	[ -z "$output" ]
}

@test "a flag that does not parse exits 125 from any command" {
	for cmd in ps rm inspect volume\ ls run; do
		ctr $cmd --bogus x
		assert_status 125
		one_line_error "unknown flag: --bogus"
	done
}

@test "commands other than run exit 1 when they fail; exec keeps 126/127 and the status of its command" {
	ctr inspect nosuch
	assert_status 1
	one_line_error "No such object: nosuch"
	ctr stop nosuch
	assert_status 1
	one_line_error "nosuch"
	ctr rm
	assert_status 1
	one_line_error "requires at least 1 argument"
	"$CTR" create --name dup busybox true >/dev/null
	ctr create --name dup busybox true
	assert_status 1
	one_line_error 'container name "dup" is already in use'
	ctr inspect -f '{{.Id' dup
	assert_status 64 # docker inspect's code for a template that does not parse
	one_line_error "invalid --format template"
	"$CTR" run -d --name busy busybox sleep 30 >/dev/null
	ctr rm busy
	assert_status 1
	one_line_error "busy"
	ctr exec busy sh -c 'exit 7'
	assert_status 7
	ctr127 exec busy nope
	assert_status 127
	ctr exec busy /etc
	assert_status 126
	"$CTR" rm -f busy >/dev/null
	ctr exec dup true
	assert_status 1
	one_line_error "not running"
}

@test "run keeps 125 for its failures and passes on the container's status; start -a passes it too" {
	ctr run --rm --pull never nosuchimage true
	assert_status 125
	one_line_error "unable to find image"
	ctr run --name dup2 busybox sh -c 'exit 3'
	assert_status 3
	ctr start -a dup2
	assert_status 3
	ctr127 run --rm busybox /no/such/command
	assert_status 127
}
