#!/usr/bin/env bats
# docker's port, rename and wait of several containers: the output shapes,
# exit codes and error wording scripts match on (docker/cli's
# cli/command/container port.go, rename.go, wait.go; moby's daemon names).

load helpers
bats_require_minimum_version 1.5.0

@test "port lists every binding as docker prints it, one port's addresses, and docker's error for an unpublished one" {
	local p1=$((20000 + RANDOM % 20000)) p2
	p2=$((p1 + 1))
	"$CTR" run -d --name web -p "$p1:80" -p "127.0.0.1:$p2:81/udp" busybox httpd -f -p 80 >/dev/null
	wait_running web
	ctr port web
	assert_status 0
	[ "$output" = "$(printf '80/tcp -> 0.0.0.0:%s\n81/udp -> 127.0.0.1:%s' "$p1" "$p2")" ]
	ctr container port web 80
	assert_status 0
	[ "$output" = "0.0.0.0:$p1" ]
	ctr port web 80/tcp
	[ "$output" = "0.0.0.0:$p1" ]
	ctr port web 81/udp
	assert_status 0
	[ "$output" = "127.0.0.1:$p2" ]
	ctr port web 443
	assert_status 1
	[ "$stderr" = "Error: No public port '443' published for web" ]
	ctr port web 80/udp
	assert_status 1
	[ "$stderr" = "Error: No public port '80/udp' published for web" ]
	ctr port web abc
	assert_status 1
	one_line_error "invalid port (abc)"
	ctr port nosuch
	assert_status 1
	one_line_error "nosuch"
	ctr port
	assert_status 1
	ctr port web 80 81
	assert_status 1
	"$CTR" stop -t 1 web >/dev/null
	ctr port web # a stopped container publishes nothing, as docker's
	assert_status 0
	[ -z "$output" ]
	"$CTR" rm -f web >/dev/null
	assert_net_clean
}

@test "rename changes the record and the name index; the old name is free; docker's errors, exit 1, one line" {
	"$CTR" create --name a busybox true >/dev/null
	bid=$("$CTR" create --name b busybox true)
	ctr rename a c
	assert_status 0
	[ -z "$output" ]
	ctr inspect -f '{{.Name}}' c
	[ "$output" = "/c" ]
	ctr inspect a
	assert_status 1
	ctr rename c b
	assert_status 1
	one_line_error "failed to rename container: Error when allocating new name: Conflict. The container name \"/b\" is already in use by container \"$bid\". You have to remove (or rename) that container to be able to reuse that name."
	ctr rename c 'bad name'
	assert_status 1
	one_line_error 'Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'
	ctr rename c c
	assert_status 1
	one_line_error "Renaming a container with the same name as its current name"
	ctr rename c ''
	assert_status 1
	one_line_error "new name cannot be blank"
	ctr rename nosuch x
	assert_status 1
	one_line_error "nosuch"
	ctr rename c
	assert_status 1
	ctr inspect -f '{{.Name}}' c # the failures changed nothing
	[ "$output" = "/c" ]
	ctr container rename c a
	assert_status 0
	ctr create --name c busybox true
	assert_status 0
	[ "$(ls "$CTR_LITE_ROOT/names" | sort | tr '\n' ' ')" = "a b c " ]
	"$CTR" rm -f a b c >/dev/null
	assert_no_leftovers
}

@test "rename of a running container on a user-defined network: its peers' /etc/hosts follow" {
	ctr network create --subnet 10.251.16.0/24 rn
	assert_status 0
	"$CTR" run -d --network rn --name db busybox sleep 30 >/dev/null
	"$CTR" run -d --network rn --name app busybox sleep 30 >/dev/null
	wait_running db
	wait_running app
	ctr exec app cat /etc/hosts
	grep -qw db <<<"$output"
	ctr rename db store
	assert_status 0
	ctr exec app cat /etc/hosts
	grep -qw store <<<"$output" || { echo "app's hosts: $output" >&2; return 1; }
	! grep -qw db <<<"$output" || { echo "app's hosts: $output" >&2; return 1; }
	ctr exec store cat /etc/hosts # its own entry follows too
	grep -qw store <<<"$output"
	ctr exec app ping -c1 -W2 store
	assert_status 0
	ctr ps --format '{{.Names}}'
	[[ "$output" == *store* && "$output" != *db* ]]
	"$CTR" rm -f store app >/dev/null
	ctr network rm rn
	assert_status 0
	assert_net_clean
}

@test "wait of several containers prints each exit code in argument order; a missing one fails (1) after the others" {
	"$CTR" run -d --name w1 busybox sh -c 'exit 3' >/dev/null
	"$CTR" run -d --name w2 busybox sh -c 'sleep 0.5; exit 5' >/dev/null
	ctr wait w2 w1
	assert_status 0
	[ "$output" = "$(printf '5\n3')" ]
	ctr wait w1 nosuch w2
	assert_status 1
	[ "$output" = "$(printf '3\n5')" ]
	[[ "$stderr" == *nosuch* ]]
	ctr container wait w1 w2
	assert_status 0
	[ "$output" = "$(printf '3\n5')" ]
	"$CTR" rm -f w1 w2 >/dev/null
	assert_net_clean
}

@test "a rename that crashed, then a rename to a third name: the crashed one's name is free again" {
	"$CTR" create --name rn-a busybox true >/dev/null
	CTR_LITE_FAULT=rename:after-add-name run -137 "$CTR" rename rn-a rn-b
	ctr rename rn-a rn-c
	assert_status 0
	ctr create --name rn-b busybox true
	assert_status 0
	ctr inspect -f '{{.Name}}' rn-c
	[ "$output" = "/rn-c" ]
	"$CTR" rm -f rn-b rn-c >/dev/null
}
