#!/usr/bin/env bats
# generate quadlet: Quadlet .container files become services that pass
# systemd-analyze verify, carry only the directives ctr-lite writes and
# the file's own [Unit]/[Service]/[Install] lines, and run; then a real
# systemd, booted as a privileged container's PID 1, runs them.

load helpers
load systemd
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

setup() {
	qdir=$BATS_TEST_TMPDIR/quadlet
	out=$BATS_TEST_TMPDIR/out
	mkdir -p "$qdir"
}

# The directives of a generated unit: ctr-lite's and those the test's
# files pass through. Any other line start came from a payload.
KEYS='^(#|\[Unit\]$|\[Service\]$|\[Install\]$|$|Wants=|After=|SourcePath=|Description=|KillMode=|SyslogIdentifier=|TimeoutStopSec=|SuccessExitStatus=|Restart=|Environment=|Type=|ExecStart=|ExecStop=|ExecStopPost=|WantedBy=)'

# generate FILE...: generate units from FILEs (NAME.container in $qdir)
# into $out and verify each one; $unit is the last.
generate() {
	"$CTR" generate quadlet --dir "$qdir" "$out"
	local f
	for f in "$@"; do
		unit=$out/${f%.container}.service
		run systemd-analyze verify "$unit"
		if [ "$status" -ne 0 ] || grep -qiE 'ignor|invalid|unknown|unbalanced|bad|fail' <<<"$output"; then
			echo "systemd-analyze verify: $status: $output" >&2
			cat "$unit" >&2
			return 1
		fi
		[ "$(grep -c '^ExecStart=' "$unit")" -eq 1 ] || { echo "not one ExecStart=" >&2; cat "$unit" >&2; return 1; }
		if grep -vE "$KEYS" "$unit"; then
			echo "lines above are no directive ctr-lite writes or the file has" >&2
			cat "$unit" >&2
			return 1
		fi
	done
}

exec_start() { grep '^ExecStart=' "$unit" | sed 's/^ExecStart=//'; }

@test "generate quadlet: every [Container] key becomes its run flag, [Unit] [Service] [Install] pass through" {
	cat >"$qdir/web.container" <<-'EOF'
		# a comment
		[Unit]
		Description=the web server
		[Container]
		Image=busybox
		ContainerName=web1
		Exec=httpd -f -p 80 -h "/www root"
		PublishPort=127.0.0.1:18080:80
		Volume=/srv:/srv:ro
		Volume=./data:/data
		Environment=A=1 "B=two words"
		EnvironmentFile=web.env
		Network=none
		Label=app=web
		User=nobody
		WorkingDir=/srv
		HealthCmd=wget -q -O /dev/null http://localhost/
		HealthInterval=5s
		HealthTimeout=2s
		HealthRetries=3
		HealthStartPeriod=1s
		HealthOnFailure=kill
		PodmanArgs=--memory 64m \
		  --init
		[Service]
		Restart=on-failure
		[Install]
		WantedBy=multi-user.target
	EOF
	generate web.container
	want="$CTR run --rm --replace --name web1 --user nobody --workdir /srv --network none --publish 127.0.0.1:18080:80 --volume /srv:/srv:ro --volume $qdir/data:/data --env A=1 --env \"B=two words\" --env-file $qdir/web.env --label app=web --health-cmd \"wget -q -O /dev/null http://localhost/\" --health-interval 5s --health-timeout 2s --health-retries 3 --health-start-period 1s --health-on-failure kill --memory 64m --init busybox httpd -f -p 80 -h \"/www root\""
	[ "$(exec_start)" = "$want" ] || { echo "got  $(exec_start)"; echo "want $want"; return 1; } >&2
	grep -qx "ExecStop=$CTR stop -t 10 web1" "$unit"
	grep -qx "ExecStopPost=-$CTR rm -f web1" "$unit"
	grep -qx 'Type=simple' "$unit"
	grep -qx 'Description=the web server' "$unit"
	grep -qx 'Restart=on-failure' "$unit"
	grep -qx "SourcePath=$qdir/web.container" "$unit"
	[ "$(readlink "$out/multi-user.target.wants/web.service")" = ../web.service ]
}

@test "generate quadlet: newlines, quotes, % \$ \\ ; and unicode in values stay words of ExecStart" {
	cat >"$qdir/evil.container" <<-'EOF'
		[Container]
		Image=busybox
		Exec=sh -c "echo 1\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned" ";" %n $HOME ${HOME} 'a\\b' "\"" "grüße ☃" ""
		Environment="E=1\nExecStartPost=/bin/touch /tmp/ctr-lite-pwned"
		Label="l=%i $x"
		WorkingDir=/a;b
		HealthCmd=true\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned
	EOF
	generate evil.container
	grep -c pwned "$unit" | grep -qx 1 # on the ExecStart line only, quoted
	exec_start | grep -qF -- '--workdir "/a;b" --env "E=1\nExecStartPost=/bin/touch /tmp/ctr-lite-pwned" --label "l=%%i $$x" --health-cmd "true\\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned"'
	exec_start | grep -qF -- ' busybox sh -c "echo 1\nExecStartPre=/bin/touch /tmp/ctr-lite-pwned" ";" %%n $$HOME "$${HOME}" "a\\b" "\"" "grüße ☃" ""'
	[ ! -e /tmp/ctr-lite-pwned ]
}

@test "generate quadlet: an unknown key is one stderr line naming key and file; the other files are still written" {
	printf '[Container]\nImage=busybox\nImagePullPolicy=always\n' >"$qdir/bad.container"
	printf '[Container]\nImage=busybox\n' >"$qdir/good.container"
	printf '[Container]\nImage=busybox\n[Service]\nExecStart=/bin/sh\n' >"$qdir/owned.container"
	ctr generate quadlet --dir "$qdir" "$out"
	assert_status 1
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 2 ]
	grep -qx "ctr-lite generate quadlet: $qdir/bad.container: unknown key ImagePullPolicy= in \[Container\]" <<<"$stderr"
	grep -qx "ctr-lite generate quadlet: $qdir/owned.container: ExecStart= in \[Service\] is set by ctr-lite; drop it" <<<"$stderr"
	[ "$(ls "$out")" = good.service ]
	ctr generate quadlet --dryrun --dir "$qdir"
	assert_status 1
	[[ "$output" == ---good.service---* ]]
}

@test "ctr-lite linked as ctr-lite-generator takes systemd's three directories and reads CTR_LITE_QUADLET_DIR" {
	printf '[Container]\nImage=busybox\n[Install]\nWantedBy=multi-user.target default.target\n' >"$qdir/web.container"
	mkdir -p "$BATS_TEST_TMPDIR/other"
	printf '[Container]\nImage=other\n' >"$BATS_TEST_TMPDIR/other/web.container" # the first directory's wins
	ln -s "$CTR" "$BATS_TEST_TMPDIR/ctr-lite-generator"
	CTR_LITE_QUADLET_DIR=$qdir:$BATS_TEST_TMPDIR/other run --separate-stderr "$BATS_TEST_TMPDIR/ctr-lite-generator" "$out" "$out.early" "$out.late"
	assert_status 0
	[ -z "$output$stderr" ]
	grep -qx "ExecStart=$CTR run --rm --replace --name systemd-web busybox" "$out/web.service"
	[ "$(readlink "$out/multi-user.target.wants/web.service")" = ../web.service ]
	[ "$(readlink "$out/default.target.wants/web.service")" = ../web.service ]
	[ ! -e "$out.early" ] && [ ! -e "$out.late" ]
}

@test "generate quadlet: the unit's ExecStart runs the container in the foreground, ExecStop and ExecStopPost end and remove it" {
	printf '%s\n' '[Container]' 'Image=busybox' 'Network=none' 'Environment=GREETING=hello' \
		"Exec=sh -c 'echo hello-from-quadlet; trap \"exit 0\" TERM; while :; do sleep 0.1; done'" >"$qdir/fg.container"
	generate fg.container
	# systemd's quoting of these words is the shell's too (no $ or %).
	eval "$(exec_start)" >"$BATS_TEST_TMPDIR/fg.out" 2>&1 &
	fg=$!
	wait_running systemd-fg
	for _ in $(seq 50); do grep -q hello-from-quadlet "$BATS_TEST_TMPDIR/fg.out" && break; sleep 0.1; done
	grep -qx hello-from-quadlet "$BATS_TEST_TMPDIR/fg.out"
	ctr inspect --format '{{.HostConfig.AutoRemove}} {{.HostConfig.NetworkMode}} {{json .Config.Env}}' systemd-fg
	[[ "$output" == 'true none '*'"GREETING=hello"'* ]]
	eval "$(grep '^ExecStop=' "$unit" | sed 's/^ExecStop=//')" >/dev/null
	wait "$fg" # the run's status is the container's: 0 after its TERM trap
	eval "$(grep '^ExecStopPost=' "$unit" | sed 's/^ExecStopPost=-//')" 2>/dev/null || true
	ctr ps -a --format '{{.Names}}'
	[ -z "$output" ]
}

# --- a real systemd: Debian booted as a privileged container's PID 1 ---
# (boot_systemd and the helpers around it: test/systemd.bash)

teardown() { teardown_systemd; }

@test "systemd: a Quadlet unit starts, logs to the journal, is restarted when its container is killed and stops clean" {
	boot_systemd
	"$CTR" exec -i sd sh -c 'cat >/etc/containers/systemd/web.container' <<-'EOF'
		[Container]
		Image=busybox
		Network=none
		Exec=sh -c 'echo hello-from-quadlet; trap "exit 0" TERM; while :; do sleep 0.1; done'
		[Service]
		Environment=CTR_LITE_STORAGE_DRIVER=vfs
		Restart=on-failure
		[Install]
		WantedBy=multi-user.target
	EOF
	printf '[Container]\nImage=busybox\nNope=1\n' | "$CTR" exec -i sd sh -c 'cat >/etc/containers/systemd/bad.container'
	in_sd systemctl daemon-reload
	# systemd ran the generator: the good file is a unit, enabled by its link.
	[ "$(in_sd readlink /run/systemd/generator/multi-user.target.wants/web.service)" = ../web.service ]
	[ "$(show web UnitFileState)" = generated ]
	in_sd journalctl --no-pager -b | grep -q 'ctr-lite-generator failed with exit status 1' # bad.container
	in_sd systemctl start web
	[ "$(show web ActiveState)" = active ]
	wait_inner systemd-web # Type=simple: start returns once the run is forked
	ctr_sd inspect -f '{{.State.Running}} {{.HostConfig.AutoRemove}}' systemd-web | grep -qx 'true true'
	for _ in $(seq 50); do in_sd journalctl -u web --no-pager -o cat | grep -qx hello-from-quadlet && break; sleep 0.1; done
	in_sd journalctl -u web --no-pager -o cat | grep -qx hello-from-quadlet
	main=$(show web MainPID)
	kill_container systemd-web
	wait_restarted web "$main"
	wait_inner systemd-web
	ctr_sd inspect -f '{{.State.Running}}' systemd-web | grep -qx true
	in_sd systemctl stop web
	[ "$(show web ActiveState)" = inactive ]
	[ "$(show web Result)" = success ]
	[ -z "$(ctr_sd ps -aq)" ]
	[ -z "$(in_sd find /var/lib/ctr-lite/containers /run/ctr-lite/containers -mindepth 1)" ]
	start=$SECONDS
	"$CTR" stop -t 30 sd >/dev/null # SIGRTMIN+3, systemd's own stop signal: it shuts down, not killed at 30 s
	[ $((SECONDS - start)) -lt 20 ]
	[ "$("$CTR" inspect -f '{{.State.Running}}' sd)" = false ]
}

@test "systemd: a generate systemd --new unit starts, is restarted when its container is killed and stops clean" {
	boot_systemd
	in_sd sh -c 'CTR_LITE_STORAGE_DRIVER=vfs ctr-lite create --name gen --network none busybox \
			sh -c "echo hello-from-gen; trap \"exit 0\" TERM; while :; do sleep 0.1; done" >/dev/null &&
		ctr-lite generate systemd --new gen >/etc/systemd/system/ctr-lite-gen.service &&
		ctr-lite rm gen >/dev/null && systemctl daemon-reload'
	in_sd systemctl start ctr-lite-gen
	[ "$(show ctr-lite-gen ActiveState)" = active ]
	id=$(ctr_sd inspect -f '{{.Id}}' gen)
	[ "$(show ctr-lite-gen MainPID)" = "$(in_sd cat "/run/ctr-lite/containers/$id/monitor.pid")" ] # Type=notify: the monitor sent MAINPID
	for _ in $(seq 50); do ctr_sd logs gen | grep -qx hello-from-gen && break; sleep 0.1; done
	ctr_sd logs gen | grep -qx hello-from-gen # -d: the output is in the container's log
	main=$(show ctr-lite-gen MainPID)
	kill_container gen
	wait_restarted ctr-lite-gen "$main"
	wait_inner gen
	in_sd systemctl stop ctr-lite-gen
	[ "$(show ctr-lite-gen ActiveState)" = inactive ]
	[ "$(show ctr-lite-gen Result)" = success ]
	[ -z "$(ctr_sd ps -aq)" ]
	"$CTR" stop sd >/dev/null
}
