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
