#!/usr/bin/env bats
# Health checks: the --health-* flags and the image's HEALTHCHECK, run by
# the container's monitor (a timer that runs `ctr-lite healthcheck run
# --internal-from-monitor`), State.Health and ps as docker shows them,
# health_status events, healthcheck run, wait --condition and
# --health-on-failure. Intervals are 1s; every wait is a generous poll.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	make_health_image
}

# make_health_image writes busybox with a HEALTHCHECK in its config
# (docker's Healthcheck field, durations in ns) as health:latest.
make_health_image() {
	local dir=$CTR_LITE_TEST_DIR/hcimage old new
	mkdir -p "$dir"
	tar -xf "$TESTDATA/busybox.tar" -C "$dir"
	old=$(jq -r '.[0].Config' "$dir/manifest.json")
	jq -c '.config.Healthcheck = {"Test": ["CMD-SHELL", "test -e /bin/sh"], "Interval": 1000000000, "Retries": 2}' "$dir/$old" >"$dir/new.json"
	new=$(sha256sum "$dir/new.json" | cut -d' ' -f1).json
	mv "$dir/new.json" "$dir/$new"
	rm "$dir/$old"
	jq -c --arg c "$new" '.[0].Config = $c | .[0].RepoTags = ["health:latest"]' "$dir/manifest.json" >"$dir/m" && mv "$dir/m" "$dir/manifest.json"
	(cd "$dir" && tar -cf ../health.tar .)
	"$CTR" load -q -i "$CTR_LITE_TEST_DIR/health.tar"
}

# health NAME: the container's health status ("" without one).
health() { "$CTR" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1"; }

# wait_health NAME STATUS: poll (up to 60 s) until the status is STATUS.
wait_health() {
	for _ in $(seq 600); do
		[ "$(health "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 is $(health "$1"), not $2: $("$CTR" inspect -f '{{json .State.Health}}' "$1")" >&2
	return 1
}

# wait_for CMD...: poll (up to 60 s) until CMD succeeds.
wait_for() {
	for _ in $(seq 600); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# notify_listener SOCK OUT: bind a datagram socket at SOCK (systemd's
# NOTIFY_SOCKET) and write the first message to OUT.
notify_listener() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
while True:
    m = s.recv(4096).decode()
    print(m, flush=True)
    if "READY=1" in m.split("\n"):
        break
' "$1" >"$2"
}

log_len() { [ "$("$CTR" inspect -f '{{len .State.Health.Log}}' "$1")" -ge "$2" ]; }

@test "starting, then healthy once the check passes: Config.Healthcheck, State.Health, ps, event" {
	since=$(date +%s)
	ctr run -d --name web --network none --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 100 busybox sleep 1000
	assert_status 0
	[ "$(health web)" = starting ]
	ctr ps --format '{{.Status}}'
	[[ "$output" == "Up "*" (health: starting)" ]]
	ctr inspect -f '{{json .Config.Healthcheck}}' web
	[ "$output" = '{"Interval":1000000000,"Retries":100,"Test":["CMD-SHELL","test -e /tmp/ok"]}' ]
	"$CTR" exec web touch /tmp/ok
	wait_health web healthy
	ctr ps --format '{{.Status}}'
	[[ "$output" == "Up "*" (healthy)" ]]
	last=$("$CTR" inspect web | jq -c '.[0].State.Health.Log[-1] | [.ExitCode, (.End >= .Start), .Output]')
	[ "$last" = '[0,true,""]' ]
	ctr events --since "$since" --until 0s --filter container=web
	[[ "$output" == *"health_status: healthy"* ]]
	[ "$(grep -c 'health_status' <<<"$output")" -eq 1 ]
}

@test "a failing check: unhealthy after the retries, FailingStreak, the last 5 results with their output; ps -f health=" {
	since=$(date +%s)
	"$CTR" run -d --name bad --network none --health-cmd 'echo out; sleep 0.1; echo err >&2; exit 3' --health-interval 1s --health-retries 2 busybox sleep 1000 >/dev/null
	"$CTR" run -d --name plain --network none busybox sleep 1000 >/dev/null
	wait_health bad unhealthy
	wait_for log_len bad 6 2>/dev/null || wait_for log_len bad 5
	wait_for sh -c "[ \$('$CTR' inspect -f '{{.State.Health.FailingStreak}}' bad) -ge 6 ]"
	run -0 sh -c "'$CTR' inspect bad | jq -c '.[0].State.Health | [(.Log | length), .Log[-1].ExitCode, .Log[-1].Output]'"
	[ "$output" = '[5,3,"out\nerr\n"]' ] || { echo "got $output"; false; }
	ctr ps --format '{{.Names}} {{.Status}}'
	[[ "$(grep '^bad ' <<<"$output")" == "bad Up "*" (unhealthy)" ]]
	[[ "$(grep '^plain ' <<<"$output")" != *"("* ]]
	ctr ps -f health=unhealthy --format '{{.Names}}'
	[ "$output" = bad ]
	ctr ps -f health=none --format '{{.Names}}'
	[ "$output" = plain ]
	ctr ps -f health=healthy -q
	[ -z "$output" ]
	ctr events --since "$since" --until 0s --filter container=bad
	[[ "$output" == *"health_status: unhealthy"* ]]
	[ "$(grep -c 'health_status' <<<"$output")" -eq 1 ] # one per change
}

@test "a check that outlives its timeout is killed and fails with docker's message" {
	"$CTR" run -d --name hung --network none --health-cmd 'sleep 1000' --health-timeout 1s --health-interval 1s --health-retries 1 busybox sleep 999 >/dev/null
	wait_health hung unhealthy
	run -0 sh -c "'$CTR' inspect hung | jq -c '.[0].State.Health.Log[0] | [.ExitCode, .Output]'"
	[ "$output" = '[-1,"Health check exceeded timeout (1s)"]' ]
	# the hung test's process was killed, not left to pile up
	wait_for sh -c "! '$CTR' exec hung ps -o args | grep -q '^sleep 1000'"
}

@test "failures in the start period are not counted; checks then run at the start interval" {
	"$CTR" run -d --name slow --network none --health-cmd false --health-start-period 1h --health-start-interval 1s --health-interval 1h --health-retries 1 busybox sleep 1000 >/dev/null
	wait_for log_len slow 3
	ctr inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' slow
	[ "$output" = "starting 0" ]
	ctr healthcheck run slow
	assert_status 1
	[ "$output" = starting ]
}

@test "the image's HEALTHCHECK is used, a flag overrides one field, --no-healthcheck disables it" {
	ctr image inspect -f '{{json .Config.Healthcheck}}' health
	[ "$output" = '{"Interval":1000000000,"Retries":2,"Test":["CMD-SHELL","test -e /bin/sh"]}' ]
	"$CTR" run -d --name img --network none health sleep 1000 >/dev/null
	ctr inspect -f '{{json .Config.Healthcheck}}' img
	[ "$output" = '{"Interval":1000000000,"Retries":2,"Test":["CMD-SHELL","test -e /bin/sh"]}' ]
	wait_health img healthy
	"$CTR" run -d --name over --network none --health-retries 7 --health-cmd 'exit 0' health sleep 1000 >/dev/null
	ctr inspect -f '{{json .Config.Healthcheck}}' over
	[ "$output" = '{"Interval":1000000000,"Retries":7,"Test":["CMD-SHELL","exit 0"]}' ]
	"$CTR" run -d --name off --network none --no-healthcheck health sleep 1000 >/dev/null
	ctr inspect -f '{{json .Config.Healthcheck.Test}} {{json .State.Health}}' off
	[ "$output" = '["NONE"] null' ]
	ctr ps -f health=none --format '{{.Names}} {{.Status}}'
	[[ "$output" == "off Up "*[a-z] ]]
	ctr healthcheck run off
	assert_status 125
	one_line_error "has no defined healthcheck"
	ctr run --rm --no-healthcheck --health-interval 2s health true
	assert_status 125
	one_line_error "--no-healthcheck conflicts with --health-* options"
	ctr run --rm --health-interval=-1s busybox true
	assert_status 125
	one_line_error "--health-interval cannot be negative"
}

@test "healthcheck run: 0 when the check passes, 1 and 'unhealthy' when it fails, 125 on errors; output kept to 4096 bytes" {
	"$CTR" run -d --name hc --network none --health-cmd 'test -e /tmp/ok' --health-interval 1h busybox sleep 1000 >/dev/null
	ctr healthcheck run hc
	assert_status 1
	[ "$output" = unhealthy ]
	"$CTR" exec hc touch /tmp/ok
	ctr healthcheck run hc
	assert_status 0
	[ -z "$output" ]
	[ "$(health hc)" = healthy ]
	ctr healthcheck run nosuch
	assert_status 125
	one_line_error "nosuch"
	"$CTR" stop -t 0 hc >/dev/null
	ctr healthcheck run hc
	assert_status 125
	one_line_error "is not running"
	"$CTR" run -d --name big --network none --health-cmd 'head -c 5000 /dev/zero | tr "\0" a' --health-interval 1h busybox sleep 1000 >/dev/null
	ctr healthcheck run big
	assert_status 0
	run -0 sh -c "'$CTR' inspect big | jq -r '.[0].State.Health.Log[-1].Output'"
	[ "${#output}" -eq 4099 ]
	[[ "$output" == *a... ]]
}

@test "wait --condition healthy returns once healthy and prints -1; running; stopped prints the exit code" {
	"$CTR" run -d --name svc --network none --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 100 busybox sleep 1000 >/dev/null
	"$CTR" wait --condition healthy svc >"$CTR_LITE_TEST_DIR/waited" &
	waiter=$!
	"$CTR" exec svc touch /tmp/ok
	wait $waiter
	[ "$(cat "$CTR_LITE_TEST_DIR/waited")" = -1 ]
	[ "$(health svc)" = healthy ]
	ctr wait --condition running --condition exited svc
	assert_status 0
	[ "$output" = -1 ]
	ctr wait --condition ready svc
	assert_status 125
	one_line_error 'invalid --condition "ready"'
	"$CTR" kill svc >/dev/null
	ctr wait --condition stopped svc
	assert_status 0
	[ "$output" = 137 ]
	ctr wait --condition healthy svc
	assert_status 1
	one_line_error "before meeting the condition healthy"
	ctr wait svc # docker's wait, unchanged
	[ "$output" = 137 ]
}

@test "--health-on-failure kill ends the container for good (no restart by its policy)" {
	"$CTR" run -d --name k --network none --restart always --health-cmd false --health-interval 1s --health-retries 1 --health-on-failure kill busybox sleep 1000 >/dev/null
	wait_for sh -c "[ \"\$('$CTR' inspect -f '{{.State.Status}}' k)\" = exited ]"
	ctr inspect -f '{{.State.ExitCode}} {{.RestartCount}} {{.State.Health.Status}} {{.Config.HealthcheckOnFailureAction}}' k
	[ "$output" = "137 0 unhealthy kill" ]
	sleep 2
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.RestartCount}}' k)" = "exited 0" ]
}

@test "--health-on-failure restart restarts through the monitor (no restart policy needed); a stop stays final" {
	"$CTR" run -d --name r --network none --stop-signal KILL --health-cmd 'test ! -e /tmp/bad' --health-interval 1s --health-retries 1 --health-on-failure restart busybox sleep 1000 >/dev/null
	wait_health r healthy
	pid=$("$CTR" inspect -f '{{.State.Pid}}' r)
	"$CTR" exec r touch /tmp/bad
	wait_for sh -c "[ \$('$CTR' inspect -f '{{.RestartCount}}' r) -ge 1 ]"
	wait_running r
	[ "$("$CTR" inspect -f '{{.State.Pid}}' r)" != "$pid" ]
	[ "$(health r)" = starting ] || [ "$(health r)" = unhealthy ]
	"$CTR" stop r >/dev/null
	count=$("$CTR" inspect -f '{{.RestartCount}}' r)
	sleep 3
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.RestartCount}}' r)" = "exited $count" ]
}

@test "a check runs as the container's user (non-root in the Debian image)" {
	load_debian >/dev/null
	"$CTR" run -d --name deb --network none -u nobody --health-cmd 'id -un' --health-interval 1s debian sleep 1000 >/dev/null
	wait_health deb healthy
	run -0 sh -c "'$CTR' inspect deb | jq -r '.[0].State.Health.Log[-1].Output'"
	[ "$output" = nobody ]
}

@test "a foreground run's checks run from the attached ctr-lite" {
	"$CTR" run --name fg --network none --health-cmd 'exit 0' --health-interval 1s busybox sleep 1000 >/dev/null 2>&1 &
	wait_running fg
	wait_health fg healthy
	"$CTR" kill fg >/dev/null
	wait
}

@test "--sdnotify healthy: READY=1 reaches NOTIFY_SOCKET once the container is healthy" {
	"$CTR" run --help | grep -q -- '--sdnotify' || skip "--sdnotify is not in this build (issue 12's systemd part)"
	sock=$CTR_LITE_TEST_DIR/notify.sock
	notify_listener "$sock" "$CTR_LITE_TEST_DIR/notified" &
	listener=$!
	wait_for test -S "$sock"
	NOTIFY_SOCKET=$sock "$CTR" run -d --name n --network none --sdnotify healthy --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 100 busybox sleep 1000 >/dev/null
	sleep 2
	# the monitor names itself at once (MAINPID), READY=1 not before healthy
	[[ "$(cat "$CTR_LITE_TEST_DIR/notified")" =~ ^MAINPID=[0-9]+$ ]]
	"$CTR" exec n touch /tmp/ok
	wait $listener
	[ "$(tail -1 "$CTR_LITE_TEST_DIR/notified")" = "READY=1" ]
	[ "$(grep -c . "$CTR_LITE_TEST_DIR/notified")" = 2 ]
}

@test "SdNotify healthy: the check that first sees the container healthy sends READY=1, and no earlier one" {
	# Config.SdNotify is set in the record directly: --sdnotify itself is
	# the systemd part's flag (see the test above).
	id=$("$CTR" create --name sn --network none --health-cmd 'test -e /tmp/ok' --health-interval 1h busybox sleep 1000)
	rec=$CTR_LITE_ROOT/containers/$id/config.v2.json
	jq -c '.Config.SdNotify = "healthy"' "$rec" >"$rec.new" && mv "$rec.new" "$rec"
	"$CTR" start sn
	sock=$CTR_LITE_TEST_DIR/notify2.sock
	notify_listener "$sock" "$CTR_LITE_TEST_DIR/notified2" &
	listener=$!
	wait_for test -S "$sock"
	NOTIFY_SOCKET=$sock run -1 "$CTR" healthcheck run sn
	[ ! -s "$CTR_LITE_TEST_DIR/notified2" ]
	"$CTR" exec sn touch /tmp/ok
	NOTIFY_SOCKET=$sock run -0 "$CTR" healthcheck run sn
	wait $listener
	[ "$(cat "$CTR_LITE_TEST_DIR/notified2")" = "READY=1" ]
}

# big_files: files over 10 MB under the runroot or the containers' part
# of the root (image layers are big on their own).
big_files() { find "$CTR_LITE_ROOT/containers" "$CTR_LITE_RUNROOT" -xdev -type f -size +10M 2>/dev/null; }

@test "a check that writes without end keeps 4096 bytes of it and stores no more anywhere" {
	"$CTR" run -d --name yes --network none --health-cmd yes --health-timeout 2s --health-interval 1s --health-retries 100 busybox sleep 1000 >/dev/null
	# while checks run (each 2 s of yes), nothing grows under the roots
	for _ in $(seq 50); do
		[ -z "$(big_files)" ] || { big_files; ls -l $(big_files); false; }
		sleep 0.1
	done
	wait_for log_len yes 1
	run -0 sh -c "'$CTR' inspect yes | jq -r '.[0].State.Health.Log[0] | .ExitCode, (.Output | length)'"
	[ "${lines[0]}" = -1 ]
	[ "${lines[1]}" -le 4099 ]
	run -0 sh -c "'$CTR' inspect yes | jq -r '.[0].State.Health.Log[0].Output'"
	[[ "$output" == "Health check exceeded timeout (2s)"* ]]
}

# ignoring_term: a container command whose init ignores SIGTERM and exits
# 0 once /tmp/exit exists.
ignoring_term='trap "" TERM; while [ ! -e /tmp/exit ]; do sleep 0.2; done'
# fails_once: a check that fails once after /tmp/bad appears.
fails_once='if [ -e /tmp/bad ]; then rm /tmp/bad; exit 1; fi'

@test "--health-on-failure restart of a container that ignores SIGTERM: it restarts; a later plain exit with --restart no stays down" {
	"$CTR" run -d --name rt --network none --stop-timeout 2 --health-cmd "$fails_once" --health-interval 1s --health-timeout 1s --health-retries 1 --health-on-failure restart busybox sh -c "$ignoring_term" >/dev/null
	wait_health rt healthy
	pid=$("$CTR" inspect -f '{{.State.Pid}}' rt)
	"$CTR" exec rt touch /tmp/bad
	wait_for sh -c "[ \$('$CTR' inspect -f '{{.RestartCount}}' rt) -ge 1 ]"
	wait_running rt
	[ "$("$CTR" inspect -f '{{.State.Pid}}' rt)" != "$pid" ]
	wait_health rt healthy
	[ "$(jq -r '.HealthRestart // false' "$CTR_LITE_ROOT/containers/$("$CTR" inspect -f '{{.Id}}' rt)/config.v2.json")" = false ]
	"$CTR" exec rt touch /tmp/exit
	wait_for sh -c "[ \"\$('$CTR' inspect -f '{{.State.Status}}' rt)\" = exited ]"
	sleep 2
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' rt)" = "exited 0 1" ]
}

@test "--health-on-failure restart whose stop outlasts the check's kill window still restarts, and leaves no restart for a later exit" {
	# --stop-timeout 12 > --health-timeout 1s + the scheduler's 10 s grace
	"$CTR" run -d --name rt2 --network none --stop-timeout 12 --health-cmd "$fails_once" --health-interval 1s --health-timeout 1s --health-retries 1 --health-on-failure restart busybox sh -c "$ignoring_term" >/dev/null
	wait_health rt2 healthy
	"$CTR" exec rt2 touch /tmp/bad
	wait_for sh -c "[ \$('$CTR' inspect -f '{{.RestartCount}}' rt2) -ge 1 ]"
	wait_health rt2 healthy
	"$CTR" exec rt2 touch /tmp/exit
	wait_for sh -c "[ \"\$('$CTR' inspect -f '{{.State.Status}}' rt2)\" = exited ]"
	sleep 2
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' rt2)" = "exited 0 1" ]
}

@test "--health-on-failure stop of a container that ignores SIGTERM: killed after its stop timeout, not restarted" {
	"$CTR" run -d --name st --network none --restart always --stop-timeout 2 --health-cmd "$fails_once" --health-interval 1s --health-timeout 1s --health-retries 1 --health-on-failure stop busybox sh -c "$ignoring_term" >/dev/null
	wait_health st healthy
	"$CTR" exec st touch /tmp/bad
	wait_for sh -c "[ \"\$('$CTR' inspect -f '{{.State.Status}}' st)\" = exited ]"
	sleep 2
	[ "$("$CTR" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' st)" = "exited 137 0" ]
}

@test "scheduled checks do not read the config file: a file broken after the start leaves the status healthy" {
	conf=$CTR_LITE_TEST_DIR/daemon.json env=$CTR_LITE_TEST_DIR/env-daemon.json
	echo '{"log-level": "warn"}' >"$conf"
	echo '{"log-level": "warn"}' >"$env"
	CTR_LITE_CONFIG=$env "$CTR" --config-file "$conf" run -d --name cf --network none --health-cmd true --health-interval 1s --health-retries 1 busybox sleep 1000 >/dev/null
	wait_health cf healthy
	echo '{broken' >"$conf"
	echo '{broken' >"$env"
	before=$("$CTR" inspect cf | jq -r '.[0].State.Health.Log[-1].Start')
	wait_for sh -c "[ \"\$('$CTR' inspect cf | jq -r '.[0].State.Health.Log[-1].Start')\" \> '$before' ]"
	sleep 2
	last=$("$CTR" inspect cf | jq -r '.[0].State.Health.Log[-1].Start')
	wait_for sh -c "[ \"\$('$CTR' inspect cf | jq -r '.[0].State.Health.Log[-1].Start')\" \> '$last' ]"
	[ "$(health cf)" = healthy ]
	[ "$("$CTR" inspect cf | jq -r '[.[0].State.Health.Log[].ExitCode] | max')" = 0 ]
}
