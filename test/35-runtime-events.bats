#!/usr/bin/env bats
# A container's own --runtime (docker's run --runtime), kept in its record
# and used by every later command on it; and the events of update and exec.

load helpers
bats_require_minimum_version 1.5.0

# wrapper_runtime: a runtime that logs its argv, one call a line, to
# $RUNTIME_LOG and runs ctr-lite's runc (by absolute path: it must not
# find itself or another runc on PATH).
wrapper_runtime() {
	RUNC=$(cd "$BATS_TEST_DIRNAME/.." && pwd)/bin/runc
	RUNTIME=$CTR_LITE_TEST_DIR/wrap-runc
	RUNTIME_LOG=$CTR_LITE_TEST_DIR/wrap-runc.log
	: >"$RUNTIME_LOG"
	cat >"$RUNTIME" <<-SH
	#!/bin/sh
	echo "\$*" >>"$RUNTIME_LOG"
	exec "$RUNC" "\$@"
	SH
	chmod +x "$RUNTIME"
}

# called VERB: the wrapper ran "runc ... VERB ..." for the container.
called() { grep -E "(^| )$1 .*$ID\$|(^| )$1 $ID( |\$)" "$RUNTIME_LOG" >/dev/null || { echo "no $1 in:"; cat "$RUNTIME_LOG"; false; }; }

@test "run --runtime PATH is the container's runtime for create, start, exec, kill, pause, update and rm" {
	wrapper_runtime
	ID=$("$CTR" create --runtime "$RUNTIME" --network none --name rt1 busybox sleep 100)
	ctr inspect --format '{{.HostConfig.Runtime}}' rt1
	[ "$output" = "$RUNTIME" ]
	"$CTR" start rt1
	wait_running rt1
	called create
	called start
	ctr exec rt1 cat /proc/1/cmdline
	assert_status 0
	[[ $output == sleep* ]]
	grep -q "^--root .* exec .*$ID\$" "$RUNTIME_LOG"
	"$CTR" pause rt1 && "$CTR" unpause rt1
	called pause
	called resume
	"$CTR" update --cpu-shares 512 rt1 >/dev/null
	called update
	# inside the container: the new weight is in its cgroup
	ctr exec rt1 cat /sys/fs/cgroup/cpu.weight
	[ "$output" != 100 ]
	"$CTR" kill -s USR1 rt1
	called kill
	"$CTR" rm -f rt1
	called delete
	assert_no_leftovers
}

@test "run --runtime NAME finds it on PATH once, at create; without it inspect shows runc" {
	wrapper_runtime
	mkdir -p "$CTR_LITE_TEST_DIR/bin"
	cp "$RUNTIME" "$CTR_LITE_TEST_DIR/bin/my-runc"
	PATH=$CTR_LITE_TEST_DIR/bin:$PATH "$CTR" run -d --runtime my-runc --network none --name rt2 busybox sleep 100 >/dev/null
	wait_running rt2
	ctr inspect --format '{{.HostConfig.Runtime}}' rt2
	[ "$output" = my-runc ]
	: >"$RUNTIME_LOG"
	# a later command without that PATH still uses the container's runtime
	"$CTR" stop -t 1 rt2 >/dev/null
	grep -q " kill " "$RUNTIME_LOG"
	"$CTR" rm rt2 >/dev/null
	"$CTR" create --name rt3 busybox true >/dev/null
	ctr inspect --format '{{.HostConfig.Runtime}}' rt3
	[ "$output" = runc ]
	# docker's pointers: null when unset
	ctr inspect --format '{{json .HostConfig.PidsLimit}} {{json .HostConfig.OomKillDisable}} {{json .HostConfig.MemorySwappiness}}' rt3
	[ "$output" = "null null null" ]
	"$CTR" rm rt3 >/dev/null
	assert_no_leftovers
}

@test "a runtime that is not there is a one-line error at create (125), leaving nothing" {
	ctr create --runtime /nonexistent/runc busybox true
	assert_status 125
	one_line_error 'runtime "/nonexistent/runc"'
	ctr run --rm --runtime no-such-runtime-here busybox true
	assert_status 125
	one_line_error 'runtime "no-such-runtime-here"'
	ctr ps -aq
	[ -z "$output" ]
	assert_no_leftovers
}

@test "review 11c: a runtime another user could replace is refused; a container whose runtime is gone is still killed by rm -f" {
	wrapper_runtime
	shared=$CTR_LITE_TEST_DIR/shared
	mkdir -p "$shared" && chmod 0777 "$shared"
	cp "$RUNTIME" "$shared/runc"
	ctr create --runtime "$shared/runc" busybox true
	assert_status 125
	one_line_error "in a directory another user may write"
	chmod 0777 "$RUNTIME"
	ctr create --runtime "$RUNTIME" busybox true
	assert_status 125
	one_line_error "may be replaced by another user"
	chmod 0755 "$RUNTIME"
	"$CTR" run -d --name gone --runtime "$RUNTIME" busybox sleep 300 >/dev/null
	wait_running gone
	pid=$("$CTR" inspect -f '{{.State.Pid}}' gone)
	mv "$RUNTIME" "$RUNTIME.away"
	ctr rm -f gone
	assert_status 0
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null
	mv "$RUNTIME.away" "$RUNTIME"
}

@test "events: update, and exec's exec_create/exec_start: CMD and exec_die with execID and exitCode" {
	"$CTR" run -d --name ev --network none busybox sleep 100 >/dev/null
	wait_running ev
	since=$(date +%s.%N)
	"$CTR" update --cpu-shares 512 ev >/dev/null
	ctr exec ev sh -c 'exit 3'
	assert_status 3
	"$CTR" exec ev true
	u=$(date +%s.%N)
	ctr events --since "$since" --until "$u" --filter event=update
	assert_status 0
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
	[[ $output =~ \ container\ update\ [0-9a-f]{64}\ \(image=busybox,\ name=ev\)$ ]]
	ctr events --since "$since" --until "$u" --filter event=exec_create --format '{{.Action}}|{{.Actor.Attributes.execID}}'
	[ "${lines[0]%%|*}" = "exec_create: sh -c exit 3" ]
	[ "${lines[1]%%|*}" = "exec_create: true " ] # docker's: entrypoint, a space, the arguments
	first=${lines[0]#*|}
	[[ $first =~ ^[0-9a-f]{64}$ ]]
	ctr events --since "$since" --until "$u" --filter event=exec_start --format '{{.Action}}|{{.Actor.Attributes.execID}}'
	[ "${lines[0]}" = "exec_start: sh -c exit 3|$first" ]
	ctr events --since "$since" --until "$u" --filter event=exec_die --filter container=ev
	[ "${#lines[@]}" = 2 ]
	[[ ${lines[0]} == *" container exec_die "*"(execID=$first, exitCode=3, image=busybox, name=ev)" ]]
	[[ ${lines[1]} == *"exitCode=0, image=busybox, name=ev)" ]]
	# in order: create, start, die of one exec
	ctr events --since "$since" --until "$u" --filter container=ev --format '{{.Action}}'
	[ "$(printf '%s\n' "$output" | cut -d: -f1 | head -4 | tr '\n' ,)" = "update,exec_create,exec_start,exec_die," ]
	# a stopped container's update is an event too, as docker's
	"$CTR" stop -t 1 ev >/dev/null
	since=$(date +%s.%N)
	"$CTR" update --memory 64m ev >/dev/null
	ctr events --since "$since" --until "$(date +%s.%N)" --filter event=update --format '{{.Actor.Attributes.name}}'
	[ "$output" = ev ]
	"$CTR" rm ev >/dev/null
}
