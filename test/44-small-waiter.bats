#!/usr/bin/env bats
# The small waiter (issue 12, "The monitor"): a detached container's
# monitor execs into a small program of its own, embedded in ctr-lite and
# installed under the root dir, which copies the output to the log, serves
# attach, runs the health check timer and reaps the container; ctr-lite's
# finish and restart entries do the rest. Whatever it does not do (-t,
# foreground starts), or CTR_LITE_BIG_WAITER=1, or a waiter that cannot be
# installed, the big waiter (ctr-lite re-executed) does.

load helpers
bats_require_minimum_version 1.5.0

monitor_of() { "$CTR" inspect -f '{{.State.MonitorPid}}' "$1"; }

# waiter_of NAME: "small" or "big", by the monitor's executable. run -d
# returns once the container runs, a moment before its monitor execs
# into its waiter: a big one is only taken for one after 3 s.
waiter_of() {
	local exe
	for _ in $(seq 60); do
		exe=$(readlink "/proc/$(monitor_of "$1")/exe")
		case $exe in
		"$CTR_LITE_ROOT"/waiter/ctr-lite-waiter-*) echo small; return ;;
		esac
		sleep 0.05
	done
	echo "big ($exe)"
}

# monitor_exit CTR-ARGS... -- ACTION...: runs `ctr-lite run -d --name st
# CTR-ARGS` as a subreaper, so the detached monitor becomes its child,
# then ACTION (a ctr-lite command, or nothing), and prints the waiter's
# kind and the monitor's exit status.
monitor_exit() {
	python3 - "$CTR" "$@" <<'PY'
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
ctr, args = sys.argv[1], sys.argv[2:]
i = args.index("--")
run, action = args[:i], args[i + 1:]
subprocess.run([ctr, "run", "-d", "--name", "st"] + run, check=True, stdout=subprocess.DEVNULL)
mon = int(subprocess.check_output([ctr, "inspect", "-f", "{{.State.MonitorPid}}", "st"]))
for _ in range(60):  # the monitor execs into its waiter a moment after run -d
    kind = "small" if "/waiter/ctr-lite-waiter-" in os.readlink("/proc/%d/exe" % mon) else "big"
    if kind == "small":
        break
    time.sleep(0.05)
if action:
    subprocess.run([ctr] + action, check=True, stdout=subprocess.DEVNULL)
_, st = os.waitpid(mon, 0)
print(kind, os.waitstatus_to_exitcode(st))
PY
}

@test "run -d: the monitor is the small waiter, installed once, root's, 0755, named by its sha256; logs and logs -f have the output" {
	"$CTR" run -d --name s1 busybox sh -c 'echo out; echo err >&2; for i in 1 2 3; do echo $i; sleep 0.3; done' >/dev/null
	[ "$(waiter_of s1)" = small ]
	exe=$(readlink "/proc/$(monitor_of s1)/exe")
	[ "$(stat -c '%u %a' "$exe")" = "0 755" ]
	[ "$(basename "$exe")" = "ctr-lite-waiter-$(sha256sum "$exe" | cut -d' ' -f1)" ]
	tr '\0' ' ' < "/proc/$(monitor_of s1)/cmdline" | grep -q "^ctr-lite-waiter --root $CTR_LITE_ROOT "
	run --separate-stderr timeout 10 "$CTR" logs -f s1
	assert_status 0
	[ "$output" = "$(printf 'out\n1\n2\n3')" ]
	[ "$stderr" = err ]
	"$CTR" run -d --name s2 busybox sleep 30 >/dev/null
	[ "$(waiter_of s2)" = small ]
	[ "$(ls "$CTR_LITE_ROOT/waiter")" = "$(basename "$exe")" ]
}

@test "small waiter: a line reaches logs -f within 100 ms" {
	"$CTR" run -d --name lf busybox sh -c 'sleep 1; echo marker; sleep 30' >/dev/null
	[ "$(waiter_of lf)" = small ]
	run python3 - "$CTR" <<'PY'
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "logs", "-f", "lf"], stdout=subprocess.PIPE)
line = p.stdout.readline()
got = time.monotonic()
p.kill()
# the container wrote it 1 s after its start; logs -f's own poll is part of it
print(line.decode().strip())
PY
	[ "$output" = marker ]
	# the json entry's time (the waiter's read) against the file's mtime
	id=$("$CTR" inspect -f '{{.Id}}' lf)
	log=$("$CTR" inspect -f '{{.LogPath}}' lf)
	python3 - "$log" <<'PY'
import json, os, sys, datetime
path = sys.argv[1]
e = json.loads(open(path).readline())
t = e["time"]
ts = datetime.datetime.fromisoformat(t[:26].rstrip("Z") + "+00:00").timestamp() if "." in t else 0
lag = os.stat(path).st_mtime - ts
assert lag < 0.1, "written %.3fs after it was read" % lag
PY
}

@test "small waiter: max-size/max-file/compress rotate with docker's names (compressed by ctr-lite); logs reads across the files" {
	for compress in false true; do
		"$CTR" run -d --name rot --log-opt max-size=2k --log-opt max-file=3 --log-opt compress=$compress busybox \
			sh -c 'sleep 0.5; for i in $(seq 1000 1400); do echo line $i; done; sleep 0.5' >/dev/null
		[ "$(waiter_of rot)" = small ]
		"$CTR" wait rot >/dev/null
		log=$("$CTR" inspect -f '{{.LogPath}}' rot)
		ext=; [ $compress = false ] || ext=.gz
		[ -f "$log.1$ext" ] && [ -f "$log.2$ext" ] && [ ! -e "$log.3$ext" ] && [ ! -e "$log.3" ] && [ ! -e "$log.1.tmp" ]
		[ "$(stat -c %s "$log")" -le 2048 ]
		[ $compress = false ] || gzip -t "$log.1.gz"
		ctr logs rot
		[ "${lines[-1]}" = "line 1400" ]
		[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq "${#lines[@]}" ]
		[ "${#lines[@]}" -gt 40 ]
		"$CTR" rm rot >/dev/null
	done
}

@test "small waiter: health checks change the status (starting, unhealthy, healthy)" {
	"$CTR" run -d --name hc --health-cmd 'test -f /tmp/ok' --health-interval 1s --health-retries 1 busybox sleep 60 >/dev/null
	[ "$(waiter_of hc)" = small ]
	[ "$("$CTR" inspect -f '{{.State.Health.Status}}' hc)" = starting ]
	for _ in $(seq 50); do [ "$("$CTR" inspect -f '{{.State.Health.Status}}' hc)" = unhealthy ] && break; sleep 0.1; done
	[ "$("$CTR" inspect -f '{{.State.Health.Status}}' hc)" = unhealthy ]
	"$CTR" exec hc touch /tmp/ok
	for _ in $(seq 50); do [ "$("$CTR" inspect -f '{{.State.Health.Status}}' hc)" = healthy ] && break; sleep 0.1; done
	[ "$("$CTR" inspect -f '{{.State.Health.Status}}' hc)" = healthy ]
	[ "$(waiter_of hc)" = small ]
}

@test "small waiter: restart on-failure:2 runs three times, each run waited by a small waiter" {
	"$CTR" run -d --name rs --restart on-failure:2 busybox sh -c 'echo run; sleep 1; exit 3' >/dev/null
	[ "$(waiter_of rs)" = small ]
	for _ in $(seq 100); do
		[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Running}}' rs)" = "1 true" ] && break
		sleep 0.05
	done
	[ "$(waiter_of rs)" = small ] # the restarted run's
	for _ in $(seq 100); do
		[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Status}}' rs)" = "2 exited" ] && break
		sleep 0.1
	done
	[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' rs)" = "2 exited 3" ]
	[ "$("$CTR" logs rs | grep -c run)" -eq 3 ]
}

@test "small waiter: the monitor exits with the container's status, 0 after a stop" {
	run monitor_exit busybox sh -c 'sleep 0.3; exit 3' --
	[ "$output" = "small 3" ]
	"$CTR" rm st >/dev/null
	run monitor_exit busybox sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' -- stop st
	echo "monitor: $output"
	[ "$output" = "small 0" ]
	[ "$("$CTR" inspect -f '{{.State.ExitCode}}' st)" = 7 ]
	"$CTR" rm st >/dev/null
}

@test "small waiter: rm -f of a running container ends its waiter and leaves nothing" {
	"$CTR" run -d --name rf busybox sleep 30 >/dev/null
	mon=$(monitor_of rf)
	[ "$(waiter_of rf)" = small ]
	ctr rm -f rf
	assert_status 0
	for _ in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$mon" 2>/dev/null
	assert_net_clean
}

@test "small waiter: kill -9 of the waiter leaves what rm -f cleans" {
	"$CTR" run -d --name k9 busybox sleep 30 >/dev/null
	pid=$("$CTR" inspect -f '{{.State.Pid}}' k9)
	[ "$(waiter_of k9)" = small ]
	kill -9 "$(monitor_of k9)"
	sleep 0.2
	ctr ps --format '{{.Names}} {{.State}}'
	[ "$output" = "k9 running" ]
	ctr rm -f k9
	assert_status 0
	! kill -0 "$pid" 2>/dev/null
	assert_net_clean
}

@test "a tampered installed waiter is refused and installed again; one that cannot be installed falls back to the big waiter" {
	"$CTR" run -d --name t1 busybox sleep 30 >/dev/null
	[ "$(waiter_of t1)" = small ]
	exe=$(readlink "/proc/$(monitor_of t1)/exe")
	[[ "$exe" == "$CTR_LITE_ROOT"/waiter/* ]]
	"$CTR" rm -f t1 >/dev/null
	printf 'tampered' >> "$exe"
	"$CTR" run -d --name t2 busybox sleep 30 >/dev/null
	[ "$(waiter_of t2)" = small ]
	[ "$(basename "$exe")" = "ctr-lite-waiter-$(sha256sum "$exe" | cut -d' ' -f1)" ]
	"$CTR" rm -f t2 >/dev/null
	# a directory in its place: no file can be installed there
	rm -f "$exe" && mkdir "$exe"
	"$CTR" run -d --name t3 busybox sh -c 'echo big; sleep 30' >/dev/null
	kind=$(waiter_of t3)
	sleep 0.3
	said=$("$CTR" logs t3)
	mlog=$(cat "$CTR_LITE_ROOT/containers/$("$CTR" inspect -f '{{.Id}}' t3)/monitor.log")
	"$CTR" rm -f t3 >/dev/null
	rmdir "$exe" # before the checks: the next tests need a waiter there
	[[ "$kind" == big* ]]
	[ "$said" = big ]
	[[ "$mlog" == *"the small waiter cannot run"* ]]
}

@test "the big waiter: CTR_LITE_BIG_WAITER=1, and -t containers" {
	CTR_LITE_BIG_WAITER=1 "$CTR" run -d --name b1 busybox sleep 30 >/dev/null
	[[ "$(waiter_of b1)" == big* ]]
	"$CTR" run -dt --name b2 busybox sleep 30 >/dev/null
	[[ "$(waiter_of b2)" == big* ]]
	"$CTR" run -d --name b3 busybox sleep 30 >/dev/null
	[ "$(waiter_of b3)" = small ]
}

@test "small waiter: attach gets the output and -i input, and the exit status" {
	"$CTR" run -di --name at busybox sh -c 'read l; echo "got $l"; exit 4' >/dev/null
	[ "$(waiter_of at)" = small ]
	run bash -c "(sleep 0.5; echo hello; sleep 2) | timeout -s KILL 10 '$CTR' attach at"
	[[ "$output" == *"got hello"* ]]
	assert_status 4
}

@test "review 13c: a noexec runroot (as Debian's initramfs mounts /run) still gets the small waiter, installed under the root dir" {
	nx=$(mktemp -d /tmp/ctr-lite-noexec.XXXXXX)
	mount -t tmpfs -o noexec,mode=0755 tmpfs "$nx"
	keep=$CTR_LITE_RUNROOT
	export CTR_LITE_RUNROOT=$nx/run
	"$CTR" run -d --name nx busybox sleep 30 >/dev/null
	kind=$(waiter_of nx)
	"$CTR" rm -f nx >/dev/null
	export CTR_LITE_RUNROOT=$keep
	umount "$nx" && rmdir "$nx"
	[ "$kind" = small ] || { echo "$kind"; false; }
}
