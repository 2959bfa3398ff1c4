#!/usr/bin/env bats
# ps's docker flags: -f/--filter (every key docker has), -n/--last,
# -l/--latest, --no-trunc, with real containers in each state.

load helpers
bats_require_minimum_version 1.5.0

# names prints ps's NAMES column for the given ps arguments.
names() { "$CTR" ps --format '{{.Names}}' "$@" | tr '\n' ' ' | sed 's/ $//'; }

# make_states makes one container of each state ps can see without a
# runtime trick: created, running, exited 0, exited 3.
make_states() {
	"$CTR" create --name cr -l tier=front -l env=prod -p 127.0.0.1:18080:80 -v vol1:/data busybox true >/dev/null
	"$CTR" run --name ex0 --network none busybox true
	"$CTR" run --name ex3 --network none -l tier=back busybox sh -c 'exit 3' || true
	"$CTR" run -d --name up --network none busybox sleep 1000 >/dev/null
	wait_running up
}

@test "ps -f status: each state, repeated keys OR, no -a needed" {
	make_states
	[ "$(names)" = "up" ]
	[ "$(names -f status=running)" = "up" ]
	[ "$(names -f status=created)" = "cr" ]
	[ "$(names -f status=exited)" = "ex3 ex0" ]
	[ "$(names -f status=exited -f status=created)" = "ex3 ex0 cr" ]
	[ "$(names -f status=paused)" = "" ]
	ctr ps -f status=exited
	assert_status 0
	[[ "${lines[0]}" == "CONTAINER ID"*"NAMES" ]]
	[[ "${lines[1]}" == *"Exited (3)"*"ex3" ]]
	[[ "${lines[2]}" == *"Exited (0)"*"ex0" ]]
}

@test "ps -f exited, name, id, label, ancestor, health; different keys AND" {
	make_states
	[ "$(names -a -f exited=3)" = "ex3" ]
	[ "$(names -a -f exited=0)" = "ex0" ]
	[ "$(names -a -f exited=0 -f exited=3)" = "ex3 ex0" ]
	[ "$(names -a -f name=ex)" = "ex3 ex0" ]
	[ "$(names -a -f name=^ex0$)" = "ex0" ]
	[ "$(names -a -f name=ex -f exited=3)" = "ex3" ]
	id=$("$CTR" inspect -f '{{.Id}}' ex0)
	[ "$(names -a -f id=${id:0:8})" = "ex0" ]
	[ "$(names -a -f label=tier)" = "ex3 cr" ]
	[ "$(names -a -f label=tier=front)" = "cr" ]
	[ "$(names -a -f label=tier=front -f label=env=prod)" = "cr" ]
	[ "$(names -a -f label=tier=front -f label=env=dev)" = "" ]
	[ "$(names -a -f ancestor=busybox)" = "up ex3 ex0 cr" ]
	[ "$(names -a -f ancestor=busybox:latest -f name=up)" = "up" ]
	img=$("$CTR" inspect -f '{{.Image}}' up)
	[ "$(names -a -f ancestor=$img -f name=up)" = "up" ]
	[ "$(names -a -f ancestor=debian)" = "" ]
	[ "$(names -a -f health=none -f name=up)" = "up" ]
	[ "$(names -a -f health=healthy)" = "" ]
	# the name filter reads the name index first; a container whose entry
	# was lost (a power cut) is still found, by its record
	rm "$CTR_LITE_ROOT/names/ex0"
	[ "$(names -a -f name=^ex0$)" = "ex0" ]
	[ "$(names -a -f name=ex)" = "ex3 ex0" ]
}

@test "ps -f before/since (creation order), publish, expose, volume, network" {
	make_states
	[ "$(names -a -f before=ex3)" = "ex0 cr" ]
	[ "$(names -a -f since=ex0)" = "up ex3" ]
	[ "$(names -a -f since=cr -f before=ex3)" = "ex0" ]
	# publish is the host side and expose the container side, of a
	# running container's bound ports (docker, since moby#40405).
	hp=$((20000 + RANDOM % 20000))
	"$CTR" run -d --name web -p 127.0.0.1:$hp:80 busybox sleep 1000 >/dev/null
	wait_running web
	[ "$(names -a -f publish=$hp)" = "web" ]
	[ "$(names -a -f publish=$hp/udp)" = "" ]
	[ "$(names -a -f publish=80)" = "" ]
	[ "$(names -a -f expose=80)" = "web" ]
	[ "$(names -a -f expose=70-90/tcp)" = "web" ]
	"$CTR" rm -f web >/dev/null
	[ "$(names -a -f volume=vol1)" = "cr" ]
	[ "$(names -a -f volume=/data)" = "cr" ]
	[ "$(names -a -f network=none)" = "up ex3 ex0" ]
	[ "$(names -a -f network=bridge)" = "cr" ]
	[ "$(names -a -f since=cr -f name=^ex0$)" = "ex0" ]
	ctr ps -a -f before=ghost
	assert_status 1
	[[ "$stderr" == *"No such container: ghost"* ]]
}

@test "ps -f: docker's errors for an unknown key or a bad value, exit 1" {
	ctr ps -f x=1
	assert_status 1
	[[ "$stderr" == *"invalid filter 'x'" ]]
	ctr ps -f status=sleeping
	assert_status 1
	[[ "$stderr" == *"invalid filter 'status=sleeping'" ]]
	ctr ps -f health=ok
	assert_status 1
	[[ "$stderr" == *"Unrecognised filter value for health: ok" ]]
	ctr ps -f publish=8080:80
	assert_status 1
	[[ "$stderr" == *"filter for 'publish' should not contain ':': 8080:80" ]]
	ctr ps -f name
	assert_status 1
	[[ "$stderr" == *"bad format of filter (expected name=value)" ]]
}

@test "ps -n, -l (any state, newest first), --no-trunc (full ID and command), -q --no-trunc" {
	make_states
	[ "$(names -n 2)" = "up ex3" ]
	[ "$(names -l)" = "up" ]
	[ "$(names --last 3 -f status=exited)" = "ex3 ex0" ]
	"$CTR" create --name long busybox sh -c 'echo a long command line here' >/dev/null
	id=$("$CTR" inspect -f '{{.Id}}' long)
	ctr ps -l
	[[ "${lines[1]}" == "${id:0:12} "*'"sh -c echo a long c…"'* ]]
	ctr ps -l --no-trunc
	[[ "${lines[1]}" == "$id "*'"sh -c echo a long command line here"'*"long" ]]
	ctr ps -lq --no-trunc
	[ "$output" = "$id" ]
	ctr ps -lq
	[ "$output" = "${id:0:12}" ]
}

@test "ps -s: SIZE is the writable layer, with the image as (virtual ...)" {
	"$CTR" run --name w --network none busybox sh -c 'head -c 12 /dev/zero > /f12'
	"$CTR" create --name fresh busybox true >/dev/null
	ctr ps -a -s -f name=w
	assert_status 0
	[[ "${lines[0]}" == "CONTAINER ID"*"NAMES"*"SIZE" ]]
	[[ "${lines[1]}" =~ " w "[[:space:]]*"12B (virtual "[0-9.]+[kM]B")"$ ]]
	ctr ps -a --format '{{.Names}} {{.Size}}' -f name=fresh
	[[ "$output" =~ ^"fresh 0B (virtual "[0-9.]+[kM]B")"$ ]]
	ctr ps -a --format '{{.Names}}:{{.Size}}' -f name=w -f name=fresh
	[ "${#lines[@]}" -eq 2 ]
}
