#!/usr/bin/env bats
# --sdnotify against a stand-in for systemd's notify socket
# (test/notify-listener.py, which records each datagram with its
# sender's PID): what the monitor sends, and what the container sees.
# test/36-quadlet.bats runs the same under a real systemd.

load helpers
bats_require_minimum_version 1.5.0

# start_notify [ADDR]: a listener on ADDR (default: a socket of this
# test's own); datagrams land in $NOTES as JSON lines.
start_notify() {
	export NOTIFY_SOCKET=${1:-$BATS_TEST_TMPDIR/notify.sock} NOTES=$BATS_TEST_TMPDIR/notes.jsonl
	: >"$NOTES"
	python3 "$BATS_TEST_DIRNAME/notify-listener.py" "$NOTIFY_SOCKET" "$NOTES" & NOTIFY_PID=$!
	for _ in $(seq 50); do
		[[ "$NOTIFY_SOCKET" == @* ]] && grep -q "@${NOTIFY_SOCKET#@}" /proc/net/unix && return 0
		[ -S "$NOTIFY_SOCKET" ] && return 0
		sleep 0.05
	done
	return 1
}

teardown() {
	[ -z "${NOTIFY_PID:-}" ] || { kill "$NOTIFY_PID"; wait "$NOTIFY_PID" 2>/dev/null || true; }
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
}

# notes N: wait until N datagrams arrived, and no more for a moment.
notes() {
	for _ in $(seq 50); do [ "$(wc -l <"$NOTES")" -ge "$1" ] && break; sleep 0.05; done
	sleep 0.2
	cat "$NOTES" >&2
	[ "$(wc -l <"$NOTES")" -eq "$1" ]
}

# note N FIELD: field FIELD (pid, msg) of the Nth datagram.
note() { sed -n "${1}p" "$NOTES" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

# monitor NAME: the PID of the container's monitor.
monitor() { "$CTR" inspect -f '{{.State.MonitorPid}}' "$1"; }

# wait_log NAME TEXT: the container's log has a line TEXT.
wait_log() {
	for _ in $(seq 50); do "$CTR" logs "$1" 2>/dev/null | grep -qx -- "$2" && return 0; sleep 0.05; done
	"$CTR" logs "$1" >&2
	return 1
}

@test "sdnotify conmon: the monitor sends MAINPID (itself) and READY=1 before run -d returns, and the container has no NOTIFY_SOCKET" {
	start_notify
	"$CTR" run -d --name c1 --network none --sdnotify conmon busybox sh -c 'echo "sock=$NOTIFY_SOCKET"; sleep 100' >/dev/null
	[ "$(wc -l <"$NOTES")" -le 1 ]
	notes 1
	mon=$(monitor c1)
	[ "$(note 1 pid)" = "$mon" ] # sent by the monitor, which stays the unit's main process
	[ "$(note 1 msg)" = "$(printf 'MAINPID=%s\nREADY=1' "$mon")" ]
	[ "$("$CTR" inspect -f '{{.Config.SdNotify}}' c1)" = conmon ]
	wait_log c1 'sock='
	[ ! -e "$CTR_LITE_RUNROOT/containers/$("$CTR" inspect -f '{{.Id}}' c1)/notify" ]
}

@test "sdnotify conmon: an abstract NOTIFY_SOCKET (@name) works; a foreground run notifies as the CLI" {
	start_notify "@ctr-lite-test-$$-$RANDOM"
	"$CTR" run -d --name c2 --network none --sdnotify conmon busybox sleep 100 >/dev/null
	notes 1
	[ "$(note 1 msg)" = "$(printf 'MAINPID=%s\nREADY=1' "$(monitor c2)")" ]
	"$CTR" run --rm --network none --sdnotify conmon busybox true
	notes 2
	pid=$(note 2 pid)
	[ "$(note 2 msg)" = "$(printf 'MAINPID=%s\nREADY=1' "$pid")" ] # the run itself waits on the container
}

@test "sdnotify ignore: nothing is sent and the container's NOTIFY_SOCKET is removed" {
	start_notify
	"$CTR" run -d --name i1 --network none --sdnotify ignore -e NOTIFY_SOCKET=/elsewhere busybox sh -c 'echo "sock=$NOTIFY_SOCKET"; sleep 100' >/dev/null
	wait_log i1 'sock='
	notes 0
	"$CTR" run --rm --network none --sdnotify ignore busybox true
	notes 0
}

@test "sdnotify container (the default): the monitor sends MAINPID only, the container gets NOTIFY_SOCKET on a socket of its monitor's" {
	start_notify
	"$CTR" run -d --name k1 --network none -u 65534 busybox sh -c 'echo "sock=$NOTIFY_SOCKET"; ls -lnd /run/notify; sleep 100' >/dev/null
	notes 1
	mon=$(monitor k1)
	[ "$(note 1 pid)" = "$mon" ]
	[ "$(note 1 msg)" = "MAINPID=$mon" ]
	wait_log k1 'sock=/run/notify/notify.sock'
	"$CTR" logs k1 | grep -E '^drwx------ +[0-9]+ +65534 +65534 .*/run/notify$' # the relay's directory is the container user's
}

@test "sdnotify container: what a non-root service sends reaches systemd from its monitor, without MAINPID" {
	[ -e "$TESTDATA/debian-systemd.tar" ] || skip "no testdata/debian-systemd.tar (make systemdimage)"
	"$CTR" image inspect debian-systemd:bookworm >/dev/null 2>&1 || "$CTR" load -q -i "$TESTDATA/debian-systemd.tar" >/dev/null
	start_notify
	"$CTR" run -d --name k2 --network none -u 65534 --sdnotify container debian-systemd:bookworm \
		sh -c 'sleep 0.3; systemd-notify --ready --status=serving --pid=1; sleep 100' >/dev/null
	notes 2
	mon=$(monitor k2)
	[ "$(note 1 msg)" = "MAINPID=$mon" ]
	[ "$(note 2 pid)" = "$mon" ] # relayed: systemd hears the unit's main process, not a process in another cgroup
	[ "$(note 2 msg)" = "$(printf 'READY=1\nSTATUS=serving')" ]
	"$CTR" stop -t 1 k2 >/dev/null
	"$CTR" start k2 >/dev/null # a new start, a new relay
	notes 4
	[ "$(note 4 msg)" = "$(printf 'READY=1\nSTATUS=serving')" ]
	[ "$(note 4 pid)" = "$(monitor k2)" ]
}

@test "sdnotify without NOTIFY_SOCKET does nothing; a bad mode is one line, 125" {
	unset NOTIFY_SOCKET
	"$CTR" run -d --name n1 --network none --sdnotify conmon busybox sh -c 'echo "sock=$NOTIFY_SOCKET"; sleep 100' >/dev/null
	wait_log n1 'sock='
	"$CTR" run -d --name n2 --network none busybox sh -c 'echo "sock=$NOTIFY_SOCKET"; sleep 100' >/dev/null
	wait_log n2 'sock='
	ctr run --rm --sdnotify sometimes busybox true
	assert_status 125
	one_line_error 'invalid --sdnotify "sometimes": use container, conmon, healthy or ignore'
}
