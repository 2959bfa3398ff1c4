#!/usr/bin/env bats
# IPv6 on user-defined bridge networks (issue 11): network create --ipv6
# with an IPv4 and an IPv6 --subnet (dual stack), --ip6 on run and on
# network connect. Only this file's ULA subnets (fd00:238::/64, ...) and
# bridges (ctrlite-h6*); traffic only between its containers.

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

@test "network create --ipv6: both subnets in inspect; containers ping each other over IPv6; --ip6 shows inside and in inspect" {
	ctr network create --ipv6 --subnet 10.238.1.0/24 --subnet fd00:238::/64 -o com.docker.network.bridge.name=ctrlite-h6a v6net
	assert_status 0
	ctr network inspect -f '{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}},{{.Gateway}} {{end}}' v6net
	[ "$output" = "true 10.238.1.0/24,10.238.1.1 fd00:238::/64,fd00:238::1 " ]
	ctr run -d --name a --network v6net --ip6 fd00:238::100 busybox sleep 1000
	assert_status 0
	ctr run -d --name b --network v6net busybox sleep 1000
	assert_status 0
	ctr exec a ip -6 -o addr show dev eth0 scope global
	[[ "$output" == *"inet6 fd00:238::100/64"* ]]
	ctr exec a ip -6 route show default
	[[ "$output" == *"default via fd00:238::1 dev eth0"* ]]
	ctr inspect -f '{{with index .NetworkSettings.Networks "v6net"}}{{.GlobalIPv6Address}} {{.GlobalIPv6PrefixLen}} {{.IPv6Gateway}}{{end}}' a
	[ "$output" = "fd00:238::100 64 fd00:238::1" ]
	# b got the first free address after the subnet-router anycast and gateway
	ctr inspect -f '{{(index .NetworkSettings.Networks "v6net").GlobalIPv6Address}}' b
	[ "$output" = "fd00:238::2" ]
	# peers' hosts files carry the IPv6 entries, so names resolve over IPv6
	ctr exec b grep -E '^fd00:238::100[[:space:]]+a$' /etc/hosts
	assert_status 0
	ctr exec a grep -E '^fd00:238::2[[:space:]]+b$' /etc/hosts
	assert_status 0
	ctr exec b ping -6 -c1 -W2 a
	assert_status 0
	[[ "$output" == *"from fd00:238::100"* ]]
	ctr exec a ping -c1 -W2 fd00:238::2
	assert_status 0
	ctr exec a ping -c1 -W2 fd00:238::1
	assert_status 0
	# stop frees both of b's leases, as rm -f does a's
	"$CTR" stop -t 0 b
	run ls "$CTR_LITE_ROOT"/networks/v6net/leases
	[ "$(echo $output)" = "10.238.1.2 fd00:238::100" ]
	"$CTR" rm -f a b
	[ -z "$(ls "$CTR_LITE_ROOT"/networks/v6net/leases)" ]
	assert_net_clean
}

@test "network create --gateway, one per family: the bridge has both, containers route through them, the IPv6 one is never leased" {
	ctr network create --ipv6 --subnet 10.238.7.0/24 --gateway 10.238.7.254 --subnet fd00:238:7::/125 --gateway fd00:238:7::2 \
		-o com.docker.network.bridge.name=ctrlite-h6gw v6gw
	assert_status 0
	ctr network inspect -f '{{range .IPAM.Config}}{{.Subnet}},{{.Gateway}} {{end}}' v6gw
	[ "$output" = "10.238.7.0/24,10.238.7.254 fd00:238:7::/125,fd00:238:7::2 " ]
	ctr run --rm --network v6gw busybox sh -c 'ip -6 route show default; ip route show default | grep default; ip -6 -o addr show dev eth0 scope global; ping -c1 -W2 fd00:238:7::2 >/dev/null && echo reached'
	assert_status 0
	[[ "${lines[0]}" == "default via fd00:238:7::2 dev eth0"* ]]
	[[ "${lines[1]}" == "default via 10.238.7.254 dev eth0"* ]]
	[[ "${lines[2]}" == *"inet6 fd00:238:7::1/125"* ]] # the first free one
	[ "${lines[3]}" = reached ]
	# the /125 has ::1, ::3 .. ::7 for containers: ::2 (the gateway) never
	for i in 1 2 3 4 5; do "$CTR" run -d --name g$i --network v6gw busybox sleep 100 >/dev/null; done
	ctr inspect -f '{{(index .NetworkSettings.Networks "v6gw").GlobalIPv6Address}}' g1 g2 g3 g4 g5
	[ "$(echo $output)" = "fd00:238:7::1 fd00:238:7::3 fd00:238:7::4 fd00:238:7::5 fd00:238:7::6" ]
	"$CTR" rm -f g1 g2 g3 g4 g5 >/dev/null
	ctr network create --ipv6 --subnet 10.238.8.0/24 --subnet fd00:238:8::/64 --gateway fd00:238:9::1 v6bad
	assert_status 1
	one_line_error 'invalid gateway "fd00:238:9::1": want an address inside fd00:238:8::/64'
	ctr network create --subnet 10.238.8.0/24 --gateway fd00:238:8::1 v6bad
	assert_status 1
	one_line_error 'an IPv6 gateway needs an IPv6 --subnet (and --ipv6)'
	ctr network create --subnet 10.238.8.0/24 --gateway 10.238.8.1 --gateway 10.238.8.2 v6bad
	assert_status 1
	one_line_error 'ctr-lite takes one IPv4 and one IPv6 --gateway'
	assert_net_clean
}

@test "network connect --ip6 gives the next ethN its IPv6 address; disconnect frees both leases" {
	ctr network create --subnet 10.238.2.0/24 -o com.docker.network.bridge.name=ctrlite-h6b v4net
	assert_status 0
	ctr network create --ipv6 --subnet 10.238.3.0/24 --subnet fd00:238:3::/64 -o com.docker.network.bridge.name=ctrlite-h6c v6b
	assert_status 0
	ctr run -d --name c --network v4net busybox sleep 1000
	assert_status 0
	ctr network connect --ip6 fd00:238:3::42 v6b c
	assert_status 0
	ctr exec c ip -6 -o addr show dev eth1 scope global
	[[ "$output" == *"inet6 fd00:238:3::42/64"* ]]
	ctr inspect -f '{{(index .NetworkSettings.Networks "v6b").GlobalIPv6Address}}' c
	[ "$output" = "fd00:238:3::42" ]
	ctr exec c ping -c1 -W2 fd00:238:3::1
	assert_status 0
	run ls "$CTR_LITE_ROOT"/networks/v6b/leases
	[[ "$output" == *"fd00:238:3::42"* ]]
	ctr network disconnect v6b c
	assert_status 0
	[ -z "$(ls "$CTR_LITE_ROOT"/networks/v6b/leases)" ]
	"$CTR" rm -f c
	assert_net_clean
}

@test "IPv6 errors: a v6 subnet without --ipv6, --ipv6 without one, --ip6 on a v4 network, outside the subnet" {
	ctr network create --subnet 10.238.4.0/24 --subnet fd00:238:4::/64 nov6
	assert_status 1
	one_line_error 'needs --ipv6'
	ctr network create --ipv6 --subnet 10.238.4.0/24 nov6
	assert_status 1
	one_line_error 'needs an IPv6 --subnet'
	ctr network create --subnet 10.238.4.0/24 -o com.docker.network.bridge.name=ctrlite-h6e v4only
	assert_status 0
	ctr run --rm --network v4only --ip6 fd00:238:4::5 busybox true
	assert_status 125
	one_line_error 'was not created with --ipv6'
	# refused at create, as docker does, not at the first start
	ctr create --network v4only --ip6 fd00:238:4::5 busybox true
	assert_status 1
	one_line_error 'invalid --ip6 fd00:238:4::5: network v4only was not created with --ipv6'
	ctr create --network nosuch busybox true
	assert_status 1
	one_line_error "no such network: nosuch (see 'ctr-lite network ls')"
	ctr ps -aq
	[ "$output" = "" ]
	ctr network create --ipv6 --subnet 10.238.5.0/24 --subnet fd00:238:5::/64 -o com.docker.network.bridge.name=ctrlite-h6f v6c
	assert_status 0
	ctr network create --ipv6 --subnet 10.238.6.0/24 --subnet fd00:238:5::/80 -o com.docker.network.bridge.name=ctrlite-h6g v6d
	assert_status 1
	one_line_error 'overlaps network v6c'
	ctr run --rm --network v6c --ip6 fd00:238:9::5 busybox true
	assert_status 125
	one_line_error 'not a usable address'
	assert_net_clean
}

@test "create checks --ip6 and --ip against the network, as docker does: nothing is made; start checks again" {
	ctr network create --ipv6 --subnet 10.238.7.0/24 --subnet fd00:238:7::/64 -o com.docker.network.bridge.name=ctrlite-h6h v6k
	assert_status 0
	ctr network create --subnet 10.238.8.0/24 -o com.docker.network.bridge.name=ctrlite-h6i v4k
	assert_status 0
	ctr create --name bad1 --network v4k --ip6 fd00:238:7::5 busybox true
	assert_status 1
	one_line_error 'network v4k was not created with --ipv6'
	ctr create --name bad2 --network v6k --ip6 fd00:238:9::5 busybox true
	assert_status 1
	one_line_error 'not a usable address of network v6k'
	ctr create --name bad3 --network v6k --ip 10.238.9.5 busybox true
	assert_status 1
	one_line_error 'not a usable address of network v6k'
	ctr run --rm --name bad4 --ip6 fd00:238:7::5 busybox true # the default bridge has no IPv6
	assert_status 125
	one_line_error 'network bridge was not created with --ipv6'
	[ -z "$("$CTR" ps -aq)" ]
	ctr create --name good --network v6k --ip6 fd00:238:7::5 busybox sh -c 'ip -6 addr show eth0'
	assert_status 0
	ctr start -a good
	assert_status 0
	[[ "$output" == *fd00:238:7::5/64* ]]
	"$CTR" rm good >/dev/null
	assert_net_clean
}
