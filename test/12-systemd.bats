#!/usr/bin/env bats
# generate systemd: units for hostile images and hostile arguments pass
# systemd-analyze verify, carry exactly the directives ctr-lite writes,
# and run the command line the container was created with.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
	"$CTR" load -q -i "$TESTDATA/unit-hostile.tar"
}

# The only keys ctr-lite writes; any other line start came from a payload.
KEYS='^(#|\[Unit\]$|\[Service\]$|\[Install\]$|$|Description=|Wants=|After=|StartLimitBurst=|Environment=|Restart=|TimeoutStopSec=|ExecStart=|ExecStop=|ExecStopPost=|Type=|NotifyAccess=|PIDFile=|KillMode=|WantedBy=)'

# check_unit ARGS...: generate systemd ARGS into a temp dir, verify it
# with systemd-analyze and count its directives. The unit is in $unit.
check_unit() {
	local dir=$BATS_TEST_TMPDIR/units
	mkdir -p "$dir"
	unit=$dir/ctr-lite-test.service
	"$CTR" generate systemd "$@" >"$unit"
	run systemd-analyze verify "$unit"
	if [ "$status" -ne 0 ] || grep -qiE 'ignor|invalid|unknown|unbalanced|bad|fail' <<<"$output"; then
		echo "systemd-analyze verify: $status: $output" >&2
		cat "$unit" >&2
		return 1
	fi
	[ "$(grep -c '^ExecStart=' "$unit")" -eq 1 ] || { echo "not one ExecStart=" >&2; cat "$unit" >&2; return 1; }
	if grep -vE "$KEYS" "$unit"; then
		echo "lines above are no directive ctr-lite writes" >&2
		cat "$unit" >&2
		return 1
	fi
}

# exec_start: the unit's ExecStart= line.
exec_start() { grep '^ExecStart=' "$unit"; }

@test "generate systemd: nothing from a hostile image's Cmd, Env, Labels or WorkingDir reaches a unit" {
	unset EVIL # -e EVIL: the caller has none, so the image's value is the container's
	id=$("$CTR" create --name evil -e EVIL unit-hostile)
	check_unit evil
	[ "$(exec_start)" = "ExecStart=$CTR start $id" ]
	run ! grep -q pwned "$unit"
	check_unit --new evil
	run ! grep -q pwned "$unit"
	[ "$(exec_start)" = "ExecStart=$CTR run -d --rm --replace --name evil --sdnotify conmon unit-hostile" ]
	ctr inspect --format '{{json .Config.Env}}' evil
	[[ "$output" == *pwned* ]] # the payload is in the container, not in its units
}

@test "generate systemd --new: newlines, quotes, % \$ \\ ; and unicode typed as arguments stay words" {
	"$CTR" create --name args --entrypoint $'sh\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned' \
		-e $'E=1\nExecStartPost=/bin/touch /tmp/ctr-lite-pwned' -l 'l=%n $x' \
		busybox $'1000\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned' ';' '%n' '$HOME' '${HOME}' 'a\b' 'c\' '"' "'" '' 'grüße ☃' 'two words' >/dev/null
	check_unit --new args
	grep -c pwned "$unit" | grep -qx 1 # on the ExecStart line only, quoted
	exec_start | grep -qF -- '--entrypoint "sh\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned"'
	exec_start | grep -qF -- ' ";" %%n $$HOME "$${HOME}" "a\\b" "c\\" "\"" "'"'"'" "" "grüße ☃" "two words"'
	check_unit args
}

@test "generate systemd --new keeps every flag the container was created with and adds no --init" {
	id=$("$CTR" create --name full --memory 64m --security-opt no-new-privileges --tmpfs /scratch:size=1m \
		--device /dev/null:/dev/mynull --ulimit nofile=1024:2048 --privileged --dns 10.0.0.53 --hostname h1 -t \
		--restart always -e KEY=v busybox sleep 1000)
	check_unit --new full
	want="ExecStart=$CTR run -d --rm --replace --name full --sdnotify conmon --memory 64m --security-opt no-new-privileges --tmpfs /scratch:size=1m --device /dev/null:/dev/mynull --ulimit nofile=1024:2048 --privileged --dns 10.0.0.53 --hostname h1 -t -e KEY=v busybox sleep 1000"
	[ "$(exec_start)" = "$want" ] || { echo "got  $(exec_start)"; echo "want $want"; return 1; } >&2
	grep -qx 'Restart=always' "$unit"
	run ! grep -q -- --init "$unit"
	check_unit -t 3 full
	[ "$(exec_start)" = "ExecStart=$CTR start $id" ]
	grep -qx "ExecStop=$CTR stop -t 3 $id" "$unit"
	ctr inspect --format '{{json .Config.CreateCommand}}' full
	assert_status 0
	[[ "$output" == '["'"$CTR"'","create","--name","full","--memory","64m",'* ]]
}

@test "generate systemd --new: global flags stay, --root and --runroot come from the unit's environment" {
	"$CTR" --root "$CTR_LITE_ROOT" --log-level info create --name glob busybox true >/dev/null
	check_unit --new glob
	[ "$(exec_start)" = "ExecStart=$CTR --log-level info run -d --rm --replace --name glob --sdnotify conmon busybox true" ]
	grep -q "^Environment=CTR_LITE_ROOT=$CTR_LITE_ROOT CTR_LITE_RUNROOT=$CTR_LITE_RUNROOT " "$unit"
}

@test "generate systemd: the CTR_LITE_* settings the container was created with are the unit's environment" {
	CTR_LITE_LOG_LEVEL=info "$CTR" create --name envd busybox true >/dev/null
	want="Environment=CTR_LITE_ROOT=$CTR_LITE_ROOT CTR_LITE_RUNROOT=$CTR_LITE_RUNROOT CTR_LITE_DEFAULT_SUBNET=$CTR_LITE_DEFAULT_SUBNET CTR_LITE_DEFAULT_BRIDGE=$CTR_LITE_DEFAULT_BRIDGE CTR_LITE_LOG_LEVEL=info CTR_LITE_REGISTRIES_CONF=$CTR_LITE_REGISTRIES_CONF"
	for new in --new ""; do
		CTR_LITE_LOG_LEVEL=warn check_unit $new envd # generate's own environment does not matter
		[ "$(grep '^Environment=' "$unit")" = "$want" ] || { echo "got  $(grep '^Environment=' "$unit")"; echo "want $want"; return 1; } >&2
	done
}

@test "generate systemd: the default unit's PIDFile= is the monitor's pid file, which run -d writes and rm -f removes" {
	id=$("$CTR" run -d --name pidf busybox sleep 1000)
	pidfile=$CTR_LITE_RUNROOT/containers/$id/monitor.pid
	check_unit pidf
	grep -qx "PIDFile=$pidfile" "$unit"
	pid=$(cat "$pidfile")
	tr '\0' ' ' </proc/"$pid"/cmdline | grep -Eq "ctr-lite-(monitor|waiter).* $id" # the container's monitor (or its small waiter)
	ctr start pidf # a running container: start leaves it, and its monitor, as they are
	assert_status 0
	[ "$(cat "$pidfile")" = "$pid" ]
	ctr rm -f pidf
	assert_status 0
	[ ! -e "$pidfile" ]
}

@test "generate systemd --new refuses a -e KEY that took its value from the caller, and writes no value" {
	SECRET=hunter2 "$CTR" create --name sec -e SECRET busybox true >/dev/null
	ctr generate systemd --new sec
	assert_status 1
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"took SECRET from your environment"*"--env-file"* ]]
	[[ "$stderr" != *hunter2* ]]
}

@test "generate systemd --new of a container without a stored command line says to recreate it" {
	id=$("$CTR" create --name old busybox true)
	python3 - "$CTR_LITE_ROOT/containers/$id/config.v2.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
del c["Config"]["CreateCommand"]
json.dump(c, open(p, "w"))
PY
	ctr generate systemd --new old
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *recreate* ]]
	ctr generate systemd old # the default unit needs no command line
	assert_status 0
}

@test "generate systemd --new: the unit's commands replace, run, stop and remove the container" {
	"$CTR" create --name live --memory 64m -t --restart on-failure:2 busybox sleep 1000 >/dev/null
	check_unit --new live
	grep -qx 'StartLimitBurst=2' "$unit"
	# Every word of these lines is plain, so the shell splits them as systemd does.
	eval "$(exec_start | sed 's/^ExecStart=//')" >/dev/null
	ctr inspect --format '{{.State.Running}} {{.HostConfig.Memory}} {{.Config.Tty}} {{.HostConfig.AutoRemove}}' live
	[ "$output" = "true 67108864 true true" ]
	eval "$(grep '^ExecStop=' "$unit" | sed 's/^ExecStop=//')"
	eval "$(grep '^ExecStopPost=' "$unit" | sed 's/^ExecStopPost=-//')" || true
	ctr ps -a --format '{{.Names}}'
	assert_status 0
	[ -z "$output" ] # stopped, then removed by --rm
}

@test "generate systemd of a --rm container asks for --new, which works" {
	"$CTR" create --rm --name once busybox true >/dev/null
	ctr generate systemd once
	[ "$status" -ne 0 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"use --new"* ]]
	check_unit --new once
}

@test "generate systemd: --new is Type=notify with the container's --sdnotify (conmon for none or ignore), the default unit Type=forking; TimeoutStopSec is the stop timeout's" {
	"$CTR" create --name nt --stop-timeout 5 busybox sleep 1000 >/dev/null
	check_unit --new nt
	grep -qx 'Type=notify' "$unit"
	grep -qx 'NotifyAccess=all' "$unit"
	grep -qx 'Restart=on-failure' "$unit"
	grep -qx 'TimeoutStopSec=25' "$unit"
	grep -qx "ExecStop=$CTR stop -t 5 nt" "$unit"
	run ! grep -q '^PIDFile=' "$unit"
	check_unit nt
	grep -qx 'Type=forking' "$unit"
	run ! grep -q '^NotifyAccess=' "$unit"
	"$CTR" create --name hl --sdnotify healthy busybox sleep 1000 >/dev/null
	check_unit --new hl
	[ "$(exec_start)" = "ExecStart=$CTR run -d --rm --replace --name hl --sdnotify healthy busybox sleep 1000" ]
	"$CTR" create --name ig --sdnotify=ignore busybox sleep 1000 >/dev/null
	check_unit --new ig
	[ "$(exec_start)" = "ExecStart=$CTR run -d --rm --replace --name ig --sdnotify conmon busybox sleep 1000" ]
}

@test "generate systemd --files writes container-ID.service (container-NAME.service with --name) here and prints its path" {
	id=$("$CTR" create --name fw busybox sleep 1000)
	mkdir "$BATS_TEST_TMPDIR/here" && cd "$BATS_TEST_TMPDIR/here"
	ctr generate systemd --files fw
	assert_status 0
	[ "$output" = "$BATS_TEST_TMPDIR/here/container-$id.service" ]
	grep -qx "ExecStart=$CTR start $id" "container-$id.service"
	grep -qx "# container-$id.service, made by: ctr-lite generate systemd fw" "container-$id.service"
	ctr generate systemd -f -n --new fw
	assert_status 0
	[ "$output" = "$BATS_TEST_TMPDIR/here/container-fw.service" ]
	grep -qx "ExecStart=$CTR run -d --rm --replace --name fw --sdnotify conmon busybox sleep 1000" container-fw.service
	run systemd-analyze verify "$BATS_TEST_TMPDIR/here/container-fw.service"
	assert_status 0
	ctr generate systemd --name fw
	assert_status 0
	grep -qx "ExecStart=$CTR start fw" <<<"$output"
	grep -qx "ExecStop=$CTR stop -t 10 fw" <<<"$output"
	[ "$(ls)" = "$(printf 'container-%s.service\ncontainer-fw.service' "$id")" ]
}
