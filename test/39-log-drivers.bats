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

# start_journal: a stand-in journald (test/journal-listener.py) on a
# socket of this test's own; entries land in $JOURNAL as JSON lines.
start_journal() {
	export CTR_LITE_JOURNAL_SOCKET=$BATS_TEST_TMPDIR/journal.sock JOURNAL=$BATS_TEST_TMPDIR/journal.jsonl
	python3 "$BATS_TEST_DIRNAME/journal-listener.py" "$CTR_LITE_JOURNAL_SOCKET" "$JOURNAL" & JOURNAL_PID=$!
	for _ in $(seq 50); do [ -S "$CTR_LITE_JOURNAL_SOCKET" ] && return 0; sleep 0.05; done
	return 1
}

stop_journal() { kill "$JOURNAL_PID"; wait "$JOURNAL_PID" 2>/dev/null || true; }

# entry N FIELD: field FIELD of the journal's Nth entry (from 1)
entry() { sed -n "${1}p" "$JOURNAL" | python3 -c "import json,sys; print(json.load(sys.stdin).get('$2', '<none>'))"; }

@test "log-driver journald: run -d sends docker's fields on the native protocol, one entry a line" {
	start_journal
	id=$("$CTR" run -d --name jd1 --log-driver journald busybox sh -c 'echo out1; echo err1 >&2; sleep 0.2; printf "a=b\tc\n"')
	"$CTR" wait jd1 >/dev/null
	for _ in $(seq 50); do [ "$(wc -l <"$JOURNAL")" -ge 3 ] && break; sleep 0.05; done
	stop_journal
	cat "$JOURNAL"
	[ "$(wc -l <"$JOURNAL")" -eq 3 ]
	! grep -q _MALFORMED "$JOURNAL"
	out=$(grep -n '"MESSAGE": "out1"' "$JOURNAL" | cut -d: -f1)
	err=$(grep -n '"MESSAGE": "err1"' "$JOURNAL" | cut -d: -f1)
	[ "$(entry $out PRIORITY)" = 6 ]
	[ "$(entry $err PRIORITY)" = 3 ]
	[ "$(entry 3 MESSAGE)" = "$(printf 'a=b\tc')" ]
	[ "$(entry $out CONTAINER_ID)" = "${id:0:12}" ]
	[ "$(entry $out CONTAINER_ID_FULL)" = "$id" ]
	[ "$(entry $out CONTAINER_NAME)" = jd1 ]
	[ "$(entry $out CONTAINER_TAG)" = "${id:0:12}" ] # docker's default tag
	[ "$(entry $out SYSLOG_IDENTIFIER)" = "${id:0:12}" ]
	[ "$(entry $out IMAGE_NAME)" = busybox ]
	[ "$(entry $out CONTAINER_PARTIAL_MESSAGE)" = "<none>" ]
	# no json-file log besides
	[ ! -e "$CTR_LITE_ROOT/containers/$id/$id-json.log" ]
}

@test "log-driver journald: --log-opt tag template; an attached run is tee'd; a long line goes as partial pieces" {
	start_journal
	ctr run --name jd2 --log-driver journald --log-opt 'tag={{.Name}}/{{.ImageName}}' busybox sh -c 'echo hello; head -c 20000 /dev/zero | tr "\0" x; echo'
	assert_status 0
	[[ "$output" == hello* ]]
	for _ in $(seq 50); do [ "$(wc -l <"$JOURNAL")" -ge 3 ] && break; sleep 0.05; done
	stop_journal
	[ "$(wc -l <"$JOURNAL")" -eq 3 ] || { cat "$JOURNAL"; false; }
	[ "$(entry 1 MESSAGE)" = hello ]
	[ "$(entry 1 CONTAINER_TAG)" = jd2/busybox ]
	[ "$(entry 1 SYSLOG_IDENTIFIER)" = jd2/busybox ]
	[ "$(entry 2 CONTAINER_PARTIAL_MESSAGE)" = true ]
	[ "$(entry 3 CONTAINER_PARTIAL_MESSAGE)" = "<none>" ]
	[ $(( $(entry 2 MESSAGE | wc -c) + $(entry 3 MESSAGE | wc -c) - 2 )) -eq 20000 ]
	ctr run --rm --log-driver journald --log-opt 'tag={{.Nope}}' busybox true
	assert_status 125
	one_line_error "invalid --log-opt tag"
	ctr run --rm --log-driver journald --log-opt env=A busybox true
	assert_status 125
	one_line_error "not supported yet"
}

@test "log-driver journald: without journald run -d fails in one line" {
	export CTR_LITE_JOURNAL_SOCKET=$BATS_TEST_TMPDIR/none.sock
	ctr run -d --name jd3 --log-driver journald busybox true
	assert_status 125
	one_line_error "journald is not running"
}

@test "log-driver journald: logs runs journalctl -o json with the filters mapped; a clear error without it" {
	start_journal
	id=$("$CTR" run -d --name jd4 --log-driver journald busybox true)
	"$CTR" wait jd4 >/dev/null
	stop_journal
	bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	cat >"$bin/journalctl" <<-STUB
	#!/bin/sh
	printf '%s\n' "\$@" >"$BATS_TEST_TMPDIR/args"
	echo '{"MESSAGE":"one","PRIORITY":"6","__REALTIME_TIMESTAMP":"1700000000000000"}'
	echo '{"MESSAGE":"two","PRIORITY":"3","__REALTIME_TIMESTAMP":"1700000001000000"}'
	echo '{"MESSAGE":[104,105],"PRIORITY":"6","__REALTIME_TIMESTAMP":"1700000002000000"}'
	case " \$* " in *" -f "*) exec sleep 30 ;; esac
	STUB
	chmod +x "$bin/journalctl"
	PATH=$bin:$PATH ctr logs -t jd4
	assert_status 0
	[ "$output" = "$(printf '2023-11-14T22:13:20Z one\n2023-11-14T22:13:22Z hi')" ]
	[ "$stderr" = "2023-11-14T22:13:21Z two" ]
	[ "$(cat "$BATS_TEST_TMPDIR/args")" = "$(printf '%s\n' -o json --no-pager CONTAINER_ID_FULL=$id)" ]
	PATH=$bin:$PATH ctr logs -n 2 --since 2023-11-14T22:13:21Z --until 2023-11-14T22:13:21Z jd4
	assert_status 0
	[ -z "$output" ] && [ "$stderr" = two ]
	[ "$(cat "$BATS_TEST_TMPDIR/args")" = "$(printf '%s\n' -o json --no-pager --since @1700000001 --until @1700000002 -n 2 CONTAINER_ID_FULL=$id)" ]
	# -f ends with the container, not with journalctl (which follows on)
	PATH=$bin:$PATH run --separate-stderr timeout 10 "$CTR" logs -f jd4
	assert_status 0
	[[ "$output" == *hi ]]
	grep -qx -- -f "$BATS_TEST_TMPDIR/args"
	run --separate-stderr env PATH=$BATS_TEST_TMPDIR/empty "$CTR" logs jd4
	assert_status 1
	one_line_error "journalctl, which is not installed"
}
