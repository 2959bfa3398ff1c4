#!/usr/bin/env bats
# update: a running container's cgroup follows at once, every container's
# record (inspect, the next start, the monitor's restart policy) too.

load helpers
bats_require_minimum_version 1.5.0

# memory_limit PID: the memory limit of the process's cgroup (v1 or v2).
memory_limit() {
	local path
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		path=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup$path/memory.max"
	else
		path=$(awk -F: '$2 == "memory" {print $3}' "/proc/$1/cgroup")
		cat "/sys/fs/cgroup/memory$path/memory.limit_in_bytes"
	fi
}

@test "update: --memory and --pids-limit of a running container change its cgroup and inspect" {
	ctr run -d --name up -m 64m busybox sleep 1000
	assert_status 0
	wait_running up
	pid=$("$CTR" inspect -f '{{.State.Pid}}' up)
	[ "$(memory_limit "$pid")" = $((64 * 1024 * 1024)) ]
	ctr update --memory 96m --memory-swap -1 --pids-limit 50 up
	assert_status 0
	[ "$output" = up ]
	[ "$(memory_limit "$pid")" = $((96 * 1024 * 1024)) ]
	ctr exec up cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max
	[[ "$output" == *50* ]]
	ctr inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' up
	[ "$output" = "$((96 * 1024 * 1024)) 50" ]
	ctr rm -f up
}

@test "update: a stopped container keeps the new limit for its next start" {
	ctr create --name us busybox sleep 1000
	assert_status 0
	ctr update -m 48m us
	assert_status 0
	[ "$output" = us ]
	ctr start us
	assert_status 0
	wait_running us
	pid=$("$CTR" inspect -f '{{.State.Pid}}' us)
	[ "$(memory_limit "$pid")" = $((48 * 1024 * 1024)) ]
	ctr rm -f us
}

@test "update: --restart takes effect at the container's next exit" {
	ctr run -d --name ur busybox sh -c 'sleep 1; exit 3'
	assert_status 0
	ctr update --restart on-failure:2 ur
	assert_status 0
	ctr inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' ur
	[ "$output" = "on-failure 2" ]
	ctr wait ur
	# the monitor re-reads the policy at each exit: two restarts, then it stays exited
	for _ in $(seq 300); do
		[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Status}}' ur)" = "2 exited" ] && break
		sleep 0.1
	done
	ctr inspect -f '{{.RestartCount}} {{.State.Status}}' ur
	[ "$output" = "2 exited" ]
	ctr rm -f ur
}

@test "update: bad values and unknown containers are one-line errors" {
	ctr update --memory lots nosuch
	assert_status 125
	ctr update --memory 32m nosuch
	assert_status 1
	one_line_error nosuch
	ctr create --name ub -m 64m --memory-swap 128m busybox true
	ctr update --memory 256m ub
	assert_status 1
	one_line_error memory-swap
	ctr rm -f ub
}

@test "update: checks as create does (docker's --rm rule, the memory minimum, --cpus against --cpu-quota) and stores nothing it refuses" {
	ctr create --rm --name ur busybox true
	ctr update --restart always ur
	assert_status 1
	one_line_error "Restart policy cannot be updated because AutoRemove is enabled for the container"
	ctr inspect -f '{{.HostConfig.RestartPolicy.Name}}' ur
	[ "$output" = no ]
	ctr run -d --name uq --cpu-quota 50000 busybox sleep 1000
	wait_running uq
	ctr update --memory 1k uq
	assert_status 1
	one_line_error "minimum memory limit allowed is 6MB"
	ctr update --cpus 1 uq
	assert_status 1
	one_line_error "Nano CPUs and CPU Quota cannot both be set"
	ctr inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}}' uq
	[ "$output" = "0 0 50000" ]
}

@test "stats --no-stream: docker's columns, the memory limit, PIDs from the cgroup, --format and json" {
	ctr run -d --name st -m 64m busybox sh -c 'sleep 1000 & sleep 1000'
	assert_status 0
	wait_running st
	ctr stats --no-stream
	assert_status 0
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[[ "${lines[1]}" == *" st "* ]]
	ctr stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' st
	assert_status 0
	[[ "$output" =~ ^st\ [0-9.]+[KMG]?i?B\ /\ 64MiB\ [23]$ ]] || { echo "$output"; false; }
	ctr stats --no-stream --format '{{json .}}' st
	[[ "$output" == *'"Name":"st"'* && "$output" == *'"CPUPerc":"'* ]]
	ctr stats --no-stream --format 'table {{.Container}}\t{{.MemPerc}}' st
	[[ "${lines[0]}" =~ ^CONTAINER\ +MEM\ %$ ]]
	ctr rm -f st
	ctr stats --no-stream nosuch
	assert_status 1
	one_line_error nosuch
}

@test "run --device-cgroup-rule: the rule is in the device cgroup; a bad rule is a one-line error" {
	[ -f /sys/fs/cgroup/cgroup.controllers ] && skip "cgroup v2 has no devices.list (runc uses an eBPF program)"
	ctr run -d --name dr --network none --device-cgroup-rule 'c 42:7 rm' --device-cgroup-rule 'b *:* m' busybox sleep 1000
	assert_status 0
	wait_running dr
	pid=$("$CTR" inspect -f '{{.State.Pid}}' dr)
	path=$(awk -F: '$2 == "devices" {print $3}' "/proc/$pid/cgroup")
	run cat "/sys/fs/cgroup/devices$path/devices.list"
	[[ "$output" == *"c 42:7 rm"* && "$output" == *"b *:* m"* ]] || { echo "$output"; false; }
	ctr inspect -f '{{.HostConfig.DeviceCgroupRules}}' dr
	[ "$output" = "[c 42:7 rm b *:* m]" ]
	ctr rm -f dr
	ctr run --rm --device-cgroup-rule 'c 1:3' busybox true
	assert_status 125
	one_line_error device-cgroup-rule
}

@test "run --device-read-bps and friends: the device's major:minor in the blkio throttle files" {
	[ -f /sys/fs/cgroup/cgroup.controllers ] && skip "checked on cgroup v1 here (io.max on v2)"
	dev=$(lsblk -dnpo NAME,TYPE 2>/dev/null | awk '$2 == "disk" {print $1; exit}')
	[ -b "$dev" ] || skip "no block device on this host"
	mm=$(lsblk -dno MAJ:MIN "$dev" | tr -d ' ')
	ctr run -d --name bt --network none --device-read-bps "$dev:1mb" --device-write-iops "$dev:70" busybox sleep 1000
	assert_status 0
	wait_running bt
	pid=$("$CTR" inspect -f '{{.State.Pid}}' bt)
	path=$(awk -F: '$2 == "blkio" {print $3}' "/proc/$pid/cgroup")
	[ "$(cat "/sys/fs/cgroup/blkio$path/blkio.throttle.read_bps_device")" = "$mm 1048576" ]
	[ "$(cat "/sys/fs/cgroup/blkio$path/blkio.throttle.write_iops_device")" = "$mm 70" ]
	ctr rm -f bt
	ctr run --rm --device-read-bps /dev/null:1mb busybox true
	assert_status 125
	one_line_error "not a block device"
	ctr run --rm --device-read-bps sda:1mb busybox true
	assert_status 125
	one_line_error device-read-bps
}
