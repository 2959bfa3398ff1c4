#!/usr/bin/env bats
# docker's run flags for namespaces, groups, sysctls, labels and stopping
# (issue 11), checked from inside the container where they take effect.

load helpers
bats_require_minimum_version 1.5.0

@test "--stop-signal USR1: stop sends it and the trap runs; a bad signal is refused with 125" {
	"$CTR" run -d --name sig --stop-signal USR1 busybox sh -c 'trap "exit 33" USR1; trap "" TERM; sleep 30 & wait' >/dev/null
	wait_running sig
	ctr inspect -f '{{.Config.StopSignal}}' sig
	[ "$output" = "USR1" ]
	SECONDS=0
	ctr stop -t 10 sig
	assert_status 0
	[ "$SECONDS" -lt 8 ] # the trap ended it, not the SIGKILL after 10s
	ctr inspect -f '{{.State.ExitCode}}' sig
	[ "$output" = "33" ]
	ctr run --rm --stop-signal NOPE busybox true
	assert_status 125
	one_line_error "invalid signal"
}

@test "--stop-timeout bounds stop without -t; -t still wins; inspect shows it" {
	"$CTR" run -d --name st --stop-timeout 1 busybox sh -c 'trap "" TERM; sleep 100' >/dev/null
	wait_running st
	ctr inspect -f '{{.Config.StopTimeout}}' st
	[ "$output" = "1" ]
	SECONDS=0
	ctr stop st
	assert_status 0
	[ "$SECONDS" -lt 6 ] # 1s, then SIGKILL, not docker's 10s default
	ctr inspect -f '{{.State.ExitCode}}' st
	[ "$output" = "137" ]
	"$CTR" start st >/dev/null
	wait_running st
	SECONDS=0
	ctr stop -t 0 st
	assert_status 0
	[ "$SECONDS" -lt 3 ]
	ctr run --rm --stop-timeout x busybox true
	assert_status 125
	one_line_error "--stop-timeout"
}

@test "--pid host: the host's PID namespace, host processes visible; --pid container:NAME shares the target's" {
	ctr run --rm --pid host busybox sh -c "readlink /proc/self/ns/pid; test -d /proc/$$ && echo sees-host"
	assert_status 0
	[ "$output" = "$(readlink /proc/self/ns/pid)
sees-host" ]
	ctr run --rm busybox readlink /proc/self/ns/pid
	[ "$output" != "$(readlink /proc/self/ns/pid)" ]
	"$CTR" run -d --name tgt busybox sleep 100 >/dev/null
	wait_running tgt
	pid=$("$CTR" inspect -f '{{.State.Pid}}' tgt)
	ctr run --rm --pid container:tgt busybox sh -c 'readlink /proc/self/ns/pid; ps -o comm | grep -c "^sleep"'
	assert_status 0
	[ "$output" = "$(readlink /proc/$pid/ns/pid)
1" ]
	"$CTR" create --name down busybox true >/dev/null
	ctr run --rm --pid container:down busybox true
	assert_status 125
	one_line_error "it is not running"
	ctr run --rm --pid private busybox true
	assert_status 125
	one_line_error "invalid --pid"
}

@test "--ipc shareable is joined by --ipc container:NAME; a private one is not; --ipc host is the host's" {
	"$CTR" run -d --name shm --ipc shareable busybox sleep 100 >/dev/null
	"$CTR" run -d --name priv busybox sleep 100 >/dev/null
	wait_running shm
	wait_running priv
	pid=$("$CTR" inspect -f '{{.State.Pid}}' shm)
	ctr inspect -f '{{.HostConfig.IpcMode}}' shm
	[ "$output" = "shareable" ]
	ctr run --rm --ipc container:shm busybox readlink /proc/self/ns/ipc
	assert_status 0
	[ "$output" = "$(readlink /proc/$pid/ns/ipc)" ]
	[ "$output" != "$(readlink /proc/self/ns/ipc)" ]
	ctr run --rm --ipc container:priv busybox true
	assert_status 125
	one_line_error "can't join IPC of container priv: non-shareable IPC (hint: use IpcMode:shareable for the donor container)"
	ctr run --rm --ipc host busybox readlink /proc/self/ns/ipc
	assert_status 0
	[ "$output" = "$(readlink /proc/self/ns/ipc)" ]
	ctr run --rm --ipc bogus busybox true
	assert_status 125
	one_line_error "invalid --ipc"
}

@test "--ipc shareable: its /dev/shm (--shm-size) is shared with --ipc container:NAME; none has none; rm -f after a crash unmounts it" {
	"$CTR" run -d --name donor --ipc shareable --shm-size 8m busybox sh -c 'echo hi >/dev/shm/seg; sleep 100' >/dev/null
	wait_running donor
	for _ in $(seq 50); do "$CTR" exec donor test -e /dev/shm/seg && break; sleep 0.1; done
	ctr run --rm --ipc container:donor busybox sh -c 'cat /dev/shm/seg; echo joiner >/dev/shm/back; df -k /dev/shm | tail -1'
	assert_status 0
	[ "${lines[0]}" = "hi" ]
	[[ "${lines[1]}" == *" 8192 "* ]]
	ctr exec donor cat /dev/shm/back
	[ "$output" = "joiner" ]
	grep -F "$CTR_LITE_TEST_DIR" /proc/self/mountinfo | grep -q ' /dev/shm\|mounts/shm'
	ctr run --rm busybox ls /dev/shm
	[ "$output" = "" ] # a private one is its own
	ctr run --rm --ipc none busybox sh -c 'grep -c " /dev/shm " /proc/self/mountinfo'
	[ "$output" = "0" ]
	kill -9 "$("$CTR" inspect -f '{{.State.MonitorPid}}' donor)"
	ctr rm -f donor
	assert_status 0
	run grep -F "$CTR_LITE_TEST_DIR/root/containers" /proc/self/mountinfo
	[ "$output" = "" ]
}

@test "--ipc container:NAME holds the donor's /dev/shm tmpfs itself: the donor stopping leaves the joiner's shared, rm -f unmounts it" {
	"$CTR" run -d --name donor2 --ipc shareable --shm-size 8m busybox sh -c 'echo hi >/dev/shm/seg; sleep 100' >/dev/null
	wait_running donor2
	for _ in $(seq 50); do "$CTR" exec donor2 test -e /dev/shm/seg && break; sleep 0.1; done
	"$CTR" run -d --name joiner2 --ipc container:donor2 busybox sleep 100 >/dev/null
	wait_running joiner2
	j=$("$CTR" inspect -f '{{.Id}}' joiner2)
	grep -q " $CTR_LITE_ROOT/containers/$j/mounts/shm " /proc/self/mountinfo
	ctr stop -t 1 donor2
	assert_status 0
	ctr exec joiner2 sh -c 'cat /dev/shm/seg; df -k /dev/shm | tail -1'
	assert_status 0
	[ "${lines[0]}" = "hi" ]
	[[ "${lines[1]}" == *" 8192 "* ]]
	ctr rm -f joiner2 donor2
	assert_status 0
	run grep -F "$CTR_LITE_ROOT/containers" /proc/self/mountinfo
	[ "$output" = "" ]
}

@test "--uts host: the host's hostname and UTS namespace; --hostname with it is refused; --cgroupns host|private" {
	ctr run --rm --uts host busybox sh -c 'hostname; cat /etc/hostname; readlink /proc/self/ns/uts'
	assert_status 0
	[ "$output" = "$(hostname)
$(hostname)
$(readlink /proc/self/ns/uts)" ]
	ctr run --rm --uts host --hostname x busybox true
	assert_status 125
	one_line_error "conflicting options: hostname and the UTS mode"
	ctr run --rm --cgroupns host busybox readlink /proc/self/ns/cgroup
	assert_status 0
	[ "$output" = "$(readlink /proc/self/ns/cgroup)" ]
	ctr run --rm --cgroupns private busybox readlink /proc/self/ns/cgroup
	assert_status 0
	[ "$output" != "$(readlink /proc/self/ns/cgroup)" ]
	ctr run --rm --cgroupns container:x busybox true
	assert_status 125
	one_line_error "invalid --cgroupns"
}

@test "--group-add: names from the image's /etc/group and GIDs in the process's groups, exec -u too; an unknown name fails the start" {
	ctr run --rm --group-add extra --group-add 4242 busybox grep '^Groups:' /proc/self/status
	assert_status 0
	[[ "$output" == *" 2000 "* && "$output" == *" 4242"* ]] || { echo "$output"; false; }
	"$CTR" run -d --name ga --group-add daemon busybox sleep 100 >/dev/null
	wait_running ga
	ctr exec -u app ga grep '^Groups:' /proc/self/status
	assert_status 0
	[[ "$output" == *"	1 "* || "$output" == *" 1 "* ]] || { echo "$output"; false; }
	ctr run --rm --group-add nosuchgroup busybox true
	assert_status 125
	one_line_error "nosuchgroup"
}

@test "--sysctl sets namespaced sysctls inside; others, net.* on the host's network and IPC ones on the host's IPC are refused" {
	ctr run --rm --sysctl net.ipv4.ip_unprivileged_port_start=80 --sysctl kernel.shmmax=123456 --sysctl fs.mqueue.msg_max=20 \
		busybox cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max
	assert_status 0
	[ "$output" = "80
123456
20" ]
	ctr run --rm --sysctl kernel.hostname=x busybox true
	assert_status 125
	one_line_error "not a namespaced sysctl"
	ctr run --rm --sysctl vm.swappiness=1 busybox true
	assert_status 125
	one_line_error "not a namespaced sysctl"
	ctr run --rm --network host --sysctl net.ipv4.ip_forward=1 busybox true
	assert_status 125
	one_line_error "private network namespace"
	ctr run --rm --ipc host --sysctl kernel.shmmax=1 busybox true
	assert_status 125
	one_line_error "private IPC namespace"
	ctr run --rm --sysctl net.ipv4.ip_forward busybox true
	assert_status 125
	one_line_error "want KEY=VALUE"
}

@test "--label-file: KEY=VALUE lines (comments skipped) become labels, -l wins; a missing file fails with 125" {
	printf '# comment\na=1\nb=from-file\n\nempty\n' > "$BATS_TEST_TMPDIR/labels"
	"$CTR" create --name lf --label-file "$BATS_TEST_TMPDIR/labels" -l b=flag busybox true >/dev/null
	ctr inspect -f '{{index .Config.Labels "a"}}/{{index .Config.Labels "b"}}/{{index .Config.Labels "empty"}}' lf
	assert_status 0
	[ "$output" = "1/flag/" ]
	ctr inspect -f '{{len .Config.Labels}}' lf
	[ "$output" = "3" ]
	ctr create --label-file /nonexistent busybox true
	assert_status 125
	one_line_error "read label file"
}
