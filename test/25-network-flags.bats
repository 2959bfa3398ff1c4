#!/usr/bin/env bats
# Network run flags of issue 11: --expose, --add-host NAME:host-gateway and
# NAME=IP. Traffic goes only to 127.0.0.1 and to the containers and
# bridges these tests make.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	mkdir -p "$CTR_LITE_TEST_DIR/www"
	echo "hello from exposed" > "$CTR_LITE_TEST_DIR/www/index.html"
}

teardown_file() {
	finish_file
}

@test "--expose adds to Config.ExposedPorts, ranges and protocols too, and -P publishes it" {
	ctr create --name ex --expose 8080 --expose 9000-9001/udp busybox true
	assert_status 0
	ctr inspect -f '{{json .Config.ExposedPorts}}' ex
	[ "$output" = '{"8080/tcp":{},"9000/udp":{},"9001/udp":{}}' ]
	"$CTR" rm ex
	"$CTR" run -d --name exp --expose 8080 -P -v "$CTR_LITE_TEST_DIR/www:/www:ro" busybox httpd -f -p 8080 -h /www >/dev/null
	wait_running exp
	port=$("$CTR" inspect -f '{{(index .NetworkSettings.Ports "8080/tcp" 0).HostPort}}' exp)
	[ "$port" -gt 0 ]
	run curl -s --max-time 5 "http://127.0.0.1:$port/"
	[ "$output" = "hello from exposed" ]
	"$CTR" rm -f exp
	assert_net_clean
}

@test "--expose refuses a host part and a bad protocol" {
	ctr create --expose 127.0.0.1:80:80 busybox true
	assert_status 125
	one_line_error 'invalid --expose "127.0.0.1:80:80"'
	ctr create --expose 80/icmp busybox true
	assert_status 125
	one_line_error 'invalid --expose "80/icmp"'
}

@test "--add-host NAME:host-gateway is the network's gateway and answers; NAME=IP works too" {
	gw=${CTR_LITE_DEFAULT_SUBNET%.0/24}.1
	ctr run --rm --add-host gw:host-gateway --add-host db=10.1.2.3 --add-host v6:[2001:db8::1] busybox \
		sh -c 'grep -w gw /etc/hosts; grep -w db /etc/hosts; grep -w v6 /etc/hosts; ping -c1 -W2 gw >/dev/null && echo pinged'
	assert_status 0
	[[ "$output" == *"$gw	gw"* ]]
	[[ "$output" == *"10.1.2.3	db"* ]]
	[[ "$output" == *"2001:db8::1	v6"* ]]
	[[ "$output" == *pinged* ]]
	ctr create --add-host :host-gateway busybox true
	assert_status 125
	one_line_error 'invalid --add-host'
	assert_net_clean
}

@test "--mac-address sets eth0's address inside; a bad one is refused" {
	ctr run --rm --mac-address 02:42:ac:11:00:99 busybox cat /sys/class/net/eth0/address
	assert_status 0
	[ "$output" = "02:42:ac:11:00:99" ]
	ctr create --mac-address 01:00:5e:00:00:01 busybox true
	assert_status 125
	one_line_error 'invalid --mac-address "01:00:5e:00:00:01"'
	ctr create --mac-address nope busybox true
	assert_status 125
	one_line_error 'invalid --mac-address "nope"'
	assert_net_clean
}

@test "--network-alias: a peer on the same user network reaches the container by its alias; bridge refuses it" {
	net=nf-$RANDOM
	ctr network create --subnet 10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24 "$net"
	assert_status 0
	"$CTR" run -d --name aliased --network "$net" --network-alias dbalias --network-alias db2 busybox sleep 1000 >/dev/null
	wait_running aliased
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' aliased)
	ctr run --rm --network "$net" busybox sh -c 'grep -w dbalias /etc/hosts; ping -c1 -W2 db2 >/dev/null && echo pinged'
	assert_status 0
	[[ "$output" == "$ip	aliased dbalias db2"* ]]
	[[ "$output" == *pinged* ]]
	ctr create --network-alias x busybox true
	assert_status 125
	one_line_error 'network-scoped aliases are only supported for user-defined networks'
	"$CTR" rm -f aliased
	ctr network rm "$net"
	assert_status 0
	assert_net_clean
}

@test "--link NAME:ALIAS adds a hosts entry for a running container; a stopped one is docker's error" {
	"$CTR" run -d --name linked busybox sleep 1000 >/dev/null
	wait_running linked
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' linked)
	host=$("$CTR" inspect -f '{{.Config.Hostname}}' linked)
	ctr run --rm --name linker --link linked:lk busybox sh -c 'grep -w lk /etc/hosts; ping -c1 -W2 lk >/dev/null && echo pinged'
	assert_status 0
	[[ "$output" == "$ip	lk $host linked"* ]]
	[[ "$output" == *pinged* ]]
	"$CTR" create --name stopped busybox true >/dev/null
	ctr run --rm --name linker2 --link stopped:s busybox true
	assert_status 125
	one_line_error 'cannot link to a non running container: /stopped AS /linker2/s'
	"$CTR" rm -f linked stopped
	assert_net_clean
}
