#!/usr/bin/env bats
# Security options and what inspect shows for them (issue 11).

load helpers
bats_require_minimum_version 1.5.0

@test "--pid/--ipc container:NAME hand runc a held namespace file, not the target's /proc/PID/ns path" {
	"$CTR" run -d --name nstgt --ipc shareable busybox sleep 100 >/dev/null
	wait_running nstgt
	pid=$("$CTR" inspect -f '{{.State.Pid}}' nstgt)
	"$CTR" run -d --name nsjoin --pid container:nstgt --ipc container:nstgt busybox sleep 100 >/dev/null
	wait_running nsjoin
	ctr spec nsjoin
	assert_status 0
	# runc got /proc/<ctr-lite's pid>/fd/N, opened and checked against the
	# target's recorded start time before runc ran
	[[ "$output" =~ \"path\":\ *\"/proc/[0-9]+/fd/[0-9]+\" ]] || { echo "$output"; false; }
	[[ "$output" != *"/proc/$pid/ns/"* ]] || { echo "$output"; false; }
	ctr exec nsjoin sh -c 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc'
	assert_status 0
	[ "$output" = "$(readlink /proc/$pid/ns/pid)
$(readlink /proc/$pid/ns/ipc)" ]
	"$CTR" rm -f nsjoin nstgt >/dev/null
}

@test "--security-opt systempaths=unconfined: no masked or read-only /proc and /sys paths; label= accepted; inspect shows them" {
	# masked paths are mounts over the file (/dev/null) and read-only ones ro binds
	ctr run --rm busybox sh -c 'grep -cE "^[^ ]+ /proc/(keys|timer_list|sys|bus) " /proc/self/mounts; grep " /proc/sys " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1'
	assert_status 0
	[ "$output" = "4
ro" ] || { echo "$output"; false; }
	ctr run --rm --security-opt systempaths=unconfined --security-opt label=disable busybox grep -cE "^[^ ]+ /(proc|sys)/(keys|timer_list|sys|bus|firmware) " /proc/self/mounts
	[ "$output" = "0" ] || { echo "$output"; false; }
	"$CTR" create --name secopt --security-opt systempaths=unconfined --security-opt label=disable busybox true >/dev/null
	ctr inspect -f '{{json .HostConfig.SecurityOpt}}' secopt
	[ "$output" = '["systempaths=unconfined","label=disable"]' ]
	"$CTR" rm secopt >/dev/null
	ctr run --rm --security-opt systempaths=x busybox true
	assert_status 125
	one_line_error "systempaths=unconfined"
}

@test "--annotation K=V reaches the OCI spec and inspect's HostConfig.Annotations; a key-less one is refused" {
	"$CTR" create --name ann --annotation org.example.a=1 --annotation b=two=2 busybox true >/dev/null
	ctr inspect -f '{{json .HostConfig.Annotations}}' ann
	[ "$output" = '{"b":"two=2","org.example.a":"1"}' ]
	"$CTR" start -a ann
	ctr spec ann
	assert_status 0
	[[ "$output" == *'"org.example.a": "1"'* || "$output" == *'"org.example.a":"1"'* ]] || { echo "$output"; false; }
	"$CTR" rm ann >/dev/null
	ctr run --rm --annotation =x busybox true
	assert_status 125
	one_line_error "invalid annotation"
}

@test "inspect: LogPath is the container's json-file log" {
	"$CTR" run --name lp busybox echo logged >/dev/null
	ctr inspect -f '{{.LogPath}}' lp
	assert_status 0
	[[ "$output" == */containers/*/*-json.log ]] || { echo "$output"; false; }
	grep -q '"log":"logged' "$output"
	"$CTR" rm lp >/dev/null
}

@test "--log-driver/--log-opt: json-file by default in HostConfig.LogConfig; other drivers refused in one line" {
	"$CTR" create --name lc busybox true >/dev/null
	ctr inspect -f '{{.HostConfig.LogConfig.Type}} {{json .HostConfig.LogConfig.Config}}' lc
	[ "$output" = 'json-file {}' ]
	"$CTR" create --name lc2 --log-driver json-file busybox true >/dev/null
	ctr inspect -f '{{.HostConfig.LogConfig.Type}}' lc2
	[ "$output" = 'json-file' ]
	"$CTR" rm lc lc2 >/dev/null
	ctr create --log-opt max-file=3 busybox true
	assert_status 125
	one_line_error "max-file can not be set without max-size"
	ctr create --log-opt labels=a busybox true
	assert_status 125
	one_line_error "--log-opt labels is not supported yet"
	ctr run --rm --log-driver local busybox true
	assert_status 125
	one_line_error "log driver local is not supported yet"
	ctr run --rm --log-opt bogus=1 busybox true
	assert_status 125
	one_line_error "invalid --log-opt"
}

@test "--log-opt max-size/max-file/compress: docker's rotation naming, logs reads across the files" {
	for compress in false true; do
		ctr run -d --name rot --log-opt max-size=2k --log-opt max-file=3 --log-opt compress=$compress busybox \
			sh -c 'for i in $(seq 1000 1400); do echo line $i; done'
		assert_status 0
		"$CTR" wait rot >/dev/null
		id=$("$CTR" inspect -f '{{.Id}}' rot)
		log=$("$CTR" inspect -f '{{.LogPath}}' rot)
		[ "$log" = "$CTR_LITE_ROOT/containers/$id/$id-json.log" ] || [ -f "$log" ]
		ext=; [ $compress = false ] || ext=.gz
		[ -f "$log.1$ext" ] && [ -f "$log.2$ext" ] && [ ! -e "$log.3$ext" ] && [ ! -e "$log.3" ]
		[ "$(stat -c %s "$log")" -le 2048 ]
		ctr logs rot
		[ "${lines[-1]}" = "line 1400" ]
		# lines come in order, none twice: oldest ones rotated away
		[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq "${#lines[@]}" ]
		[ "$(printf '%s\n' "${lines[@]}" | sort -c && echo sorted)" = sorted ]
		[ "${#lines[@]}" -gt 40 ]
		ctr logs --tail 30 rot
		[ "${#lines[@]}" -eq 30 ] && [ "${lines[0]}" = "line 1371" ]
		"$CTR" rm rot >/dev/null
	done
}
