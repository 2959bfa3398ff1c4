#!/usr/bin/env bats
# Engine-wide defaults in daemon.json (issue 12): docker's keys, each seen
# from inside the container; a container's own flag beats the file; a bad
# file is one line naming the key and the file. The tests name their file
# with CTR_LITE_CONFIG and never touch /etc/ctr-lite.

load helpers
bats_require_minimum_version 1.5.0

# config JSON: this test's daemon.json, used by every later command.
config() {
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/daemon.json"
	export CTR_LITE_CONFIG=$BATS_TEST_TMPDIR/daemon.json
}

# teardown is helpers' with the file dropped first: a bad file would stop
# the clean-up too.
teardown() {
	unset CTR_LITE_CONFIG
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
}

@test "daemon.json log-driver none: no log file; --log-driver beats the file" {
	config '{"log-driver": "none"}'
	ctr run --name n1 busybox echo hi
	assert_status 0
	[ "$output" = hi ]
	id=$("$CTR" inspect -f '{{.Id}}' n1)
	[ "$("$CTR" inspect -f '{{.HostConfig.LogConfig.Type}}' n1)" = none ]
	[ ! -e "$CTR_LITE_ROOT/containers/$id/$id-json.log" ]
	ctr logs n1
	assert_status 1
	one_line_error "does not support reading"
	"$CTR" run --name n2 --log-driver json-file busybox echo kept >/dev/null
	ctr logs n2
	assert_status 0
	[ "$output" = kept ]
}

@test "daemon.json log-opts: json-file rotation from the file; --log-opt beats it key by key; another driver takes none" {
	config '{"log-driver": "json-file", "log-opts": {"max-size": "2k", "max-file": "2"}}'
	ctr run -d --name rot busybox sh -c 'for i in $(seq 1000 1400); do echo line $i; done'
	assert_status 0
	"$CTR" wait rot >/dev/null
	log=$("$CTR" inspect -f '{{.LogPath}}' rot)
	[ -f "$log.1" ] && [ ! -e "$log.2" ] || { ls -l "$(dirname "$log")"; false; }
	[ "$(stat -c %s "$log")" -le 2048 ]
	ctr logs rot
	[ "${lines[-1]}" = "line 1400" ]
	[ "$("$CTR" inspect -f '{{index .HostConfig.LogConfig.Config "max-size"}}' rot)" = 2k ]
	# the flag's max-size wins, the file's max-file stays
	"$CTR" run -d --name big --log-opt max-size=1m busybox sh -c 'for i in $(seq 1000 1400); do echo line $i; done' >/dev/null
	"$CTR" wait big >/dev/null
	log=$("$CTR" inspect -f '{{.LogPath}}' big)
	[ ! -e "$log.1" ]
	[ "$("$CTR" inspect -f '{{index .HostConfig.LogConfig.Config "max-size"}} {{index .HostConfig.LogConfig.Config "max-file"}}' big)" = "1m 2" ]
	# none takes no options: the file's json-file ones are not its
	ctr run --rm --log-driver none busybox true
	assert_status 0
}

@test "daemon.json default-ulimits (docker's form) seen by ulimit -n; --ulimit beats the file" {
	config '{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1234, "Hard": 2345}, "nproc": {"Soft": 321, "Hard": 321}}}'
	ctr run --rm busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
	assert_status 0
	[ "${lines[*]}" = "1234 2345 321" ] || { echo "$output"; false; }
	ctr run --rm --ulimit nofile=512:1024 busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
	assert_status 0
	[ "${lines[*]}" = "512 1024 321" ] || { echo "$output"; false; }
	config '{"default-ulimits": {"nofile": {"Name": "nproc", "Soft": 1, "Hard": 2}}}'
	ctr run --rm busybox true
	assert_status 125
	one_line_error "has Name \"nproc\""
}

@test "daemon.json dns, dns-search, dns-opts in /etc/resolv.conf; --dns beats the file; --network host keeps the host's" {
	config '{"dns": ["10.9.8.7"], "dns-search": ["corp.example"], "dns-opts": ["ndots:3"]}'
	ctr run --rm busybox cat /etc/resolv.conf
	assert_status 0
	[[ "$output" == *"nameserver 10.9.8.7"* ]] || { echo "$output"; false; }
	[[ "$output" == *"search corp.example"* ]] && [[ "$output" == *"options ndots:3"* ]] || { echo "$output"; false; }
	ctr run --rm --dns 10.1.1.1 busybox cat /etc/resolv.conf
	[[ "$output" == *"nameserver 10.1.1.1"* ]] && [[ "$output" != *10.9.8.7* ]] || { echo "$output"; false; }
	[[ "$output" == *"search corp.example"* ]] # only the list a flag gives is replaced
	ctr run --rm --network host busybox cat /etc/resolv.conf
	[[ "$output" != *10.9.8.7* ]] || { echo "$output"; false; }
}

@test "daemon.json default-shm-size and init; --shm-size and --init=false beat the file" {
	config '{"default-shm-size": "96M", "init": true}'
	ctr run --rm --network none busybox sh -c 'grep " /dev/shm " /proc/mounts; cat /proc/1/comm; :'
	assert_status 0
	[[ "${lines[0]}" == *size=98304k* ]] || { echo "$output"; false; }
	[ "${lines[1]}" != sh ] || { echo "$output"; false; }
	ctr run --rm --network none --shm-size 8m --init=false busybox sh -c 'grep " /dev/shm " /proc/mounts; cat /proc/1/comm; :'
	[[ "${lines[0]}" == *size=8192k* ]] && [ "${lines[1]}" = sh ] || { echo "$output"; false; }
}

@test "daemon.json data-root and exec-root: the file's when neither flag nor CTR_LITE_* sets them; info shows the file" {
	config "{\"data-root\": \"$CTR_LITE_TEST_DIR/root-file\", \"exec-root\": \"$CTR_LITE_TEST_DIR/run-file\", \"labels\": [\"site=lab\"]}"
	run env -u CTR_LITE_ROOT -u CTR_LITE_RUNROOT "$CTR" info --format '{{.DockerRootDir}} {{.RunRoot}} {{.ConfigFile}} {{.Labels}}'
	[ "$output" = "$CTR_LITE_TEST_DIR/root-file $CTR_LITE_TEST_DIR/run-file $CTR_LITE_CONFIG [site=lab]" ] || { echo "$output"; false; }
	run env -u CTR_LITE_RUNROOT "$CTR" --root "$CTR_LITE_TEST_DIR/root-flag" info --format '{{.DockerRootDir}} {{.RunRoot}}'
	[ "$output" = "$CTR_LITE_TEST_DIR/root-flag $CTR_LITE_TEST_DIR/run-file" ] || { echo "$output"; false; }
	rm -rf "$CTR_LITE_TEST_DIR/root-flag"
	ctr info
	[[ "$output" == *"Config File: $CTR_LITE_CONFIG"* ]] && [[ "$output" == *site=lab* ]] || { echo "$output"; false; }
	[ "$(CTR_LITE_CONFIG= "$CTR" info --format '{{.ConfigFile}}')" = "" ] || [ -e /etc/ctr-lite/daemon.json ]
}

@test "daemon.json errors: one line naming the key and the file, 125 from run, 1 from others; a missing named file fails" {
	config '{"dns": "10.0.0.1"}'
	ctr run --rm busybox true
	assert_status 125
	one_line_error "config file \"$CTR_LITE_CONFIG\": key \"dns\" is a string, want an array of strings"
	ctr ps
	assert_status 1
	one_line_error "key \"dns\""
	config '{"log-driver": "json-file", "logdriver": "none"}'
	ctr ps
	assert_status 1
	one_line_error "unknown key \"logdriver\""
	config '{"insecure-registries": ["r:5000"]}'
	ctr images
	assert_status 1
	one_line_error "registries.json"
	config '{"log-opts": {"max-size": "huge"}}'
	ctr run --rm busybox true
	assert_status 125
	one_line_error "$CTR_LITE_CONFIG"
	export CTR_LITE_CONFIG=$BATS_TEST_TMPDIR/missing.json
	ctr ps
	assert_status 1
	one_line_error "missing.json"
	# --config-file beats CTR_LITE_CONFIG, as flags beat the environment
	printf '{"log-driver": "none"}\n' >"$BATS_TEST_TMPDIR/good.json"
	ctr --config-file "$BATS_TEST_TMPDIR/good.json" run --name cf busybox true
	assert_status 0
	unset CTR_LITE_CONFIG
	[ "$("$CTR" inspect -f '{{.HostConfig.LogConfig.Type}}' cf)" = none ]
}

@test "daemon.json default-runtime and runtimes: a new container's runtime, kept in its record; --runtime and CTR_LITE_RUNTIME beat it" {
	rt=$BATS_TEST_TMPDIR/rt
	mkdir -m 755 "$rt"
	runc=$(dirname "$CTR")/runc
	printf '#!/bin/sh\necho "$*" >>%s/calls\nexec %s "$@"\n' "$rt" "$runc" >"$rt/myrunc"
	chmod 755 "$rt/myrunc"
	config "{\"default-runtime\": \"myrunc\", \"runtimes\": {\"myrunc\": {\"path\": \"$rt/myrunc\"}}}"
	ctr run --name r1 busybox echo hi
	assert_status 0
	[ "$output" = hi ]
	grep -q '^.*run' "$rt/calls" || grep -q create "$rt/calls" || { cat "$rt/calls"; false; }
	[ "$("$CTR" inspect -f '{{.HostConfig.Runtime}}' r1)" = "$rt/myrunc" ]
	[ "$("$CTR" info --format '{{.DefaultRuntime}} {{(index .Runtimes "myrunc").Path}}')" = "myrunc $rt/myrunc" ]
	# --runtime NAME takes a name of "runtimes"; runc is the engine's
	"$CTR" create --name r2 --runtime myrunc busybox true >/dev/null
	[ "$("$CTR" inspect -f '{{.HostConfig.Runtime}}' r2)" = "$rt/myrunc" ]
	"$CTR" create --name r3 --runtime runc busybox true >/dev/null
	[ "$("$CTR" inspect -f '{{.HostConfig.Runtime}}' r3)" = runc ]
	CTR_LITE_RUNTIME=$runc "$CTR" create --name r4 busybox true >/dev/null
	[ "$("$CTR" inspect -f '{{.HostConfig.Runtime}}' r4)" = runc ]
	# the file edited: r1 keeps the runtime it was made with
	config '{}'
	: >"$rt/calls"
	ctr start -a r1
	assert_status 0
	[ -s "$rt/calls" ] || { echo "r1 did not start with myrunc"; false; }
	config '{"runtimes": {"myrunc": {"path": "/x", "runtimeArgs": ["--debug"]}}}'
	ctr run --rm busybox true
	assert_status 125
	one_line_error "\"runtimeArgs\" is not supported"
}

@test "daemon.json cgroup-parent and default-ipc-mode: the container's cgroup under the file's parent, its IPC joinable; the flags beat the file" {
	config '{"cgroup-parent": "/ctr-lite/fromfile", "default-ipc-mode": "shareable"}'
	id=$("$CTR" run -d --network none busybox sleep 1000)
	wait_running "$id"
	ctr exec "$id" cat /proc/self/cgroup
	[[ "$output" == *":/ctr-lite/fromfile/$id"* ]] || { echo "$output"; false; }
	[ "$("$CTR" inspect -f '{{.HostConfig.CgroupParent}} {{.HostConfig.IpcMode}}' "$id")" = "/ctr-lite/fromfile shareable" ]
	ctr run --rm --network none --ipc "container:$id" busybox true
	assert_status 0
	"$CTR" create --name own --cgroup-parent /ctr-lite/mine --ipc private busybox true >/dev/null
	[ "$("$CTR" inspect -f '{{.HostConfig.CgroupParent}} {{.HostConfig.IpcMode}}' own)" = "/ctr-lite/mine private" ]
	"$CTR" rm -f "$id" own >/dev/null
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -path '*/ctr-lite/fromfile' 2>/dev/null)" ]
	config '{"cgroup-parent": "../escape"}'
	ctr run --rm busybox true
	assert_status 125
	one_line_error "$CTR_LITE_CONFIG"
	config '{"default-ipc-mode": "host"}'
	ctr ps
	assert_status 1
	one_line_error "key \"default-ipc-mode\""
}

@test "daemon.json bip and bridge: the default network of a new root takes them; a bip not its subnet's first address is refused" {
	local net=10.$((200 + RANDOM % 50)).$((RANDOM % 256)) br=ctrlite-b$((RANDOM % 100000))
	config "{\"data-root\": \"$CTR_LITE_TEST_DIR/root-bip\", \"exec-root\": \"$CTR_LITE_TEST_DIR/run-bip\", \"bip\": \"$net.1/24\", \"bridge\": \"$br\"}"
	bipctr() { env -u CTR_LITE_ROOT -u CTR_LITE_RUNROOT -u CTR_LITE_DEFAULT_SUBNET -u CTR_LITE_DEFAULT_BRIDGE "$CTR" "$@"; }
	bipctr load -q -i "$TESTDATA/busybox.tar"
	run bipctr run --rm busybox ip -o -4 addr show eth0
	[ "$status" -eq 0 ] && [[ "$output" == *" $net."*"/24 "* ]] || { echo "$output"; false; }
	ip link show "$br" >/dev/null
	[ "$(bipctr network inspect -f '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}' bridge)" = "$net.0/24 $net.1" ]
	bipctr system reset -f
	! ip link show "$br" 2>/dev/null
	config '{"bip": "10.1.2.3/24"}'
	ctr network ls
	assert_status 1
	one_line_error "use 10.1.2.1/24"
}
