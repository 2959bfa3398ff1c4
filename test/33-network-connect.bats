#!/usr/bin/env bats
# Network options and attachments of issue 11: network create --internal,
# --ip-range, --label, -o; network connect/disconnect; repeated --network.
# Traffic goes only to the containers and bridges these tests make.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

teardown_file() {
	finish_file
}

teardown() {
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
	"$CTR" network rm $("$CTR" network ls --format '{{.Name}}' | grep -v '^bridge$') >/dev/null 2>&1 || true
}

@test "network create: --ip-range, --label, -o bridge name and mtu show in inspect and in the container" {
	ctr network create --subnet 10.233.1.0/24 --ip-range 10.233.1.64/28 --label team=a --label tier \
		-o com.docker.network.bridge.name=ctrlite-h2a -o com.docker.network.driver.mtu=1400 rng
	assert_status 0
	ctr network inspect -f '{{(index .IPAM.Config 0).IPRange}} {{.Labels.team}} {{index .Options "com.docker.network.bridge.name"}} {{.Internal}}' rng
	[ "$output" = "10.233.1.64/28 a ctrlite-h2a false" ]
	ctr run --rm --network rng busybox sh -c 'ip -4 -o addr show eth0; cat /sys/class/net/eth0/mtu'
	assert_status 0
	[[ "$output" == *"inet 10.233.1.64/24"* ]]
	[[ "$output" == *1400 ]]
	ctr network ls --filter label=team=a --format '{{.Name}}'
	[ "$output" = rng ]
	ctr network ls --filter label=team=b --format '{{.Name}}'
	[ -z "$output" ]
	ctr network ls --filter label=tier --filter name=rn --format '{{.Name}}'
	[ "$output" = rng ]
	"$CTR" network rm rng
	! ip link show ctrlite-h2a 2>/dev/null
	assert_net_clean
}

@test "network create refuses another driver, an unknown -o and an ip-range outside the subnet in one line" {
	ctr network create --driver overlay ov
	assert_status 1
	one_line_error 'unsupported network driver "overlay"'
	ctr network create --subnet 10.233.2.0/24 -o com.docker.network.bridge.host_binding_ipv4=1.2.3.4 ov
	assert_status 1
	one_line_error 'unknown bridge driver option'
	ctr network create --subnet 10.233.2.0/24 --ip-range 10.233.3.0/28 ov
	assert_status 1
	one_line_error 'invalid ip-range'
	ctr network ls --filter bogus=1
	assert_status 1
	one_line_error "invalid filter 'bogus=1'"
}

@test "--internal: peers reach each other, no default route, no masquerade, forwarding out dropped" {
	"$CTR" network create --internal --subnet 10.233.4.0/24 -o com.docker.network.bridge.name=ctrlite-h2i inn >/dev/null
	ctr network inspect -f '{{.Internal}}' inn
	[ "$output" = true ]
	"$CTR" run -d --name srv --network inn busybox sleep 60 >/dev/null
	wait_running srv
	ctr run --rm --network inn busybox sh -c 'ping -c1 -W2 srv >/dev/null && echo reached; ip route'
	assert_status 0
	[[ "$output" == reached* ]]
	[[ "$output" != *default* ]]
	run nft list table ip ctr-lite
	[[ "$output" == *'iifname "ctrlite-h2i" oifname != "ctrlite-h2i" drop'* ]]
	[[ "$output" != *'ip saddr 10.233.4.0/24 oifname != "ctrlite-h2i" masquerade'* ]]
	"$CTR" rm -f srv >/dev/null
	"$CTR" network rm inn
	run nft list table ip ctr-lite
	[[ "$output" != *ctrlite-h2i* ]]
	assert_net_clean
}
