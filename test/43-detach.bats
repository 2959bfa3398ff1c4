#!/usr/bin/env bats
# Detaching from a foreground container (issue 11): run -it and start -ai
# of a -t container go through its monitor, attached before it starts;
# the detach keys (ctrl-p,ctrl-q or --detach-keys) leave it running, to
# attach again. Each test drives a real terminal (test/pty-drive.py).

load helpers
bats_require_minimum_version 1.5.0

# drive STEPS CTR-ARGS...: run ctr-lite on a terminal of its own.
drive() {
	local steps=$1
	shift
	run python3 "$BATS_TEST_DIRNAME/pty-drive.py" "$steps" "$CTR" "$@"
	echo "$output"
}

running() { [ "$("$CTR" inspect -f '{{.State.Running}}' "$1")" = true ]; }

@test "run -it: ctrl-p ctrl-q detaches with exit 0 and leaves it running; attach takes it back and exits with its status" {
	drive 'u:# |w:echo mark$((40+2))\n|u:mark42|w:\x10\x11' run -it --name d1 busybox sh
	[[ "$output" == *mark42* ]]
	[[ "$output" == *"exit=0" ]]
	running d1
	# the shell on the terminal is the one that was left
	drive 'w:echo back$((1+1))\n|u:back2|w:exit 5\n' attach d1
	[[ "$output" == *back2* ]]
	[[ "$output" == *"exit=5" ]]
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.ExitCode}}' d1)" = "exited 5" ]
}

@test "run -it --detach-keys: the custom keys detach, docker's default passes on; bad keys are 125 and make nothing" {
	drive 'u:# |w:\x10\x11echo still$((1+2))\n|u:still3|w:\x18x' run -it --detach-keys ctrl-x,x --name d2 busybox sh
	[[ "$output" == *still3* ]]
	[[ "$output" == *"exit=0" ]]
	running d2
	drive 's:0.2' run -it --detach-keys ctrl-1 --name d3 busybox sh
	[[ "$output" == *'invalid detach keys "ctrl-1"'* ]]
	[[ "$output" == *"exit=125" ]]
	ctr inspect d3
	assert_status 1
}

@test "run -it sees the container's first output (attached before it starts), has the caller's terminal size, and --rm leaves nothing" {
	ROWS=33 COLS=101 drive 's:0' run --rm -it busybox sh -c 'echo first-line; stty size; exit 3'
	[[ "$output" == *first-line* ]]
	[[ "$output" == *"33 101"* ]]
	[[ "$output" == *"exit=3" ]]
	drive 's:0' run --rm -it busybox nonexistent
	[[ "$output" == *"exit=127" ]]
	[ -z "$("$CTR" ps -aq)" ]
	assert_net_clean
}

@test "run -it passes SIGUSR1 and SIGTERM on (--sig-proxy); --sig-proxy=false keeps them from it" {
	drive 'u:ready|k:10|u:got USR1|k:15' run --rm -it busybox sh -c 'trap "echo got USR1" USR1; trap "echo got TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done'
	[[ "$output" == *"got TERM"* ]]
	[[ "$output" == *"exit=7" ]]
	drive 'u:ready|k:10|s:0.5' run --rm -it --sig-proxy=false busybox sh -c 'trap "echo got USR1" USR1; echo ready; i=0; while [ $i -lt 10 ]; do sleep 0.1; i=$((i+1)); done'
	[[ "$output" != *"got USR1"* ]]
	[[ "$output" == *"exit=0" ]]
	[ -z "$("$CTR" ps -aq)" ]
}

@test "start -ai of a -t container: detach, start -ai again attaches to the running one, its exit is start's" {
	"$CTR" create -it --name s1 busybox sh >/dev/null
	drive 'u:# |w:echo one$((0+1))\n|u:one1|w:\x10\x11' start -ai s1
	[[ "$output" == *one1* ]]
	[[ "$output" == *"exit=0" ]]
	running s1
	drive 'w:echo two$((1+1))\n|u:two2|w:\x18y' start -ai --detach-keys ctrl-x,y s1
	[[ "$output" == *two2* ]]
	[[ "$output" == *"exit=0" ]]
	running s1
	drive 'w:exit 6\n' attach s1
	[[ "$output" == *"exit=6" ]]
	# a stopped one again, ended from inside
	drive 'u:# |w:exit 4\n' start -ai s1
	[[ "$output" == *"exit=4" ]]
}

@test "start -a passes signals to a container without -t; --sig-proxy=false keeps them from it" {
	"$CTR" create --name s2 busybox sh -c 'trap "echo got USR1; exit 8" USR1; echo ready; i=0; while [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done' >/dev/null
	drive 'u:ready|k:10' start -a s2
	[[ "$output" == *"got USR1"* ]]
	[[ "$output" == *"exit=8" ]]
	drive 'u:ready|k:10|s:0.3' start -a --sig-proxy=false s2
	[[ "$output" != *"got USR1"* ]]
	[[ "$output" == *"exit=0" ]]
}

@test "run -t without a terminal works as docker's (the monitor holds the pty); a SIGTERM as systemd's keeps the exit code and leaves nothing" {
	run --separate-stderr setsid "$CTR" run --rm -t busybox sh -c 'echo on-tty; tty; exit 2'
	assert_status 2
	[[ "$output" == *on-tty* ]]
	[[ "$output" == */dev/pts/* ]]
	# a container that is done before the CLI attaches (a zombie its
	# monitor holds for the CLI) is attached to, never "stopped" (125)
	for i in $(seq 20); do
		run --separate-stderr setsid "$CTR" run --rm -t busybox sh -c 'exit 2'
		assert_status 2
	done
	stop_like_systemd unit setsid -w "$CTR" run --rm -t --init --name unit busybox sh -c 'trap "exit 3" TERM; sleep 30 & wait' || st=$?
	[ "${st:-0}" -eq 3 ]
	for _ in $(seq 50); do "$CTR" inspect unit >/dev/null 2>&1 || break; sleep 0.1; done
	ctr inspect unit
	assert_status 1
	assert_net_clean
}

@test "exec -it: the detach keys leave the process running under its exec monitor; its exit is exec's; exec_die has its status" {
	"$CTR" run -d --name ex busybox sleep 100 >/dev/null
	wait_running ex
	since=$(date +%s.%N)
	drive 'u:# |w:echo $((6*7)) > /tmp/left; echo in$((1+1))\n|u:in2|w:\x10\x11' exec -it ex sh
	[[ "$output" == *in2* ]]
	[[ "$output" == *"exit=0" ]]
	# the detached shell still runs in the container
	ctr exec ex sh -c 'cat /tmp/left; ps -o args | grep -c "^sh$"'
	[ "$output" = "$(printf '42\n1')" ]
	drive 'w:exit 9\n' exec -it --detach-keys ctrl-x,x ex sh
	[[ "$output" == *"exit=9" ]]
	ROWS=21 COLS=77 drive 's:0' exec -t ex stty size
	[[ "$output" == *"21 77"* ]]
	drive 's:0' exec -it ex nonexistent
	[[ "$output" == *"exit=127" ]]
	drive 's:0' exec -it --detach-keys ctrl-1 ex sh
	[[ "$output" == *'invalid detach keys "ctrl-1"'* ]]
	[[ "$output" == *"exit=1" ]]
	ctr events --since "$since" --until "$(($(date +%s) + 1))" --filter event=exec_die --format '{{index .Actor.Attributes "exitCode"}}'
	[ "$output" = "$(printf '0\n9\n0')" ] || { echo "$output"; false; }
	# the exec monitor of the detached shell ends with the container
	"$CTR" rm -f ex >/dev/null
	for _ in $(seq 50); do pgrep -f "ctr-lite-exec-monitor --root $CTR_LITE_ROOT " >/dev/null || break; sleep 0.1; done
	! pgrep -f "ctr-lite-exec-monitor --root $CTR_LITE_ROOT "
	[ -z "$(ls "$CTR_LITE_RUNROOT" | grep -E '^(attach|console)-')" ]
}

@test "review 12a: an exec monitor killed with -9 leaves sockets that rm -f of the container removes" {
	"$CTR" run -d --name exk busybox sleep 100 >/dev/null
	wait_running exk
	drive 'u:# |w:\x10\x11' exec -it exk sh
	[[ "$output" == *"exit=0" ]]
	pid=$(pgrep -f "ctr-lite-exec-monitor --root $CTR_LITE_ROOT ")
	[ -n "$(ls "$CTR_LITE_RUNROOT" | grep -E '^attach-')" ]
	kill -9 $pid
	"$CTR" rm -f exk >/dev/null
	[ -z "$(ls "$CTR_LITE_RUNROOT" | grep -E '^(attach|console)-')" ] || { ls "$CTR_LITE_RUNROOT"; false; }
}

@test "start -ai of a -t container and exec -t leave on SIGTERM or SIGINT with 128+N (docker's CLI dies of it); the container and process run on" {
	"$CTR" create -it --name s3 busybox sh -c 'trap "echo got TERM; exit 5" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	drive 'u:ready|k:15' start -ai s3
	[[ "$output" != *"got TERM"* ]]
	[[ "$output" == *"exit=143" ]]
	running s3
	drive 'u:ready|k:2' attach s3
	[[ "$output" == *"exit=130" ]]
	running s3
	"$CTR" rm -f s3 >/dev/null
	"$CTR" run -d --name ex2 busybox sleep 100 >/dev/null
	wait_running ex2
	drive 'u:ready|k:15' exec -it ex2 sh -c 'echo ready; touch /tmp/a; sleep 30'
	[[ "$output" == *"exit=143" ]]
	drive 'u:ready|k:2' exec -t ex2 sh -c 'echo ready; sleep 30'
	[[ "$output" == *"exit=130" ]]
	# the exec'd processes run on, as after the detach keys
	ctr exec ex2 sh -c 'ps -o args | grep -c "^sleep 30"'
	[ "$output" = 2 ]
}
