#!/usr/bin/env bats
# Detached containers: the monitor, logs, exec, stop/kill/wait/restart,
# restart policies, --init, and what systemd units do.

load helpers
bats_require_minimum_version 1.5.0

# wait_restarting NAME: wait until a crash-looping container is in a long
# backoff (the backoff doubles from 100 ms: by the fourth restart 1.6 s).
wait_restarting() {
	for _ in $(seq 200); do
		[[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Restarting}}' "$1")" =~ ^([4-9]|[1-9][0-9]+)\ true$ ]] && return 0
		sleep 0.02
	done
}

monitor_of() { "$CTR" inspect -f '{{.State.MonitorPid}}' "$1"; }

@test "run -d prints the ID and returns; ps says Up; logs has the output, streams apart" {
	ctr run -d --name d1 busybox sh -c 'echo out; echo err >&2; sleep 30'
	assert_status 0
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	sleep 0.5
	ctr ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == "d1 Up "* ]]
	ctr logs d1
	[ "$output" = "out" ]
	[ "$stderr" = "err" ]
	ctr logs -t d1
	[[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ out$ ]]
}

@test "exec: exit status, -e/-u/-w, 126/127, refused on a stopped container" {
	"$CTR" run -d --name d2 busybox sleep 30 >/dev/null
	ctr exec d2 sh -c 'exit 4'
	assert_status 4
	ctr exec -e A=1 -u app -w /tmp d2 sh -c 'echo $A $(id -u) $PWD'
	[ "$output" = "1 1000 /tmp" ]
	ctr127 exec d2 nope
	assert_status 127
	ctr exec d2 /etc
	assert_status 126
	run --separate-stderr sh -c "echo piped | '$CTR' exec -i d2 cat"
	[ "$output" = "piped" ]
	"$CTR" create --name stopped busybox true
	ctr exec stopped true
	assert_status 1
	[[ "$stderr" == *"not running"* ]]
}

@test "stop sends TERM and keeps the trap's exit code; kill -9 gives 137; wait prints codes" {
	"$CTR" run -d --name t1 busybox sh -c 'trap "exit 42" TERM; sleep 30 & wait' >/dev/null
	"$CTR" run -d --name t2 busybox sleep 30 >/dev/null
	sleep 0.3
	ctr stop t1
	[ "$output" = "t1" ]
	ctr kill t2
	ctr wait t1 t2
	[ "$output" = "$(printf '42\n137')" ]
	ctr ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"t1 Exited (42)"* ]]
	[[ "$output" == *"t2 Exited (137)"* ]]
	[ -z "$(find "$CTR_LITE_RUNROOT/containers" "$CTR_LITE_RUNROOT/netns" -mindepth 1 2>/dev/null)" ]
}

@test "stop -t kills a container that ignores TERM after the grace period" {
	"$CTR" run -d --name t3 busybox sleep 30 >/dev/null
	start=$(date +%s)
	ctr stop -t 1 t3
	[ $(( $(date +%s) - start )) -lt 6 ]
	ctr inspect -f '{{.State.ExitCode}}' t3
	[ "$output" = "137" ]
}

@test "kill -s HUP reaches the container's trap" {
	"$CTR" run -d --name h1 busybox sh -c 'trap "echo got HUP" HUP; while true; do sleep 0.1; done' >/dev/null
	sleep 0.5
	ctr kill -s HUP h1
	assert_status 0
	sleep 0.5
	ctr logs h1
	[ "$output" = "got HUP" ]
	ctr kill -s NOPE h1
	assert_status 1
}

@test "start of an exited container keeps its filesystem; restart runs it again" {
	"$CTR" run -d --name s1 busybox sh -c 'echo x >> /count; wc -l < /count; sleep 30' >/dev/null
	sleep 0.3
	"$CTR" stop -t 0 s1 >/dev/null
	ctr start s1
	[ "$output" = "s1" ]
	sleep 0.3
	"$CTR" restart -t 0 s1 >/dev/null
	sleep 0.3
	ctr logs s1
	[ "$output" = "$(printf '1\n2\n3')" ]
	ctr start s1
	assert_status 0
}

@test "run -d --rm disappears after it exits, leaving nothing" {
	"$CTR" run -d --rm --name rm1 busybox sleep 0.3 >/dev/null
	for _ in $(seq 50); do "$CTR" inspect rm1 >/dev/null 2>&1 || break; sleep 0.1; done
	ctr inspect rm1
	assert_status 1
	assert_net_clean
}

@test "restart on-failure:2 runs three times in all" {
	"$CTR" run -d --name rp --restart on-failure:2 busybox sh -c 'echo ran; exit 1' >/dev/null
	for _ in $(seq 100); do
		[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Status}}' rp)" = "2 exited" ] && break
		sleep 0.1
	done
	ctr logs rp
	[ "$output" = "$(printf 'ran\nran\nran')" ]
	ctr inspect -f '{{.RestartCount}} {{.State.ExitCode}}' rp
	[ "$output" = "2 1" ]
	ctr run --rm --restart always busybox true
	assert_status 125
}

@test "stop ends a restart=always loop" {
	"$CTR" run -d --name ra --restart always busybox sh -c 'sleep 0.2; exit 3' >/dev/null
	sleep 1
	ctr stop -t 1 ra
	count=$("$CTR" inspect -f '{{.RestartCount}}' ra)
	sleep 1
	[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Running}}' ra)" = "$count false" ]
}

@test "logs -f follows until the container exits" {
	"$CTR" run -d --name f1 busybox sh -c 'for i in 1 2 3; do echo $i; sleep 0.3; done' >/dev/null
	run --separate-stderr timeout 10 "$CTR" logs -f f1
	assert_status 0
	[ "$output" = "$(printf '1\n2\n3')" ]
}

@test "rm -f after the monitor was SIGKILLed leaves nothing; ps tells the truth" {
	"$CTR" run -d --name mk busybox sleep 30 >/dev/null
	pid=$("$CTR" inspect -f '{{.State.Pid}}' mk)
	kill -9 "$(monitor_of mk)"
	sleep 0.2
	ctr ps --format '{{.Names}} {{.State}}'
	[ "$output" = "mk running" ]
	ctr rm -f mk
	assert_status 0
	! kill -0 "$pid" 2>/dev/null
	assert_net_clean
}

@test "a container whose monitor was SIGKILLed keeps its address and its published port" {
	"$CTR" run -d --name ka -p 127.0.0.1:18090:80 busybox sleep 30 >/dev/null
	ip=$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' ka)
	kill -9 "$(monitor_of ka)"
	sleep 0.2
	ctr run -d --name kb busybox sleep 30
	assert_status 0
	[ "$("$CTR" inspect -f '{{.NetworkSettings.IPAddress}}' kb)" != "$ip" ]
	ctr run --rm -p 127.0.0.1:18090:80 busybox true
	assert_status 125
	[[ "$stderr" == *"already"* ]]
	"$CTR" rm -f ka kb >/dev/null
	ctr run --rm -p 127.0.0.1:18090:80 busybox true
	assert_status 0
	assert_net_clean
}

@test "--init reaps an orphaned zombie and passes SIGTERM on" {
	"$CTR" run -d --name in --init busybox sh -c 'trap "exit 7" TERM; (sleep 0.2 &); sleep 30 & wait' >/dev/null
	sleep 1
	ctr exec in ps -o pid,stat,comm
	[[ "${lines[1]}" == *"1 S    init"* ]]
	[[ "$output" != *" Z "* ]]
	ctr stop in
	ctr inspect -f '{{.State.ExitCode}}' in
	[ "$output" = "7" ]
}

@test "--cidfile, --pidfile and --replace" {
	cid=$BATS_TEST_TMPDIR/cid pidf=$BATS_TEST_TMPDIR/pid
	echo stale > "$cid"
	ctr run -d --name rep --cidfile "$cid" --pidfile "$pidf" busybox sleep 30
	[ "$(cat "$cid")" = "$output" ]
	sleep 0.3
	[ "$(cat "$pidf")" = "$("$CTR" inspect -f '{{.State.Pid}}' rep)" ]
	ctr run -d --name rep busybox sleep 30
	assert_status 125
	ctr run -d --replace --name rep busybox sleep 30
	assert_status 0
	[ ! -e "$cid" ]
	[ ! -e "$pidf" ]
}

@test "a foreground run stopped with SIGTERM, as systemd does, keeps the exit code and leaves nothing" {
	stop_like_systemd unit "$CTR" run --rm --replace --init --name unit busybox sh -c 'trap "exit 0" TERM; sleep 30 & wait'
	ctr inspect unit
	assert_status 1
	assert_net_clean
}

@test "a named volume survives run --rm and is shared by two containers" {
	ctr run --rm -v data:/data busybox sh -c 'echo kept > /data/f'
	assert_status 0
	"$CTR" run -d --name v1 -v data:/data busybox sh -c 'sleep 30' >/dev/null
	ctr run --rm -v data:/d:ro busybox cat /d/f
	[ "$output" = "kept" ]
	ctr exec v1 sh -c 'echo shared >> /data/f'
	ctr run --rm -v data:/d busybox cat /d/f
	[ "$output" = "$(printf 'kept\nshared')" ]
	ctr volume rm data
	assert_status 1
	[[ "$stderr" == *"in use by v1"* ]]
	"$CTR" rm -f v1
	ctr volume rm data
	assert_status 0
}

@test "a new volume starts with the image's files at its path" {
	ctr run --rm -v etcvol:/etc busybox true
	ctr volume inspect -f '{{.Mountpoint}}' etcvol
	[ -f "$output/passwd" ]
	ctr volume ls
	[[ "$output" == *"local"*"etcvol"* ]]
	ctr volume prune -a -f
	[ "$(head -2 <<<"$output")" = "Deleted Volumes:
etcvol" ]
}

# Seeding fills the volume's directory in place: a container that has it
# mounted already (here over a path its image lacks, so not seeded then)
# keeps a live directory, sees the image's files and its own writes reach
# the others.
@test "a volume seeded while another container has it mounted stays one directory" {
	"$CTR" volume create live >/dev/null
	"$CTR" run -d --name holder -v live:/nonexistent busybox sleep 30 >/dev/null
	wait_running holder
	ctr run --rm -v live:/etc busybox test -f /etc/passwd
	assert_status 0
	ctr exec holder sh -c 'touch /nonexistent/from-holder && ls /nonexistent'
	assert_status 0
	[[ "$output" == *passwd* ]]
	ctr run --rm -v live:/etc busybox test -f /etc/from-holder
	assert_status 0
	"$CTR" rm -f holder >/dev/null
	"$CTR" volume rm live >/dev/null
}

# Docker copies whenever the image directory has entries and the volume
# has none: a first mount over an empty directory leaves it to a later one.
@test "a volume first mounted over an empty dir is seeded by a later non-empty one" {
	ctr run --rm -v late:/home busybox true
	assert_status 0
	ctr run --rm -v late:/etc busybox sh -c 'test -f /etc/passwd && test -f /etc/group'
	assert_status 0
	"$CTR" volume rm late >/dev/null
}

@test "rm -v and --rm remove anonymous volumes; named ones stay" {
	"$CTR" create --name an -v /anon -v keep:/keep busybox true >/dev/null
	"$CTR" start -a an
	[ "$("$CTR" volume ls -q | wc -l)" -eq 2 ]
	ctr rm -v an
	[ "$("$CTR" volume ls -q)" = "keep" ]
	ctr run --rm -v /anon2 busybox true
	[ "$("$CTR" volume ls -q)" = "keep" ]
	"$CTR" volume rm keep
}

@test "run -dt: the monitor holds the terminal, logs have its output" {
	run --separate-stderr setsid "$CTR" run -dit --name tty1 busybox sh -c 'tty; echo $TERM; sleep 30' < /dev/null
	assert_status 0
	sleep 0.5
	ctr logs tty1
	[[ "$output" == "/dev/pts/0"*"xterm"* ]]
	ctr exec tty1 true
	assert_status 0
}

@test "a recycled PID is not taken for a container's monitor" {
	id=$("$CTR" create --name recycled busybox true)
	# The record claims a running container waited on by a live process
	# that is not its monitor ($$ started at another time).
	python3 - "$CTR_LITE_ROOT/containers/$id/config.v2.json" "$$" <<'PY'
import json, sys
p, pid = sys.argv[1], int(sys.argv[2])
c = json.load(open(p))
c["State"].update(Status="running", Running=True, MonitorPid=pid, MonitorStart=1)
json.dump(c, open(p, "w"))
PY
	ctr ps -a --format '{{.Names}} {{.State}}'
	[ "$output" = "recycled exited" ]
	ctr rm recycled
	assert_status 0
}

@test "stop -t 1 of a container that ignores TERM takes one grace period, not two; exit 137" {
	"$CTR" run -d --name t4 busybox sh -c 'trap "" TERM; sleep 100' >/dev/null
	wait_running t4
	start=$(date +%s%N)
	ctr stop -t 1 t4
	assert_status 0
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$elapsed" -lt 1800 ] || { echo "stop -t 1 took $elapsed ms" >&2; return 1; }
	ctr inspect -f '{{.State.ExitCode}}' t4
	[ "$output" = "137" ]
}

@test "a 30 MB line without newline: 16 KiB entries, the monitor stays small, logs returns it exactly" {
	"$CTR" run -d --name big busybox sh -c 'head -c 31457280 /dev/zero | tr "\0" a; sleep 100' >/dev/null
	wait_running big
	mon=$(monitor_of big)
	id=$("$CTR" inspect -f '{{.Id}}' big)
	log=$CTR_LITE_ROOT/containers/$id/$id-json.log
	prev=-1
	for _ in $(seq 300); do
		size=$(stat -c %s "$log")
		[ "$size" -gt 31457280 ] && [ "$size" -eq "$prev" ] && break
		prev=$size
		sleep 0.2
	done
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$mon/status")
	echo "monitor VmHWM ${hwm} kB" >&3
	[ "$hwm" -lt 20480 ] || { echo "monitor peak RSS $hwm kB" >&2; return 1; }
	[ "$(wc -l < "$log")" -eq 1920 ] # 30 MiB / 16 KiB
	[ "$(head -c 100000 "$log" | head -1 | grep -o '"log":"a*"' | wc -c)" -eq $((16384 + 9)) ]
	[ "$("$CTR" logs big | wc -c)" -eq 31457280 ]
	# logs streams: its own peak RSS stays far below the log's size
	rss=$( { /usr/bin/time -f %M "$CTR" logs big >/dev/null; } 2>&1 | tail -1)
	[ "$rss" -lt 40960 ] || { echo "logs peak RSS $rss kB" >&2; return 1; }
	[ "$("$CTR" logs --tail 1 big | wc -c)" -eq $((31457280 % 16384 == 0 ? 16384 : 31457280 % 16384)) ]
}

@test "a failed teardown leaves a line in the monitor log, which inspect names as MonitorLogPath" {
	"$CTR" --log-level info run -d --name tf busybox sleep 100 >/dev/null
	wait_running tf
	id=$("$CTR" inspect -f '{{.Id}}' tf)
	ctr inspect -f '{{.MonitorLogPath}}' tf
	[ "$output" = "$CTR_LITE_ROOT/containers/$id/monitor.log" ]
	mlog=$output
	grep -q 'msg="container started"' "$mlog"
	# a mount in the bundle makes removing it fail (EBUSY)
	busy=$CTR_LITE_RUNROOT/containers/$id/busy
	mkdir "$busy"
	mount -t tmpfs tmpfs "$busy"
	"$CTR" kill tf >/dev/null
	for _ in $(seq 100); do grep -q 'teardown after the exit failed' "$mlog" && break; sleep 0.05; done
	umount "$busy"
	grep 'level=WARN msg="teardown after the exit failed' "$mlog"
	grep -q 'busy' "$mlog"
	ctr rm -f tf
	assert_status 0
}

@test "a container waiting to restart is Restarting in inspect and ps; stop ends it" {
	"$CTR" run -d --name rs --restart always busybox sh -c 'exit 1' >/dev/null
	wait_restarting rs
	# docker: a restarting container is Running and Restarting, with no PID
	ctr inspect -f '{{.State.Restarting}} {{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}}' rs
	[ "$output" = "true restarting true 1 0" ]
	ctr ps --format '{{.Names}}|{{.Status}}'
	[[ "$output" == "rs|Restarting (1) "*" ago" ]]
	ctr stop rs
	assert_status 0
	ctr inspect -f '{{.State.Restarting}} {{.State.Status}}' rs
	[ "$output" = "false exited" ]
}

@test "stop of a restart=always container crashing in a loop: it stays stopped (10 rounds)" {
	for i in $(seq 10); do
		"$CTR" run -d --name loop --restart always busybox sh -c 'sleep 0.0$((RANDOM % 5)); exit 3' >/dev/null
		sleep "0.$((i * 37 % 10))"
		ctr stop -t 1 loop
		assert_status 0
		before=$("$CTR" inspect -f '{{.RestartCount}} {{.State.Running}}' loop)
		[[ "$before" == *" false" ]] || { echo "round $i: running after stop returned" >&2; return 1; }
		sleep 0.5
		after=$("$CTR" inspect -f '{{.RestartCount}} {{.State.Running}}' loop)
		[ "$after" = "$before" ] || { echo "round $i: $before, then $after" >&2; return 1; }
		! kill -0 "$(monitor_of loop)" 2>/dev/null
		"$CTR" rm loop >/dev/null
	done
}

@test "a container waiting to restart holds its place: rm refuses it, rm -f removes it without waiting" {
	"$CTR" run -d --name rw --restart always busybox sh -c 'exit 1' >/dev/null
	wait_restarting rw
	ctr rm rw
	assert_status 1
	[[ "$stderr" == *"rm -f"* ]]
	SECONDS=0
	ctr rm -f rw
	assert_status 0
	[ "$SECONDS" -lt 3 ]
	assert_net_clean
}

# monitors_of ID: how many monitors (or waiters) container ID has.
monitors_of() { pgrep -fc -- "^ctr-lite-(monitor|waiter).* $1\$" || true; }

# wait_monitor_gone NAME: wait (up to 5 s) until the container's monitor exited.
wait_monitor_gone() {
	local pid
	pid=$(monitor_of "$1")
	for _ in $(seq 250); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.02
	done
	return 1
}

@test "rm -f of a --restart always container is quick and final" {
	"$CTR" run -d --name rf --restart always busybox sleep 1000 >/dev/null
	id=$("$CTR" inspect -f '{{.Id}}' rf)
	SECONDS=0
	ctr rm -f rf
	assert_status 0
	[ "$SECONDS" -lt 3 ]
	sleep 0.3
	[ "$(monitors_of "$id")" -eq 0 ]
	ctr inspect rf
	assert_status 1
	assert_net_clean
}

@test "start of a restarting container leaves one monitor, which restarts it after its backoff" {
	"$CTR" run -d --name rr --restart always busybox sh -c 'exit 3' >/dev/null
	wait_restarting rr
	id=$("$CTR" inspect -f '{{.Id}}' rr)
	mlog=$("$CTR" inspect -f '{{.MonitorLogPath}}' rr)
	ctr start rr
	assert_status 0
	sleep 0.2
	[ "$(monitors_of "$id")" -eq 1 ]
	sleep 2 # past the first monitor's backoff
	[ "$(monitors_of "$id")" -eq 1 ]
	! grep 'start failed' "$mlog"
	ctr rm -f rr
}

@test "kill -s TERM (the stop signal) of a --restart always container is final" {
	"$CTR" run -d --name kt --restart always busybox sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
	sleep 0.3
	ctr kill -s SIGTERM kt
	assert_status 0
	wait_monitor_gone kt
	ctr inspect -f '{{.State.Running}} {{.State.Restarting}} {{.RestartCount}}' kt
	[ "$output" = "false false 0" ]
	# another signal is not final: the policy restarts the container
	"$CTR" run -d --name kh --restart always busybox sh -c 'trap "exit 0" HUP; sleep 1000 & wait' >/dev/null
	sleep 0.3
	ctr kill -s HUP kh
	assert_status 0
	for _ in $(seq 100); do
		[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Status}}' kh)" = "1 running" ] && break
		sleep 0.05
	done
	[ "$("$CTR" inspect -f '{{.RestartCount}} {{.State.Status}}' kh)" = "1 running" ]
	ctr rm -f kt kh
}

@test "kill of a restarting container ends its restarts" {
	"$CTR" run -d --name kr --restart always busybox sh -c 'exit 1' >/dev/null
	wait_restarting kr
	ctr kill kr
	assert_status 0
	ctr inspect -f '{{.State.Restarting}} {{.State.Status}} {{.State.Running}}' kr
	[ "$output" = "false exited false" ]
	count=$("$CTR" inspect -f '{{.RestartCount}}' kr)
	wait_monitor_gone kr
	sleep 0.5
	[ "$("$CTR" inspect -f '{{.RestartCount}}' kr)" = "$count" ]
	ctr kill kr
	assert_status 1
	[[ "$stderr" == *"not running"* ]]
}

@test "start -a of a restarting container is refused and leaves it restarting" {
	"$CTR" run -d --name ra2 --restart always busybox sh -c 'exit 3' >/dev/null
	wait_restarting ra2
	ctr start -a ra2
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"is restarting"* ]]
	ctr inspect -f '{{.State.Restarting}} {{.State.Status}} {{.State.Error}}' ra2
	[ "$output" = "true restarting " ]
	ctr rm -f ra2
	assert_status 0
}

@test "a restart by policy that fails to start ends the monitor non-zero (systemd's Restart=on-failure fires)" {
	# As a subreaper, python inherits the monitor once run -d returns and
	# reads its exit status (what systemd sees of its main process).
	run -0 python3 -c '
import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
subprocess.run([sys.argv[1], "run", "-d", "--name", "rf", "--network", "none", "--restart", "on-failure:1",
	"busybox", "sh", "-c", "rm /bin/sh; exit 3"], check=True, stdout=subprocess.DEVNULL)
codes = []
while True:
	try:
		_, ws = os.wait()
	except ChildProcessError:
		break
	codes.append(os.waitstatus_to_exitcode(ws))
print(codes[-1])
' "$CTR"
	[ "$output" = 127 ] || [ "$output" = 126 ] || { echo "the monitor exited $output"; false; }
	[ "$("$CTR" inspect -f '{{.State.Status}}' rf)" = exited ]
}
