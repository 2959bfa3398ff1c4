#!/usr/bin/env bats
# --sdnotify against a stand-in for systemd's notify socket
# (test/notify-listener.py, which records each datagram with its
# sender's PID): what the monitor sends, and what the container sees.
# Then under a real systemd (test/systemd.bash): Type=notify units of
# generate systemd --new, and the journald log driver against
# systemd-journald.

load helpers
load systemd
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
	teardown_systemd
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

@test "sdnotify conmon: the monitor sends MAINPID (itself) before run -d returns, then READY=1, and the container has no NOTIFY_SOCKET" {
	start_notify
	"$CTR" run -d --name c1 --network none --sdnotify conmon busybox sh -c 'echo "sock=$NOTIFY_SOCKET"; sleep 100' >/dev/null
	notes 2
	mon=$(monitor c1)
	[ "$(note 1 pid)" = "$mon" ] # sent by the monitor, which stays the unit's main process
	[ "$(note 1 msg)" = "MAINPID=$mon" ]
	[ "$(note 2 pid)" = "$mon" ] # by its waiter, the same process after its exec
	[ "$(note 2 msg)" = READY=1 ]
	[ "$("$CTR" inspect -f '{{.Config.SdNotify}}' c1)" = conmon ]
	wait_log c1 'sock='
	[ ! -e "$CTR_LITE_RUNROOT/containers/$("$CTR" inspect -f '{{.Id}}' c1)/notify" ]
}

@test "sdnotify conmon: an abstract NOTIFY_SOCKET (@name) works; a foreground run notifies as the CLI" {
	start_notify "@ctr-lite-test-$$-$RANDOM"
	"$CTR" run -d --name c2 --network none --sdnotify conmon busybox sleep 100 >/dev/null
	notes 2
	[ "$(note 1 msg)" = "MAINPID=$(monitor c2)" ]
	[ "$(note 2 msg)" = READY=1 ]
	"$CTR" run --rm --network none --sdnotify conmon busybox true
	notes 3
	pid=$(note 3 pid)
	[ "$(note 3 msg)" = "$(printf 'MAINPID=%s\nREADY=1' "$pid")" ] # the run itself waits on the container
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

# --- under a real systemd ---

# gen_unit NAME CREATE-ARGS...: inside, create container NAME (vfs, no
# network), install its generate systemd --new unit as
# container-NAME.service (--files --name) and remove the container.
gen_unit() {
	local name=$1
	shift
	in_sd sh -c 'cd /etc/systemd/system && n=$1 && shift && CTR_LITE_STORAGE_DRIVER=vfs ctr-lite create --name "$n" --network none "$@" >/dev/null &&
		ctr-lite generate systemd --new --name --files "$n" >/dev/null && ctr-lite rm "$n" >/dev/null && systemctl daemon-reload' sh "$name" "$@"
}

# monitor_sd NAME: the PID of the inner container's monitor.
monitor_sd() { ctr_sd inspect -f '{{.State.MonitorPid}}' "$1"; }

# stopped_clean UNIT: stop UNIT; it ends inactive and successful, with no
# container and no monitor left.
stopped_clean() {
	in_sd systemctl stop "$1"
	[ "$(show "$1" ActiveState)" = inactive ]
	[ "$(show "$1" Result)" = success ]
	[ -z "$(ctr_sd ps -aq)" ]
	run ! in_sd pgrep -f "ctr-lite-(monitor|waiter)"
	[ -z "$(in_sd find /run/ctr-lite/containers -mindepth 1)" ]
}

@test "systemd: a Type=notify unit (generate systemd --new) is active once its monitor said READY=1, its MainPID the monitor; journald gets the output; a killed container is restarted; stop leaves nothing" {
	boot_systemd
	gen_unit gen --log-driver journald busybox sh -c 'echo hello-from-gen; trap "exit 0" TERM; while :; do sleep 0.1; done'
	grep -qx 'Type=notify' <(in_sd cat /etc/systemd/system/container-gen.service)
	in_sd systemctl start container-gen # Type=notify: returns once READY=1 arrived
	[ "$(show container-gen ActiveState)" = active ]
	main=$(show container-gen MainPID)
	[ "$main" = "$(monitor_sd gen)" ]
	in_sd cat /proc/"$main"/cmdline | tr '\0' ' ' | grep -Eq '^ctr-lite-(monitor-wait|waiter) --root /var/lib/ctr-lite '
	for _ in $(seq 50); do in_sd journalctl -u container-gen --no-pager -o cat | grep -qx hello-from-gen && break; sleep 0.1; done
	in_sd journalctl -u container-gen --no-pager -o cat | grep -qx hello-from-gen # the monitor is in the unit
	in_sd journalctl --no-pager -o cat CONTAINER_NAME=gen | grep -qx hello-from-gen
	[ "$(ctr_sd logs gen)" = hello-from-gen ] # through journalctl
	kill_container gen
	wait_restarted container-gen "$main" # the monitor exits 137, the container's status: Restart=on-failure
	wait_inner gen
	[ "$(show container-gen MainPID)" = "$(monitor_sd gen)" ]
	stopped_clean container-gen
}

@test "systemd: --sdnotify container: start waits for the service's own READY=1, relayed by its monitor" {
	boot_systemd
	in_sd sh -c 'CTR_LITE_STORAGE_DRIVER=vfs ctr-lite load -q -i /opt/debian-systemd.tar'
	gen_unit svc --sdnotify container debian-systemd:bookworm \
		sh -c 'sleep 2; systemd-notify --ready --status=serving; trap "exit 0" TERM; while :; do sleep 0.1; done'
	in_sd grep -q -- '--sdnotify container ' /etc/systemd/system/container-svc.service
	start=$SECONDS
	in_sd systemctl start container-svc
	[ $((SECONDS - start)) -ge 2 ] # not before the service said so
	[ "$(show container-svc ActiveState)" = active ]
	[ "$(show container-svc StatusText)" = serving ]
	[ "$(show container-svc MainPID)" = "$(monitor_sd svc)" ]
	stopped_clean container-svc
}
