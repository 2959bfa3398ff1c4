#!/usr/bin/env bats
# Crash consistency: every named fault point (CTR_LITE_FAULT, see
# internal/fault) kills the command there with SIGKILL; afterwards ps works,
# the container is absent or listed with its true state, rm -f cleans all
# of it, and the name can be used again. Also SIGKILL of the CLI and the
# monitor at random moments, and the first command after a reboot.

load helpers
bats_require_minimum_version 1.5.0

# fault_points lists the points compiled in, from the source.
fault_points() {
	grep -rhoE 'fault\.Point\("[a-z-]+:[a-z-]+"\)' "$BATS_TEST_DIRNAME"/../lifecycle "$BATS_TEST_DIRNAME"/../state |
		sed -E 's/.*"(.*)".*/\1/' | sort -u
}

# everything_gone: nothing of any container is left anywhere.
everything_gone() {
	assert_net_clean
	local left
	left=$(ls -A "$CTR_LITE_ROOT/names" "$CTR_LITE_ROOT/containers" "$CTR_LITE_RUNROOT/containers" "$CTR_LITE_RUNROOT/runc" "$CTR_LITE_ROOT"/overlay/containers 2>/dev/null | grep -v ':$' | grep -v '^$' || true)
	[ -z "$left" ] || { echo "left: $left" >&2; return 1; }
	left=$(ls "$CTR_LITE_ROOT"/networks/*/leases 2>/dev/null | grep -v ':$' | grep -v '^$' || true)
	[ -z "$left" ] || { echo "leases left: $left" >&2; return 1; }
	if nft list table ip ctr-lite 2>/dev/null | grep -q 'ctr:'; then
		echo "container rules left: $(nft list table ip ctr-lite)" >&2
		return 1
	fi
	left=$(find /sys/fs/cgroup/*/ctr-lite /sys/fs/cgroup/ctr-lite -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true)
	[ -z "$left" ] || { echo "cgroups left: $left" >&2; return 1; }
	left=$(pgrep -af -- "$CTR_LITE_TEST_DIR" | grep -v -e leakcheck -e bats || true)
	[ -z "$left" ] || { echo "processes left: $left" >&2; return 1; }
}

# true_state NAME: a container listed by ps says Up only while its
# process lives, and otherwise is not running.
true_state() {
	local status pid
	status=$("$CTR" ps -a --format '{{.Names}}|{{.Status}}' | awk -F'|' -v n="$1" '$1 == n {print $2}')
	[ -n "$status" ] || return 0 # absent is a true state too
	pid=$("$CTR" inspect -f '{{.State.Pid}}' "$1")
	if [[ "$status" == Up* ]]; then
		[ "$pid" -gt 0 ] && kill -0 "$pid" || { echo "$1 says $status but pid $pid is gone" >&2; return 1; }
	fi
}

# after_fault POINT: the checks every fault point must pass.
after_fault() {
	ctr ps -a
	[ "$status" -eq 0 ] || { echo "$1: ps -a failed: $stderr" >&2; return 1; }
	true_state crashy || { echo "at $1" >&2; return 1; }
	if "$CTR" ps -a --format '{{.Names}}' | grep -qx crashy; then
		ctr rm -f crashy
		[ "$status" -eq 0 ] || { echo "$1: rm -f failed: $stderr" >&2; return 1; }
	else
		ctr rm -f crashy # an unfinished create: removed, or already gone
		[ "$status" -eq 0 ] || [[ "${stderr,,}" == *"no such container"* ]] || { echo "$1: $stderr" >&2; return 1; }
	fi
	everything_gone || { echo "after $1" >&2; return 1; }
	ctr run --rm --name crashy busybox true
	[ "$status" -eq 0 ] || { echo "$1: the name is not free again: $stderr" >&2; return 1; }
}

# scenario POINT: drive the command that passes POINT, with the fault set.
scenario() {
	local p=$1
	case $p in
	stop:*)
		"$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sleep 60 >/dev/null
		CTR_LITE_FAULT=$p run -137 "$CTR" stop -t 1 crashy ;;
	rm:*)
		"$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sleep 60 >/dev/null
		CTR_LITE_FAULT=$p run -137 "$CTR" rm -f crashy ;;
	finish:*)
		CTR_LITE_FAULT=$p run "$CTR" run -d --name crashy -p 127.0.0.1::80 busybox true
		sleep 0.5 ;;
	run:*)
		CTR_LITE_FAULT=$p run -137 "$CTR" run --name crashy -p 127.0.0.1::80 busybox sleep 60 ;;
	pause:*) # marked paused, then killed before the freeze: unpause and rm -f still work
		"$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sleep 60 >/dev/null
		CTR_LITE_FAULT=$p run -137 "$CTR" pause crashy
		"$CTR" unpause crashy >/dev/null || return 1 ;;
	commit:*) # killed with the container marked paused (and frozen): its thaw guard unpauses it
		"$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sh -c 'touch /f; sleep 60' >/dev/null
		CTR_LITE_FAULT=$p run -137 "$CTR" commit crashy crashed:1
		for _ in $(seq 50); do
			[ "$("$CTR" inspect -f '{{.State.Paused}}' crashy)" = false ] && break
			sleep 0.1
		done
		[ "$("$CTR" inspect -f '{{.State.Status}}' crashy)" = running ] || return 1
		for _ in $(seq 50); do # the guard's unpause has exited
			pgrep -f "ctr-lite-thaw-guard.*$CTR_LITE_TEST_DIR" >/dev/null || break
			sleep 0.1
		done ;;
	rename:*) # crashy-old becomes crashy: rm -f crashy must find it and free both names
		"$CTR" run -d --name crashy-old -p 127.0.0.1::80 busybox sleep 60 >/dev/null
		CTR_LITE_FAULT=$p run -137 "$CTR" rename crashy-old crashy ;;
	connect:* | disconnect:*) # killed with the veth made (or the record written) but not both
		"$CTR" network inspect crashnet >/dev/null 2>&1 || "$CTR" network create --subnet 10.234.9.0/24 crashnet >/dev/null
		"$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sleep 60 >/dev/null
		[ "${p%%:*}" = connect ] || "$CTR" network connect crashnet crashy || return 1
		CTR_LITE_FAULT=$p run -137 "$CTR" network "${p%%:*}" crashnet crashy ;;
	*)
		CTR_LITE_FAULT=$p run -- "$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sleep 60 ;;
	esac
}

@test "every fault point: ps works, the state is true, rm -f cleans everything, the name is free" {
	local points p n=0 want
	points=$(fault_points)
	[ "$(wc -l <<<"$points")" -ge 20 ]
	for p in $points; do
		scenario "$p"
		case $p in # the status shows the point was reached
		create:* | rm:* | stop:* | run:* | rename:* | pause:* | commit:* | connect:* | disconnect:*) want=137 ;;
		start:* | monitor:*) want=125 ;; # the monitor died before it reported
		finish:*) want=0 ;;
		esac
		[ "$status" -eq "$want" ] || { echo "$p: status $status, want $want: $stderr" >&2; return 1; }
		after_fault "$p"
		n=$((n + 1))
	done
	echo "$n fault points" >&3
}

@test "an attached run killed at every start point leaves nothing rm -f cannot clean" {
	local p
	for p in $(fault_points | grep -E '^(create|start):'); do
		CTR_LITE_FAULT=$p run -137 "$CTR" run --name crashy busybox sleep 60
		[ "$status" -eq 137 ] || { echo "$p: status $status" >&2; return 1; }
		after_fault "$p"
	done
}

@test "SIGKILL of run -d at random moments, and of the monitor" {
	local i delay pid
	for i in $(seq 12); do
		delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", (r % 120) / 1000 }')
		"$CTR" run -d --name crashy -p 127.0.0.1::80 busybox sleep 60 >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		sleep 0.2 # a monitor already started finishes its start
		after_fault "kill after ${delay}s"
	done
	"$CTR" run -d --name crashy busybox sleep 60 >/dev/null
	kill -9 "$("$CTR" inspect -f '{{.State.MonitorPid}}' crashy)"
	sleep 0.2
	true_state crashy
	ctr ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "crashy Up"* ]] # the container outlives its monitor
	ctr stop -t 1 crashy
	assert_status 0
	ctr ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == "crashy Exited"* ]]
	after_fault "monitor killed"
}

@test "the first command after a reboot marks old containers exited and frees their addresses" {
	"$CTR" run -d --name old busybox sleep 60 >/dev/null
	local id pid mon
	id=$("$CTR" inspect -f '{{.Id}}' old)
	pid=$("$CTR" inspect -f '{{.State.Pid}}' old)
	mon=$("$CTR" inspect -f '{{.State.MonitorPid}}' old)
	[ -n "$(ls "$CTR_LITE_ROOT"/networks/*/leases)" ]
	# What a reboot takes: processes, mounts, namespaces, cgroups, the runroot.
	kill -9 "$mon" "$pid"
	sleep 0.2
	grep -F "$CTR_LITE_TEST_DIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	for cg in /sys/fs/cgroup/*/ctr-lite/"$id" /sys/fs/cgroup/ctr-lite/"$id"; do
		[ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
	done
	rm -rf "${CTR_LITE_RUNROOT:?}"/*
	ctr ps -a --format '{{.Names}} {{.Status}}'
	assert_status 0
	[[ "$output" == "old Exited (255)"* ]]
	[ -z "$(find "$CTR_LITE_ROOT"/networks/*/leases -type f)" ] # every network's, crashnet's too
	ctr start old
	assert_status 0
	ctr ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "old Up"* ]]
	"$CTR" rm -f old >/dev/null
	everything_gone
}
