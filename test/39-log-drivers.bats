#!/usr/bin/env bats
# --log-driver none, passthrough and journald (issue 12).

load helpers
bats_require_minimum_version 1.5.0

@test "log-driver none: no log file, attach still sees the output, logs cannot read" {
	"$CTR" run -d --name n1 --log-driver none busybox sh -c 'sleep 0.5; for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.2; done; exit 3' >/dev/null
	ctr attach n1
	assert_status 3
	[[ "$output" == *out3* ]] || { echo "$output"; false; }
	[[ "$stderr" == *err3* ]] || { echo "$stderr"; false; }
	id=$("$CTR" inspect -f '{{.Id}}' n1)
	[ ! -e "$CTR_LITE_ROOT/containers/$id/$id-json.log" ] || { ls -l "$CTR_LITE_ROOT/containers/$id"; false; }
	ctr logs n1
	assert_status 1
	one_line_error "configured logging driver does not support reading"
	# attached: the output is the caller's, and nothing is kept
	ctr run --name n2 --log-driver none busybox sh -c 'echo hi; echo oops >&2'
	assert_status 0
	[ "$output" = hi ] && [ "$stderr" = oops ]
	id=$("$CTR" inspect -f '{{.Id}}' n2)
	[ ! -e "$CTR_LITE_ROOT/containers/$id/$id-json.log" ]
	ctr run --rm --log-driver none --log-opt max-size=1m busybox true
	assert_status 125
	one_line_error "log driver none takes no options"
}

@test "log-driver passthrough: the container writes to the caller's own descriptors; -d refused; logs cannot read" {
	# the same pipe inside and out: nothing copies in between
	out=$( { readlink /proc/self/fd/1; "$CTR" run --name p1 --log-driver passthrough busybox sh -c 'readlink /proc/self/fd/1; readlink /proc/self/fd/2 >&2' 2>&1; } | cat)
	[ "$(printf '%s\n' "$out" | sort -u | wc -l)" -eq 1 ] || { echo "$out"; false; }
	[[ "$out" == pipe:* ]]
	# json-file, for contrast, copies through a pipe of its own
	out=$( { readlink /proc/self/fd/1; "$CTR" run --rm busybox readlink /proc/self/fd/1; } | cat)
	[ "$(printf '%s\n' "$out" | sort -u | wc -l)" -eq 2 ]
	# the container's exit status is still the run's
	ctr run --rm --log-driver passthrough busybox sh -c 'echo hi; exit 5'
	assert_status 5
	[ "$output" = hi ]
	ctr logs p1
	assert_status 1
	one_line_error "configured logging driver does not support reading"
	ctr run -d --name p2 --log-driver passthrough busybox sleep 5
	assert_status 125
	one_line_error "--log-driver passthrough cannot be used with a detached container"
	ctr inspect p2
	assert_status 1 # refused before a container was made
	"$CTR" create --name p3 --log-driver passthrough busybox true >/dev/null
	ctr start p3
	assert_status 1
	one_line_error "cannot be used with a detached container"
	# on the caller's terminal it is refused (TIOCSTI), as podman does
	run script -qec "'$CTR' run --rm --log-driver passthrough busybox echo leaked" /dev/null
	[ "$status" -eq 125 ] || { echo "$status $output"; false; }
	[[ "$output" == *"cannot be used on a terminal"* ]] && [[ "$output" != *leaked* ]]
	# the exit status and signals: SIGTERM reaches the container's trap
	"$CTR" run --rm --log-driver passthrough busybox sh -c 'trap "echo got TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/o" & pid=$!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/o" ] && break; sleep 0.1; done
	kill -TERM $pid
	st=0; wait $pid || st=$?
	[ "$st" -eq 7 ] || { echo "status $st"; cat "$BATS_TEST_TMPDIR/o"; false; }
	grep -q "got TERM" "$BATS_TEST_TMPDIR/o"
}
