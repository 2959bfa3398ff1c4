#!/usr/bin/env bats
# Networking: modes, the default bridge, published ports, user networks,
# DNS files, and no veth, namespace, lease or rule left behind. Traffic goes
# only to 127.0.0.1 and to the containers these tests start.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	"$CTR" load -q -i "$TESTDATA/layered.tar"
	mkdir -p "$CTR_LITE_TEST_DIR/www"
	echo "hello from web" > "$CTR_LITE_TEST_DIR/www/index.html"
}

# web NAME [RUN-FLAGS...]: a busybox httpd serving the test page, in the
# background, attached (detached mode comes with the monitor).
web() {
	local name=$1; shift
	"$CTR" run --name "$name" -v "$CTR_LITE_TEST_DIR/www:/www:ro" "$@" busybox httpd -f -p 80 -h /www >/dev/null 2>&1 3>&- &
	wait_running "$name"
}

@test "bridge is the default: eth0 on the default subnet, route via its gateway" {
	ctr run --rm busybox sh -c 'ip -o -4 addr show eth0; ip route'
	assert_status 0
	prefix=${CTR_LITE_DEFAULT_SUBNET%.0/24}
	[[ "$output" == *"inet $prefix."*"/24"* ]]
	[[ "$output" == *"default via $prefix.1 dev eth0"* ]]
	ctr network ls
	[[ "$output" == *"bridge"*"$CTR_LITE_DEFAULT_SUBNET"* ]]
	assert_net_clean
}

@test "inspect shows NetworkSettings while running" {
	web w1
	ctr inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.MacAddress}}' w1
	[[ "$output" =~ ^10\.[0-9.]+\ 10\.[0-9.]+\.1\ 24\ 02:42: ]]
	ctr inspect -f '{{.NetworkSettings.SandboxKey}}' w1
	[ "$output" = "$CTR_LITE_RUNROOT/netns/$("$CTR" inspect -f '{{.Id}}' w1)" ]
	ctr inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' w1
	[ "$output" = "bridge" ]
}

@test "container to container over the bridge" {
	web w2
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' w2)
	ctr run --rm busybox sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc $ip 80"
	assert_status 0
	[[ "$output" == *"hello from web"* ]]
}

@test "host to container by its address, and by a published port on 127.0.0.1" {
	web w3 -p 127.0.0.1:18080:80 -p 18081:80
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' w3)
	run curl -s --max-time 5 "http://$ip/"
	[ "$output" = "hello from web" ]
	run curl -s --max-time 5 http://127.0.0.1:18080/
	[ "$output" = "hello from web" ]
	run curl -s --max-time 5 http://127.0.0.1:18081/
	[ "$output" = "hello from web" ]
	ctr ps --format '{{.Ports}}'
	[ "$output" = "0.0.0.0:18081->80/tcp, 127.0.0.1:18080->80/tcp" ]
	"$CTR" rm -f w3
	run curl -s --max-time 2 http://127.0.0.1:18081/
	[ "$status" -ne 0 ]
	assert_net_clean
}

@test "-P publishes the image's exposed ports on free host ports, sctp too" {
	# layered EXPOSEs 80/tcp and 9132/sctp: docker publishes both.
	"$CTR" run --name pall -P -v "$CTR_LITE_TEST_DIR/www:/www:ro" layered httpd -f -p 80 -h /www >/dev/null 2>&1 3>&- &
	wait_running pall
	port=$("$CTR" inspect -f '{{(index .NetworkSettings.Ports "80/tcp" 0).HostPort}}' pall)
	[ "$port" -gt 0 ]
	run curl -s --max-time 5 "http://127.0.0.1:$port/"
	[ "$output" = "hello from web" ]
	sport=$("$CTR" inspect -f '{{(index .NetworkSettings.Ports "9132/sctp" 0).HostPort}}' pall)
	[ "$sport" -gt 0 ]
	nft list chain ip ctr-lite ports | grep -q "sctp dport $sport dnat to .*:9132"
	"$CTR" rm -f pall
	assert_net_clean
}

@test "a host port in use fails with 125 and leaves nothing" {
	# 125 as docker run's "port is already allocated" (its 126 and 127 are
	# for a command that cannot be invoked or found).
	web w4 -p 18082:80
	ctr run --rm -p 18082:80 busybox true
	assert_status 125
	[[ "$stderr" == *"address already in use"* ]]
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("0.0.0.0",18083)); s.listen(); time.sleep(5)' 3>&- &
	sleep 0.5
	ctr run --rm -p 18083:80 busybox true
	assert_status 125
	kill $! || true
	"$CTR" rm -f w4
	assert_net_clean
}

@test "one host port on two host IPs; 0.0.0.0 then clashes with both" {
	web w6 -p 127.0.0.1:18085:80
	web w7 -p 127.0.0.2:18085:80 --hostname second
	run curl -s --max-time 5 http://127.0.0.1:18085/
	[ "$output" = "hello from web" ]
	run curl -s --max-time 5 http://127.0.0.2:18085/
	[ "$output" = "hello from web" ]
	ctr run --rm -p 18085:80 busybox true
	assert_status 125
	[[ "$stderr" == *"0.0.0.0:18085"* ]]
	"$CTR" rm -f w6 w7
	assert_net_clean
}

@test "rules come back after the firewall drops ctr-lite's table" {
	# What `nft flush ruleset` or a firewall reload does to ctr-lite; only
	# ctr-lite's table is dropped here, not the host's other rules.
	ctr run --rm busybox true
	nft list table ip ctr-lite >/dev/null
	nft delete table ip ctr-lite
	web w8 -p 127.0.0.1:18087:80
	run curl -s --max-time 5 http://127.0.0.1:18087/
	[ "$output" = "hello from web" ]
	nft list chain ip ctr-lite postrouting | grep -q "masquerade"
}

@test "a host port is the host's: a second root cannot publish it" {
	web w9 -p 127.0.0.1:18086:80
	(
		export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-two CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-two
		export CTR_LITE_DEFAULT_SUBNET=10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24 CTR_LITE_DEFAULT_BRIDGE=ctrlite-t$((RANDOM % 100000))
		"$CTR" load -q -i "$TESTDATA/busybox.tar"
		ctr run --rm -p 127.0.0.1:18086:80 busybox true
		assert_status 125
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"127.0.0.1:18086"*"already published"* ]]
		ctr run --rm -p 127.0.0.2:18086:80 busybox true
		assert_status 0
		CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-two "$CTR" system reset -f
	)
	run curl -s --max-time 5 http://127.0.0.1:18086/
	[ "$output" = "hello from web" ]
	"$CTR" rm -f w9
	assert_net_clean
}

@test "-p with none or host warns that the mappings are discarded" {
	ctr run --rm --network none -p 18084:80 busybox true
	assert_status 0
	[[ "$stderr" == *"WARNING: published ports are discarded"* ]]
}

@test "container:NAME joins a running container's namespace; refused when it is not running" {
	web w5
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' w5)
	ctr run --rm --network container:w5 busybox sh -c 'ip -o -4 addr show eth0; hostname'
	[[ "$output" == *"inet $ip/"* ]]
	[ "${lines[1]}" = "$("$CTR" inspect -f '{{.Config.Hostname}}' w5)" ]
	"$CTR" create --name stopped busybox true
	ctr run --rm --network container:stopped busybox true
	assert_status 125
	[[ "$stderr" == *"not running"* ]]
}

@test "user-defined network: names resolve, hosts follow peers, rm refused in use" {
	ctr network create --subnet 10.251.7.0/24 backend
	assert_status 0
	ctr network create --subnet 10.251.7.128/25 clash
	assert_status 1
	"$CTR" run --network backend --name db busybox sleep 30 >/dev/null 2>&1 3>&- &
	wait_running db
	ctr run --rm --network backend busybox ping -c1 -W2 db
	assert_status 0
	[[ "$output" == *"10.251.7."* ]]
	ctr network rm backend
	assert_status 1
	[[ "$stderr" == *"in use by db"* ]]
	"$CTR" run --network backend --name app busybox sleep 30 >/dev/null 2>&1 3>&- &
	wait_running app
	run cat "$("$CTR" inspect -f '{{.HostsPath}}' db)"
	[[ "$output" == *"app"* ]]
	"$CTR" rm -f app
	run cat "$("$CTR" inspect -f '{{.HostsPath}}' db)"
	[[ "$output" != *"app"* ]]
	"$CTR" rm -f db
	ctr network rm backend
	assert_status 0
	ip link show "$(echo backend)" 2>/dev/null && return 1
	assert_net_clean
}

@test "--dns, --dns-search, --dns-option, --add-host, --hostname, --ip" {
	prefix=${CTR_LITE_DEFAULT_SUBNET%.0/24}
	ctr run --rm --dns 10.0.0.2 --dns-search corp --dns-option ndots:2 --add-host db:10.1.2.3 --hostname h1 --ip "$prefix.77" \
		busybox sh -c 'cat /etc/resolv.conf /etc/hosts; ip -o -4 addr show eth0'
	assert_status 0
	[[ "$output" == *"nameserver 10.0.0.2"* ]]
	[[ "$output" == *"search corp"* ]]
	[[ "$output" == *"options ndots:2"* ]]
	[[ "$output" == *"10.1.2.3	db"* ]]
	[[ "$output" == *"$prefix.77	h1"* ]]
	[[ "$output" == *"inet $prefix.77/24"* ]]
	[[ "$output" != *"nameserver 127."* ]]
}

@test "twenty parallel starts get twenty distinct addresses" {
	# Each container stays until all twenty have written their address
	# to a shared directory: an address reused after an exit is no clash.
	mkdir -p "$BATS_TEST_TMPDIR/barrier"
	for i in $(seq 20); do
		"$CTR" run --rm -v "$BATS_TEST_TMPDIR/barrier:/b" busybox sh -c \
			'ip -o -4 addr show eth0; touch /b/$HOSTNAME; for t in $(seq 200); do [ $(ls /b | wc -l) -ge 20 ] && exit 0; sleep 0.1; done; exit 1' \
			> "$BATS_TEST_TMPDIR/ip.$i" 2>&1 3>&- &
	done
	for job in $(jobs -p); do wait "$job"; done
	cat "$BATS_TEST_TMPDIR"/ip.* | awk '{print $4}' | sort > "$BATS_TEST_TMPDIR/all"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/all")" -eq 20 ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/all" | wc -l)" -eq 20 ]
	assert_net_clean
}

@test "a stale lease (its holder gone, or its PID recycled) is reclaimed, not blocking" {
	prefix=${CTR_LITE_DEFAULT_SUBNET%.0/24}
	id=$("$CTR" create --name ghost busybox true)
	mkdir -p "$CTR_LITE_ROOT/networks/bridge/leases"
	echo "$id 999999" > "$CTR_LITE_ROOT/networks/bridge/leases/$prefix.90"
	ctr run --rm --ip "$prefix.90" busybox true
	assert_status 0
	echo "$id $$ 1" > "$CTR_LITE_ROOT/networks/bridge/leases/$prefix.91" # a live PID, another start time
	ctr run --rm --ip "$prefix.91" busybox true
	assert_status 0
}

# root_two points ctr-lite at a second root of this file (finish_file
# resets it), with busybox loaded; in a subshell, as it exports.
root_two() {
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-two CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-two
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

@test "a reclaimed port's traffic reaches its new holder, not the dead one's address" {
	"$CTR" run -d --name x -p 18091:80 busybox sleep 1000
	kill -9 "$("$CTR" inspect -f '{{.State.MonitorPid}}' x)" "$("$CTR" inspect -f '{{.State.Pid}}' x)"
	for _ in $(seq 50); do [ "$("$CTR" inspect -f '{{.State.Status}}' x)" = exited ] && break; sleep 0.1; done
	[ "$("$CTR" inspect -f '{{.State.Status}}' x)" = exited ]
	xip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' x)
	"$CTR" run -d --name w busybox sh -c 'while true; do echo FROM-W | nc -l -p 80; done'
	[ "$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' w)" = "$xip" ] # x's lease was stale
	"$CTR" run -d --name y -p 18091:80 busybox sh -c 'while true; do echo FROM-Y | nc -l -p 80; done'
	got=
	for _ in $(seq 50); do
		got=$(timeout 2 bash -c 'cat < /dev/tcp/127.0.0.1/18091' 2>/dev/null || true)
		[ -n "$got" ] && break
		sleep 0.1
	done
	[ "$got" = "FROM-Y" ]
	[ "$(nft list chain ip ctr-lite ports | grep -c 'dport 18091')" -eq 1 ]
	"$CTR" rm -f x w y
	assert_net_clean
}

@test "one root per bridge: a second root's first run on a bridge in use fails naming --default-bridge" {
	"$CTR" run -d --name a1 busybox sleep 1000
	(
		root_two # the same default bridge and subnet as this root's
		ctr run --rm busybox true
		assert_status 125
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"$CTR_LITE_DEFAULT_BRIDGE"*"--default-bridge"* ]]
		[ ! -e "$CTR_LITE_ROOT/networks/bridge/network.json" ]
	)
	"$CTR" exec a1 ping -c1 -W2 "${CTR_LITE_DEFAULT_SUBNET%.0/24}.1"
	"$CTR" rm -f a1
}

@test "one root per bridge at every start: after a reboot another root made it first, this root's start refuses it" {
	ctr run --rm busybox true
	assert_status 0
	ip link del "$CTR_LITE_DEFAULT_BRIDGE" # a reboot: the bridge goes, this root's record stays
	(
		root_two # the same default bridge and subnet as this root's
		ctr run --rm busybox true
		assert_status 0
	)
	ctr run --rm busybox true
	assert_status 125
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"$CTR_LITE_DEFAULT_BRIDGE"*"--default-bridge"* ]]
	(
		root_two
		"$CTR" system reset -f
	)
}

@test "a root's reset leaves another root's bridge and containers alone" {
	"$CTR" run -d --name a1 -v "$CTR_LITE_TEST_DIR/www:/www:ro" busybox httpd -f -p 80 -h /www
	aip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' a1)
	(
		root_two
		export CTR_LITE_DEFAULT_SUBNET=10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24 CTR_LITE_DEFAULT_BRIDGE=ctrlite-u$((RANDOM % 100000))
		"$CTR" run -d --name b1 -v "$CTR_LITE_TEST_DIR/www:/www:ro" busybox httpd -f -p 80 -h /www
		"$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' b1 > "$CTR_LITE_TEST_DIR/bip"
	)
	# A third root whose record names this root's bridge, as one made
	# before bridges had owners would: its reset must not delete it.
	mkdir -p "$CTR_LITE_TEST_DIR/root-three/networks"
	cp -r "$CTR_LITE_ROOT/networks/bridge" "$CTR_LITE_TEST_DIR/root-three/networks/"
	rm -rf "$CTR_LITE_TEST_DIR/root-three/networks/bridge/leases"/*
	CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-three CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-three "$CTR" system reset -f
	ip link show "$CTR_LITE_DEFAULT_BRIDGE"
	run curl -s --max-time 5 "http://$aip/"
	[ "$output" = "hello from web" ]
	"$CTR" rm -f a1
	"$CTR" system reset -f
	run curl -s --max-time 5 "http://$(cat "$CTR_LITE_TEST_DIR/bip")/"
	[ "$output" = "hello from web" ]
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	"$CTR" load -q -i "$TESTDATA/layered.tar"
}
