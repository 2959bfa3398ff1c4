#!/usr/bin/env bats
# Issue 11's resource flags seen from inside the container (cgroup v1 or
# v2): --cpu-period/--cpu-quota, --cpuset-mems, --memory-reservation,
# --memory-swappiness, --oom-kill-disable, --oom-score-adj, --blkio-weight
# and --cgroup-parent.

load helpers
bats_require_minimum_version 1.5.0

v2() { [ -f /sys/fs/cgroup/cgroup.controllers ]; }

@test "resources: cpu period and quota, cpuset mems, memory reservation and swappiness, oom killer, oom score seen from inside" {
	local script
	if v2; then
		script='cd /sys/fs/cgroup; cat cpu.max cpuset.mems memory.low /proc/self/oom_score_adj'
	else
		script='cd /sys/fs/cgroup; cat cpu/cpu.cfs_period_us cpu/cpu.cfs_quota_us cpuset/cpuset.mems memory/memory.soft_limit_in_bytes memory/memory.swappiness; grep oom_kill_disable memory/memory.oom_control; cat /proc/self/oom_score_adj'
	fi
	ctr run --rm --network none -m 64m --cpu-period 50000 --cpu-quota 25000 --cpuset-mems 0 --memory-reservation 32m \
		--memory-swappiness 30 --oom-kill-disable --oom-score-adj 500 busybox sh -c "$script"
	assert_status 0
	if v2; then
		[ "${lines[0]}" = "25000 50000" ] && [ "${lines[1]}" = 0 ] && [ "${lines[2]}" = 33554432 ]
	else
		[ "${lines[0]}" = 50000 ] && [ "${lines[1]}" = 25000 ] && [ "${lines[2]}" = 0 ] && [ "${lines[3]}" = 33554432 ]
		[ "${lines[4]}" = 30 ] && [ "${lines[5]}" = "oom_kill_disable 1" ]
	fi
	[ "${lines[-1]}" = 500 ]
	ctr inspect -f '{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetMems}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwappiness}} {{.HostConfig.OomKillDisable}} {{.HostConfig.OomScoreAdj}}' \
		"$("$CTR" create --cpu-period 50000 --cpu-quota 25000 --cpuset-mems 0 --memory-reservation 32m --memory-swappiness 30 --oom-kill-disable --oom-score-adj -5 busybox true)"
	[ "$output" = "50000 25000 0 33554432 30 true -5" ]
}

@test "resources: bad values and --cpus with --cpu-period/--cpu-quota are refused with 125" {
	ctr run --rm --cpus 1 --cpu-period 50000 busybox true
	assert_status 125
	[[ "$stderr" == *"Nano CPUs and CPU Period cannot both be set"* ]]
	ctr run --rm --cpus 1 --cpu-quota 50000 busybox true
	assert_status 125
	local bad
	for bad in "--cpu-period 10" "--cpu-quota 10" "--memory-swappiness 101" "--oom-score-adj 1001" "--blkio-weight 5" \
		"--cpuset-mems 2-1" "--cgroup-parent ../x" "--cgroup-parent /ctr-lite/../x" "-m 32m --memory-reservation 64m"; do
		# shellcheck disable=SC2086 # the flag and its value are two words
		ctr run --rm $bad busybox true
		[ "$status" -eq 125 ] || { echo "$bad: status $status: $output" >&2; return 1; }
	done
}

@test "resources: --blkio-weight sets the block IO weight" {
	if v2; then
		[ -n "$(ls /sys/fs/cgroup/io.*weight 2>/dev/null)" ] || skip "this host's cgroup v2 has no io controller"
		ctr run --rm --network none --blkio-weight 300 busybox sh -c 'cat /sys/fs/cgroup/io.bfq.weight 2>/dev/null || cat /sys/fs/cgroup/io.weight'
		assert_status 0
		[[ "$output" == *300* ]] || [[ "$output" == *"default "* ]]
		return
	fi
	[ -f /sys/fs/cgroup/blkio/blkio.weight ] || [ -f /sys/fs/cgroup/blkio/blkio.bfq.weight ] ||
		skip "this host's blkio controller has no weight file (no CFQ/BFQ scheduler): runc cannot set --blkio-weight"
	ctr run --rm --network none --blkio-weight 300 busybox sh -c 'cat /sys/fs/cgroup/blkio/blkio.weight 2>/dev/null || cat /sys/fs/cgroup/blkio/blkio.bfq.weight'
	assert_status 0
	[ "$output" = 300 ]
}

@test "resources: --cgroup-parent puts the container's cgroup under it, and rm removes the parent runc made" {
	local id
	id=$("$CTR" run -d --network none --cgroup-parent /ctr-lite/batch busybox sleep 1000)
	wait_running "$id"
	if v2; then
		[ -d "/sys/fs/cgroup/ctr-lite/batch/$id" ]
	else
		[ -d "/sys/fs/cgroup/memory/ctr-lite/batch/$id" ]
		ctr exec "$id" cat /proc/self/cgroup
		[[ "$output" == *":memory:/ctr-lite/batch/$id"* ]]
	fi
	ctr inspect -f '{{.HostConfig.CgroupParent}}' "$id"
	[ "$output" = /ctr-lite/batch ]
	ctr rm -f "$id"
	assert_status 0
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -path '*/ctr-lite/batch' 2>/dev/null)" ]
}

@test "--cpu-rt-runtime: ctr-lite's parent cgroup gets a budget, SCHED_FIFO works (debian's chrt) and the cgroup shows it; too large, or cgroup v2, is one line" {
	if v2; then
		ctr run --rm --cpu-rt-runtime 95000 busybox true
		assert_status 125
		one_line_error "Your kernel does not support CPU real-time scheduler"
		return
	fi
	load_debian
	ctr run --rm --network none --cpu-rt-period 1000000 --cpu-rt-runtime=95000 --cap-add SYS_NICE debian sh -c 'chrt -f 1 true && echo fifo; cat /sys/fs/cgroup/cpu/cpu.rt_period_us /sys/fs/cgroup/cpu/cpu.rt_runtime_us'
	assert_status 0
	[ "$output" = "$(printf 'fifo\n1000000\n95000')" ]
	# review 11c: the share is given back at the container's end
	[ "$(cat /sys/fs/cgroup/cpu/ctr-lite/cpu.rt_runtime_us)" -eq 0 ]
	# two starts at once count each other's share
	"$CTR" run -d --network none --name rt1 --cpu-rt-runtime 60000 busybox sleep 100 >/dev/null & a=$!
	"$CTR" run -d --network none --name rt2 --cpu-rt-runtime 60000 busybox sleep 100 >/dev/null & b=$!
	wait $a && wait $b
	wait_running rt1 && wait_running rt2
	[ "$(cat /sys/fs/cgroup/cpu/ctr-lite/cpu.rt_runtime_us)" -ge 120000 ]
	"$CTR" rm -f rt1 rt2 >/dev/null
	[ "$(cat /sys/fs/cgroup/cpu/ctr-lite/cpu.rt_runtime_us)" -eq 0 ]
	id=$("$CTR" run -d --network none --cpu-rt-runtime 10000 busybox sleep 100)
	ctr update --cpu-rt-runtime 20000 "$id"
	assert_status 0
	ctr exec "$id" cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us
	[ "$output" = "20000" ]
	ctr inspect -f '{{.HostConfig.CpuRealtimeRuntime}}' "$id"
	[ "$output" = "20000" ]
	ctr rm -f "$id"
	ctr run --rm --network none --cpu-rt-runtime 1000000 busybox true
	assert_status 125
	one_line_error "more than the root cgroup's cpu.rt_runtime_us"
	ctr run --rm --network none --cpu-rt-period 1000 --cpu-rt-runtime 2000 busybox true
	assert_status 125
	one_line_error "cpu real-time runtime cannot be higher than cpu real-time period"
}
