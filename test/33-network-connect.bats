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
	# and over IPv6, for a host that forwards IPv6 itself
	run nft list table ip6 ctr-lite
	[[ "$output" == *'iifname "ctrlite-h2i" oifname != "ctrlite-h2i" drop'* ]]
	[[ "$output" == *'oifname "ctrlite-h2i" iifname != "ctrlite-h2i" drop'* ]]
	# the ip6 drops alone gone (a network made before they existed, or a
	# hand edit): the next start puts them back, though the ip table is whole
	nft delete table ip6 ctr-lite
	ctr run --rm --network inn busybox true
	assert_status 0
	run nft list table ip6 ctr-lite
	[[ "$output" == *'iifname "ctrlite-h2i" oifname != "ctrlite-h2i" drop'* ]]
	[[ "$output" == *'oifname "ctrlite-h2i" iifname != "ctrlite-h2i" drop'* ]]
	"$CTR" rm -f srv >/dev/null
	"$CTR" network rm inn
	run nft list table ip ctr-lite
	[[ "$output" != *ctrlite-h2i* ]]
	run nft list table ip6 ctr-lite
	[[ "$output" != *ctrlite-h2i* ]]
	assert_net_clean
}

@test "network connect/disconnect a running container: ethN, --ip, --alias, hosts, inspect, events, leak check" {
	"$CTR" network create --subnet 10.233.5.0/24 -o com.docker.network.bridge.name=ctrlite-h2c1 front >/dev/null
	"$CTR" network create --subnet 10.233.6.0/24 -o com.docker.network.bridge.name=ctrlite-h2c2 back >/dev/null
	"$CTR" run -d --name app --network front busybox sleep 60 >/dev/null
	"$CTR" run -d --name db --network back busybox sleep 60 >/dev/null
	wait_running app
	wait_running db
	since=$(date +%s.%N) # sub-second: the creates above may share its second
	ctr network connect --alias api --ip 10.233.6.50 back app
	assert_status 0
	ctr exec app ip -4 -o addr show eth1
	[[ "$output" == *"inet 10.233.6.50/24"* ]]
	ctr exec app ip route
	[[ "$output" == *"default via 10.233.5.1 dev eth0"* ]]
	[[ "$output" != *"default via 10.233.6.1"* ]]
	ctr exec app grep db /etc/hosts
	[[ "$output" == *10.233.6.* ]]
	ctr exec db cat /etc/hosts
	[[ "$output" == *"10.233.6.50	app api"* ]]
	ctr exec db ping -c1 -W2 api
	assert_status 0
	ctr exec app ping -c1 -W2 db
	assert_status 0
	ctr inspect -f '{{(index .NetworkSettings.Networks "back").IPAddress}} {{(index .NetworkSettings.Networks "front").IPAddress}}' app
	[ "$output" = "10.233.6.50 10.233.5.2" ]
	ctr network connect back app
	assert_status 1
	one_line_error 'already exists in network back'
	ctr network disconnect back app
	assert_status 0
	ctr exec app ip link show eth1
	[ "$status" -ne 0 ]
	ctr exec db cat /etc/hosts
	[[ "$output" != *app* ]]
	ctr inspect -f '{{len .NetworkSettings.Networks}}' app
	[ "$output" = 1 ]
	[ ! -e "$CTR_LITE_ROOT/networks/back/leases/10.233.6.50" ]
	! ip link show "vc$("$CTR" inspect -f '{{.Id}}' app | cut -c1-7)$("$CTR" network inspect -f '{{.Id}}' back | cut -c1-6)" 2>/dev/null
	ctr network disconnect back app
	assert_status 1
	one_line_error 'is not connected to network back'
	ctr events --since "$since" --until "$(($(date +%s) + 1))" --filter type=network --format '{{.Action}}'
	[ "$output" = "$(printf 'connect\ndisconnect')" ] || { echo "events: $output / $stderr"; false; }
	"$CTR" network connect back app
	"$CTR" rm -f app db >/dev/null
	assert_net_clean
	"$CTR" network rm front back >/dev/null
}

@test "network connect on a created container is applied at start; rm -f after connect leaves nothing" {
	"$CTR" network create --subnet 10.233.7.0/24 -o com.docker.network.bridge.name=ctrlite-h2c3 side >/dev/null
	"$CTR" create --name later busybox sleep 60 >/dev/null
	ctr network connect --ip 10.233.7.9 side later
	assert_status 0
	ctr inspect -f '{{len .NetworkSettings.Networks}}' later
	"$CTR" start later >/dev/null
	wait_running later
	ctr exec later ip -4 -o addr
	[[ "$output" == *"eth0    inet $CTR_LITE_DEFAULT_SUBNET"* || "$output" == *"eth0    inet "* ]]
	[[ "$output" == *"eth1    inet 10.233.7.9/24"* ]]
	"$CTR" stop -t 1 later >/dev/null
	[ ! -e "$CTR_LITE_ROOT/networks/side/leases/10.233.7.9" ]
	"$CTR" start later >/dev/null
	wait_running later
	ctr exec later ip -4 -o addr show eth1
	[[ "$output" == *10.233.7.9/24* ]]
	"$CTR" rm -f later >/dev/null
	assert_net_clean
	"$CTR" network rm side >/dev/null
}

@test "a connect or disconnect killed halfway leaves what rm -f cleans" {
	"$CTR" network create --subnet 10.233.8.0/24 -o com.docker.network.bridge.name=ctrlite-h2c4 crash >/dev/null
	for p in connect:after-attach disconnect:after-record; do
		"$CTR" run -d --name half busybox sleep 60 >/dev/null
		wait_running half
		[ "${p%%:*}" = connect ] || "$CTR" network connect crash half
		CTR_LITE_FAULT=$p run -137 "$CTR" network "${p%%:*}" crash half
		ctr exec half ip link show eth1
		assert_status 0 # the interface was made and not yet removed
		ctr rm -f half
		assert_status 0
		assert_net_clean
		! ip link show "vc$(cut -c1-7 <<<"$id")" 2>/dev/null
	done
	"$CTR" network rm crash >/dev/null
}

@test "repeated --network: the first is eth0 with the default route, the others eth1..., peers resolve it on each" {
	"$CTR" network create --subnet 10.233.10.0/24 -o com.docker.network.bridge.name=ctrlite-h2r1 ra >/dev/null
	"$CTR" network create --subnet 10.233.11.0/24 -o com.docker.network.bridge.name=ctrlite-h2r2 rb >/dev/null
	"$CTR" run -d --name peer --network rb busybox sleep 60 >/dev/null
	wait_running peer
	ctr run --rm --name multi --network ra --network rb busybox sh -c 'ip -4 -o addr; ip route; ping -c1 -W2 peer >/dev/null && echo reached'
	assert_status 0
	[[ "$output" == *"eth0    inet 10.233.10."* ]]
	[[ "$output" == *"eth1    inet 10.233.11."* ]]
	[[ "$output" == *"default via 10.233.10.1 dev eth0"* ]]
	[[ "$output" == *reached* ]]
	ctr create --network host --network ra busybox true
	assert_status 125
	one_line_error 'only user-defined networks can be given more than once'
	"$CTR" rm -f peer >/dev/null
	assert_net_clean
	"$CTR" network rm ra rb >/dev/null
}
