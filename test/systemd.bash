# Helpers for tests in a real systemd: Debian (testdata/debian-systemd.tar)
# booted as a privileged ctr-lite container's PID 1, with ctr-lite and
# runc bind-mounted in. Used by test/36-quadlet.bats and
# test/41-sdnotify.bats; a file that loads it calls teardown_systemd
# from its teardown.

# boot_systemd: run debian-systemd with ctr-lite and runc (bin/) and the
# busybox image bind-mounted in, wait for is-system-running, and install
# ctr-lite inside as /usr/local/bin/ctr-lite and as a systemd generator.
# Inside, ctr-lite keeps its own state on the container's filesystem,
# with the vfs driver (overlay cannot stack on the container's overlay).
boot_systemd() {
	[ -e "$TESTDATA/debian-systemd.tar" ] || skip "no testdata/debian-systemd.tar (make systemdimage)"
	"$CTR" image inspect debian-systemd:bookworm >/dev/null 2>&1 || "$CTR" load -q -i "$TESTDATA/debian-systemd.tar" >/dev/null
	local bin
	bin=$(cd "$(dirname "$CTR")" && pwd)
	[ -x "$bin/runc" ] || skip "no runc beside $CTR"
	"$CTR" run -d --name sd --privileged --network none --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
		-v "$bin:/opt/ctr-lite:ro" -v "$TESTDATA/busybox.tar:/opt/busybox.tar:ro" \
		-v "$TESTDATA/debian-systemd.tar:/opt/debian-systemd.tar:ro" debian-systemd:bookworm >/dev/null
	local state=""
	for _ in $(seq 100); do
		state=$("$CTR" exec sd systemctl is-system-running 2>/dev/null || true)
		[ "$state" = running ] && break
		[ "$state" = degraded ] && { "$CTR" exec sd systemctl --failed --no-pager >&2; return 1; }
		sleep 0.1
	done
	[ "$state" = running ] || { echo "systemd: $state"; "$CTR" logs sd; } >&2
	[ "$state" = running ]
	in_sd sh -c 'ln -s /opt/ctr-lite/ctr-lite /usr/local/bin/ctr-lite &&
		ln -s /opt/ctr-lite/ctr-lite /usr/lib/systemd/system-generators/ctr-lite-generator &&
		mkdir -p /etc/containers/systemd && CTR_LITE_STORAGE_DRIVER=vfs ctr-lite load -q -i /opt/busybox.tar'
}

in_sd() { "$CTR" exec sd "$@"; }

# ctr_sd runs ctr-lite inside (by its path: exec looks a command up in
# the image's files, where the bind-mounted /opt/ctr-lite is not).
ctr_sd() { in_sd /opt/ctr-lite/ctr-lite "$@"; }

# teardown_systemd (a file's teardown): systemd goes by its stop signal, which stops its units and
# so the inner containers (ExecStop). Killed with them running, their
# cgroups in the hybrid layout's unified hierarchy (the host's, shared)
# would stay, with no ctr-lite left to remove them.
teardown_systemd() {
	"$CTR" stop -t 30 sd >/dev/null 2>&1 || true
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
}

# show UNIT PROP: one property of a unit.
show() { in_sd systemctl show -P "$2" "$1"; }

# wait_restarted UNIT PID: the unit runs again, with another main PID.
wait_restarted() {
	for _ in $(seq 100); do
		[ "$(show "$1" NRestarts)" = 1 ] && [ "$(show "$1" ActiveState)" = active ] &&
			[ "$(show "$1" MainPID)" != "$2" ] && return 0
		sleep 0.1
	done
	in_sd systemctl status --no-pager "$1" >&2
	return 1
}

# wait_inner NAME: the inner ctr-lite's container NAME runs.
wait_inner() {
	for _ in $(seq 100); do
		[ "$(ctr_sd inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] && return 0
		sleep 0.1
	done
	echo "inner container $1 did not start" >&2
	return 1
}

# kill_container NAME: SIGKILL the container's process from inside.
kill_container() { in_sd kill -9 "$(ctr_sd inspect -f '{{.State.Pid}}' "$1")"; }
