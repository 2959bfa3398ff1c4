#!/usr/bin/env bats
# attach: a detached container's output and stdin through its monitor's
# attach socket (issue 11).

load helpers
bats_require_minimum_version 1.5.0

@test "attach sees the output of a running run -d loop and exits with its status" {
	"$CTR" run -d --name loop busybox sh -c 'sleep 0.5; for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.2; done; exit 3' >/dev/null
	ctr attach loop
	assert_status 3
	[[ "$output" == *out3* ]] || { echo "$output"; false; }
	[[ "$stderr" == *err3* ]] || { echo "$stderr"; false; }
	[[ "$output" != *err* ]]
}

@test "stdin goes through attach into a run -di container; --no-stdin keeps it out" {
	"$CTR" run -di --name rd busybox sh -c 'read l; echo got:$l; exit 4' >/dev/null
	run --separate-stderr sh -c "echo hello | '$CTR' attach rd"
	assert_status 4
	[ "$output" = "got:hello" ]
	"$CTR" run -di --name rd2 busybox sh -c 'read l; echo got:$l' >/dev/null
	echo hello | "$CTR" attach --no-stdin --sig-proxy=false rd2 & pid=$!
	sleep 1
	kill -KILL $pid
	wait $pid || true
	[ "$("$CTR" inspect -f '{{.State.Running}}' rd2)" = true ] # nothing reached its read
	# stdin stays open for the next client, as docker's
	run --separate-stderr sh -c "echo again | '$CTR' attach rd2"
	assert_status 0
	[ "$output" = "got:again" ]
}

@test "attach --sig-proxy forwards SIGUSR1 and SIGTERM to a trap in the container" {
	"$CTR" run -d --name tr busybox sh -c 'trap "echo got USR1" USR1; trap "echo got TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done' >/dev/null
	out=$BATS_TEST_TMPDIR/out
	"$CTR" attach tr >"$out" & pid=$!
	for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
	# the loop's output can only be seen once the client is connected
	sleep 0.3
	kill -USR1 $pid
	sleep 0.5
	kill -TERM $pid
	status=0; wait $pid || status=$?
	[ "$status" -eq 7 ] || { cat "$out"; false; }
	grep -q "got USR1" "$out"
	grep -q "got TERM" "$out"
}

@test "attach to a stopped container is docker's error, exit 1" {
	"$CTR" create --name stopped busybox true >/dev/null
	ctr attach stopped
	assert_status 1
	one_line_error "You cannot attach to a stopped container, start it first"
	ctr attach --detach-keys ctrl-1 stopped
	assert_status 1
	one_line_error "invalid detach keys"
}

@test "attach -t: the terminal reaches the container; the detach keys leave it running" {
	"$CTR" run -dit --name tt busybox sh >/dev/null
	wait_running tt
	run python3 - "$CTR" <<'PY'
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "attach", "--detach-keys", "ctrl-x,y", "tt"])
def read_for(secs):
    out, end = b"", time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
    return out
time.sleep(0.5)
os.write(fd, b"echo mark$((40+2))\n")
out = read_for(1.5)
os.write(fd, b"\x18y")
out += read_for(2)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("\nexit=%d" % os.waitstatus_to_exitcode(st))
PY
	[[ "$output" == *mark42* ]] || { echo "$output"; false; }
	[[ "$output" == *"exit=0" ]] || { echo "$output"; false; }
	[ "$("$CTR" inspect -f '{{.State.Running}}' tt)" = true ]
}

@test "run -a stdout connects stdout only (stderr goes to the log); -a with -d conflicts" {
	ctr run --name ao -a stdout busybox sh -c 'echo to-out; echo to-err >&2'
	assert_status 0
	[ "$output" = "to-out" ]
	[ -z "$stderr" ]
	ctr logs ao
	[[ "$stderr" == *to-err* ]]
	ctr run -d -a stdout busybox true
	assert_status 125
	one_line_error "Conflicting options: -a and -d"
}

@test "run --sig-proxy=false keeps SIGUSR1 from the container; the default passes it on" {
	out=$BATS_TEST_TMPDIR/sp
	"$CTR" run --rm --sig-proxy=false busybox sh -c 'trap "echo got USR1" USR1; echo ready; i=0; while [ $i -lt 15 ]; do sleep 0.1; i=$((i+1)); done' >"$out" & pid=$!
	for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
	kill -USR1 $pid
	wait $pid
	! grep -q "got USR1" "$out"
	"$CTR" run --rm busybox sh -c 'trap "echo got USR1" USR1; echo ready; i=0; while [ $i -lt 15 ]; do sleep 0.1; i=$((i+1)); done' >"$out" & pid=$!
	for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
	kill -USR1 $pid
	wait $pid
	grep -q "got USR1" "$out"
}

@test "review 11b: run -d and attach work under a runroot too long for a socket address" {
	# a root of its own (finish_file resets root-X with run-X)
	suffix=$(printf 'x%.0s' $(seq 80))
	export CTR_LITE_ROOT=$CTR_LITE_TEST_DIR/root-$suffix CTR_LITE_RUNROOT=$CTR_LITE_TEST_DIR/run-$suffix
	fresh_network
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	"$CTR" run -d --name deep busybox sh -c 'sleep 0.5; echo deep; exit 5' >/dev/null
	ctr attach deep
	assert_status 5
	[ "$output" = deep ]
	"$CTR" rm deep >/dev/null
}

@test "review 11b: a client that falls behind still gets the container's exit code; the kill of sig-proxy is an event" {
	"$CTR" run -d --name fast busybox sh -c 'sleep 0.5; i=0; while [ $i -lt 100000 ]; do echo line$i; i=$((i+1)); done; exit 3' >/dev/null
	run --separate-stderr bash -c "set -o pipefail; '$CTR' attach fast | (sleep 4; cat >/dev/null)"
	assert_status 3
	since=$(date +%s.%N)
	"$CTR" run -d --name sp busybox sh -c 'trap "exit 9" USR1; while true; do sleep 0.1; done' >/dev/null
	"$CTR" attach sp >/dev/null & pid=$!
	sleep 1
	kill -USR1 $pid
	wait $pid || status=$?
	[ "${status:-0}" -eq 9 ]
	ctr events --since "$since" --until "$(($(date +%s) + 1))" --filter container=sp --filter event=kill --format '{{.Action}} {{index .Actor.Attributes "signal"}}'
	[ "$output" = "kill 10" ]
}

@test "review 11b: a foreground container cannot be attached, and the error says why; rm -f after a monitor killed with -9 leaves no socket" {
	"$CTR" run --name fg busybox sleep 3 & fg=$!
	wait_running fg
	ctr attach fg
	assert_status 1
	one_line_error "attach works for containers started with -d"
	wait $fg
	"$CTR" run -d --name k busybox sleep 60 >/dev/null
	wait_running k
	kill -9 "$("$CTR" inspect -f '{{.State.MonitorPid}}' k)"
	"$CTR" rm -f k >/dev/null
	[ -z "$(ls "$CTR_LITE_RUNROOT" | grep '^attach-')" ]
}
