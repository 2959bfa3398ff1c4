#!/usr/bin/env bats
# Hardening: hostile images through the CLI with both drivers, and races
# between commands. The hostile corpus is testdata/hostile (make testimage).

load helpers
bats_require_minimum_version 1.5.0

VICTIM=/tmp/ctr-lite-victim

plant_victim() {
	rm -rf "$VICTIM"
	mkdir -m 700 "$VICTIM"
	echo keep >"$VICTIM/secret"
	chmod 600 "$VICTIM/secret"
}

victim_intact() {
	[ "$(ls -A "$VICTIM")" = "secret" ] || { echo "victim dir now has: $(ls -A "$VICTIM")" >&2; return 1; }
	[ "$(cat "$VICTIM/secret")" = "keep" ] || { echo "victim secret changed" >&2; return 1; }
	[ "$(stat -c %a "$VICTIM/secret")" = "600" ] || { echo "victim secret mode changed" >&2; return 1; }
}

# The victim's path is fixed (the corpus names it): the rootfs package's
# Go test plants it too, so both take its lock (held by fd 8 to the end).
setup_file() {
	exec 8>"$VICTIM.lock"
	flock 8
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

teardown_file() {
	rm -rf "$VICTIM"
	finish_file
	exec 8>&-
}

# image_with_workdir DIR NAME [LINK TARGET]: busybox with its WORKDIR set
# to DIR (and a layer adding the symlink LINK -> TARGET), loaded as NAME,
# through skopeo and umoci, as an image author would make it.
image_with_workdir() {
	local d=$CTR_LITE_TEST_DIR/wd
	rm -rf "$d" && mkdir -p "$d"
	"$CTR" save -o "$d/bb.tar" busybox
	skopeo copy -q docker-archive:"$d/bb.tar" oci:"$d/layout:bb"
	if [ -n "${3:-}" ]; then
		umoci unpack --image "$d/layout:bb" "$d/bundle" >/dev/null
		ln -s "$4" "$d/bundle/rootfs/$3"
		umoci repack --image "$d/layout:bb" "$d/bundle" >/dev/null
	fi
	umoci config --image "$d/layout:bb" --tag wd --config.workingdir "$1"
	skopeo copy -q oci:"$d/layout:wd" docker-archive:"$d/wd.tar:$2:latest"
	"$CTR" load -q -i "$d/wd.tar" >/dev/null
}

# hostile_round DRIVER: load and run every case; a refusal is one line
# with 1 (load is not run), a loaded image runs, and the victim never changes.
hostile_round() {
	export CTR_LITE_STORAGE_DRIVER=$1
	local f name loaded=0 refused=0
	for f in "$TESTDATA"/hostile/*.tar; do
		name=$(basename "$f" .tar)
		plant_victim
		ctr load -q -i "$f"
		if [ "$status" -eq 0 ]; then
			loaded=$((loaded + 1))
			ctr run --rm "hostile/$name" sh -c 'ls / >/dev/null'
			[ "$status" -eq 0 ] || { echo "$name ($1): run failed: $stderr" >&2; return 1; }
		else
			refused=$((refused + 1))
			[ "$status" -eq 1 ] || { echo "$name ($1): status $status" >&2; return 1; }
			[ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$name ($1): $stderr" >&2; return 1; }
		fi
		victim_intact || { echo "case $name ($1)" >&2; return 1; }
	done
	echo "$1: $loaded loaded and ran, $refused refused" >&3
	[ "$loaded" -gt 0 ] && [ "$refused" -gt 0 ]
	[ -z "$(ls -A "$CTR_LITE_ROOT/$1/tmp")" ]
}

@test "hostile images, overlay: refused in one line or contained; the host is untouched" {
	[ -f "$TESTDATA/hostile/cases.json" ] || skip "no hostile corpus: run make testimage"
	hostile_round overlay
}

@test "hostile images, vfs: refused in one line or contained; the host is untouched" {
	[ -f "$TESTDATA/hostile/cases.json" ] || skip "no hostile corpus: run make testimage"
	hostile_round vfs
}

@test "a contained escape lands inside the container: symlink to outside, then a file through it" {
	plant_victim
	"$CTR" load -q -i "$TESTDATA/hostile/symlink-abs-file.tar"
	ctr run --rm hostile/symlink-abs-file cat "$VICTIM/evil"
	assert_status 0
	[ "$output" = "x" ]
	victim_intact
	ctr run --rm hostile/setuid stat -c %a /suid
	[ "$output" = "4755" ]
}

@test "20 parallel create --name same: exactly one container, 19 one-line errors" {
	local i
	for i in $(seq 20); do
		"$CTR" create --name same busybox true >"$CTR_LITE_TEST_DIR/c$i.out" 2>"$CTR_LITE_TEST_DIR/c$i.err" &
	done
	wait
	ctr ps -aq
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(cat "$CTR_LITE_TEST_DIR"/c*.out | wc -l)" -eq 1 ]
	[ "$(grep -l 'container name "same" is already in use' "$CTR_LITE_TEST_DIR"/c*.err | wc -l)" -eq 19 ]
	[ "$(cat "$CTR_LITE_TEST_DIR"/c*.err | wc -l)" -eq 19 ]
	rm -f "$CTR_LITE_TEST_DIR"/c*.out "$CTR_LITE_TEST_DIR"/c*.err
}

@test "parallel rm -f of one running container: it goes once, the others say so, nothing is left" {
	"$CTR" run -d --name victim busybox sleep 60 >/dev/null
	local i
	for i in $(seq 8); do
		"$CTR" rm -f victim >"$CTR_LITE_TEST_DIR/r$i.out" 2>"$CTR_LITE_TEST_DIR/r$i.err" &
	done
	wait
	[ "$(cat "$CTR_LITE_TEST_DIR"/r*.out | grep -c '^victim$')" -ge 1 ]
	! grep -v 'No such container' "$CTR_LITE_TEST_DIR"/r*.err
	ctr ps -aq
	[ -z "$output" ]
	rm -f "$CTR_LITE_TEST_DIR"/r*.out "$CTR_LITE_TEST_DIR"/r*.err
	assert_net_clean
	ctr run --rm --name victim busybox true
	assert_status 0
}

@test "ps and inspect never fail or print a half-written record while others write" {
	local stop=$CTR_LITE_TEST_DIR/stop i
	(
		i=0
		while [ ! -e "$stop" ]; do
			i=$((i + 1))
			"$CTR" create --name "w$i" busybox true >/dev/null
			"$CTR" start "w$i" >/dev/null
			"$CTR" rm -f "w$i" >/dev/null
		done
	) &
	local writer=$!
	"$CTR" create --name fixed busybox true >/dev/null
	for i in $(seq 40); do
		ctr ps -a --format json
		assert_status 0
		python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]' <<<"$output"
		ctr inspect fixed
		assert_status 0
		python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$output"
	done
	touch "$stop"
	wait $writer
}

@test "security options: no-new-privileges, seccomp unconfined and from a file, apparmor warns, label accepted" {
	ctr run --rm --network none --security-opt no-new-privileges busybox grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	[ "$output" = "$(printf 'NoNewPrivs:\t1\nSeccomp:\t2')" ]
	ctr run --rm --network none busybox grep -E '^NoNewPrivs:' /proc/self/status
	[ "$output" = "$(printf 'NoNewPrivs:\t0')" ]
	ctr run --rm --network none --security-opt seccomp=unconfined busybox grep '^Seccomp:' /proc/self/status
	[ "$output" = "$(printf 'Seccomp:\t0')" ]
	# A profile that refuses mkdir with EPERM and allows everything else.
	cat >"$CTR_LITE_TEST_DIR/nomkdir.json" <<-'JSON'
	{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
	JSON
	ctr run --rm --network none --security-opt seccomp="$CTR_LITE_TEST_DIR/nomkdir.json" busybox mkdir /tmp/x
	assert_status 1
	[[ "$stderr" == *"Operation not permitted"* ]]
	ctr run --rm --network none --security-opt seccomp=/nonexistent.json busybox true
	assert_status 125
	ctr run --rm --network none --security-opt apparmor=docker-default busybox true
	assert_status 0
	if [ ! -e /sys/module/apparmor/parameters/enabled ]; then
		[[ "$stderr" == "WARNING: AppArmor is not enabled on this host"* ]]
	fi
	ctr run --rm --network none --security-opt label=disable busybox true # SELinux is off: accepted, as docker
	assert_status 0
}

@test "--device with permissions, --ulimit, user IDs out of range, /proc/self/fd workdir, no extra fds" {
	ctr run --rm --network none --device /dev/kmsg:/dev/hostkmsg:r busybox sh -c 'ls -l /dev/hostkmsg; echo ctr-lite-test >/dev/hostkmsg'
	[[ "$output" == "crw"*" 1,  11 "*"/dev/hostkmsg" ]]
	[[ "$stderr" == *"Operation not permitted"* ]]
	ctr run --rm --device /dev/nonexistent busybox true
	assert_status 125
	ctr run --rm --network none --ulimit nofile=512:1024 --ulimit nproc=100 busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
	[ "$output" = "$(printf '512\n1024\n100')" ]
	ctr run --rm --ulimit nofile=lots busybox true
	assert_status 125
	ctr run --rm -u 4294967296 busybox id
	assert_status 125
	[[ "$stderr" == *"range"* ]]
	ctr run --rm -u 0:4294967296 busybox id
	assert_status 125
	ctr run --rm -w /proc/self/fd/3 busybox pwd
	assert_status 125
	[[ "$stderr" == *"inside /proc/*/fd"* ]]
	# The image's WORKDIR is checked too: a hostile image's route (CVE-2024-21626).
	image_with_workdir /proc/self/fd/7 hostile/workdir
	ctr run --rm hostile/workdir pwd
	assert_status 125
	[[ "$stderr" == *"inside /proc/*/fd"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	# ... and through a symlink the image carries (/w -> /proc/self/fd/7).
	image_with_workdir /w hostile/workdir-link w /proc/self/fd/7
	ctr run --rm hostile/workdir-link pwd
	assert_status 125
	[[ "$stderr" == *'workdir "/w" leads to /proc/self/fd/7'* ]]
	# Only stdin, stdout, stderr and ls's own directory.
	ctr run --rm --network none busybox ls /proc/self/fd
	[ "$output" = "$(printf '0\n1\n2\n3')" ]
	# A descriptor the caller leaked (no close-on-exec) does not live on
	# in the monitor, nor reach runc or the container.
	"$CTR" run -d --name fds busybox sleep 30 7>"$CTR_LITE_TEST_DIR/marker" >/dev/null
	local mon pid
	mon=$("$CTR" inspect -f '{{.State.MonitorPid}}' fds)
	pid=$("$CTR" inspect -f '{{.State.Pid}}' fds)
	! ls -l /proc/"$mon"/fd /proc/"$pid"/fd | grep -q marker
	[ "$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')" = "0 1 2 " ]
	"$CTR" rm -f fds >/dev/null
	[ "$(stat -c %a "$CTR_LITE_ROOT")" = "700" ]
	[ "$(stat -c %a "$CTR_LITE_RUNROOT")" = "700" ]
}

@test "resources: memory, swap, cpus, shares, cpuset, pids, shm seen from inside (cgroup v1 or v2)" {
	local script
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		script='cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/pids.max'
	else
		script='cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.shares cpuset/cpuset.cpus pids/pids.max'
	fi
	ctr run --rm --network none -m 64m --memory-swap 128m --cpus 1.5 -c 512 --cpuset-cpus 0 --pids-limit 50 --shm-size 16m busybox sh -c "$script; df -k /dev/shm | tail -1"
	assert_status 0
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ "${lines[0]}" = 67108864 ] && [ "${lines[1]}" = 67108864 ] && [ "${lines[2]}" = "150000 100000" ]
	else
		[ "${lines[0]}" = 67108864 ] && [ "${lines[1]}" = 134217728 ] && [ "${lines[2]}" = 150000 ] && [ "${lines[3]}" = 512 ]
	fi
	[ "${lines[-3]}" = 0 ] && [ "${lines[-2]}" = 50 ]
	[[ "${lines[-1]}" == "shm "*" 16384 "* ]]
	ctr inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' "$("$CTR" create -m 64m --cpus 2 --pids-limit 9 busybox true)"
	[ "$output" = "67108864 2000000000 9" ]
	# The pids limit holds: a fork bomb stops at it.
	ctr run --rm --network none --pids-limit 10 busybox sh -c 'for i in $(seq 20); do sleep 5 & done 2>/dev/null; wait'
	ctr run --rm -m 1k busybox true
	assert_status 125
	ctr run --rm --cpus zero busybox true
	assert_status 125
}

@test "image VOLUME paths become anonymous volumes under the root; -v to a missing host path creates it" {
	ctr run --rm --network none -v "$CTR_LITE_TEST_DIR/newdir/sub:/data" busybox sh -c 'echo hi >/data/f'
	assert_status 0
	[ "$(cat "$CTR_LITE_TEST_DIR/newdir/sub/f")" = hi ]
	ln -s "$CTR_LITE_TEST_DIR/newdir" "$CTR_LITE_TEST_DIR/link"
	local id
	id=$("$CTR" create -v "$CTR_LITE_TEST_DIR/link/sub:/data" busybox cat /data/f)
	ctr start -a "$id"
	[ "$output" = hi ]
	"$CTR" rm "$id" >/dev/null
	"$CTR" load -q -i "$TESTDATA/volume.tar"
	id=$("$CTR" create volume sh -c 'cat /data/seed; echo more >>/data/seed')
	ctr start -a "$id"
	[ "$output" = "from the image" ]
	ctr inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}} {{.Source}}{{end}}' "$id"
	[[ "$output" == "volume /data $CTR_LITE_ROOT/volumes/"*"/_data" ]]
	ctr volume ls -q
	[ "$(wc -l <<<"$output")" -eq 1 ]
	"$CTR" rm -v "$id" >/dev/null
	ctr volume ls -q
	[ -z "$output" ]
	ctr run --rm -v "$CTR_LITE_TEST_DIR/mine:/data" volume ls /data
	[ -z "$output" ] # a bind over the VOLUME path: no anonymous volume, nothing copied
	ctr volume ls -q
	[ -z "$output" ]
}
