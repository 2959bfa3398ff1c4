#!/usr/bin/env bats
# Issue 11's system commands: inspect --type, system df, system prune
# (and the image/volume prune it shares code with).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	isolate
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

teardown_file() {
	finish_file
}

teardown() {
	local ids
	ids=$("$CTR" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$CTR" rm -f $ids >/dev/null 2>&1 || true
	"$CTR" network rm $("$CTR" network ls --format '{{.Name}}' | grep -v '^bridge$') >/dev/null 2>&1 || true
	"$CTR" volume prune -a -f >/dev/null 2>&1 || true
}

@test "inspect --type: picks the network when a container has the same name; bad type is docker's error" {
	ctr network create twin
	assert_status 0
	ctr create --name twin busybox true
	assert_status 0
	ctr inspect -f '{{.Name}}' twin
	assert_status 0
	[ "$output" = "/twin" ]
	ctr inspect --type network -f '{{.Name}}' twin
	assert_status 0
	[ "$output" = "twin" ]
	ctr inspect --type image -f '{{.Id}}' twin
	assert_status 1
	ctr volume create vtwin
	ctr inspect -f '{{.Name}}' vtwin
	assert_status 0
	[ "$output" = "vtwin" ]
	ctr inspect --type foo twin
	assert_status 1
	one_line_error '"foo" is not a valid value for --type'
}

@test "system df: counts containers, active images and volumes mounted by a container" {
	ctr run -d --name up -v dfvol:/data busybox sh -c 'head -c 3000 /dev/zero > /data/f; sleep 60'
	assert_status 0
	wait_running up
	ctr create --name idle busybox sh -c 'true'
	ctr volume create dfspare
	ctr system df --format '{{.Type}}:{{.TotalCount}}:{{.Active}}'
	assert_status 0
	[ "$output" = "Images:1:1
Containers:2:1
Local Volumes:2:1
Build Cache:0:0" ] || { echo "$output"; false; }
	ctr system df
	[ "$(head -1 <<<"$output" | tr -s ' ')" = "TYPE TOTAL ACTIVE SIZE RECLAIMABLE" ]
	grep -E '^Local Volumes +2 +1 +3kB +0B \(0%\)$' <<<"$output"
	grep -E '^Build Cache +0 +0 +0B +0B$' <<<"$output"
	ctr system df -v
	assert_status 0
	for h in "Images space usage:" "Containers space usage:" "Local Volumes space usage:" "Build cache usage: 0B"; do
		grep -qx "$h" <<<"$output" || { echo "no $h in $output"; false; }
	done
	grep -E '^dfvol +1 +3kB$' <<<"$output"
	grep -E '^dfspare +0 +0B$' <<<"$output"
}

# dangling_image: layered.tar loaded and untagged while a stopped
# container "old" holds it, so prune has a dangling image to remove.
dangling_image() {
	local name
	name=$("$CTR" load -i "$TESTDATA/layered.tar" | sed -n 's/^Loaded image: //p')
	"$CTR" create --name old "$name" true >/dev/null
	"$CTR" rmi -f "$name" >/dev/null
}

@test "system prune -f: stopped containers, unused networks, dangling images go; running ones and used images stay" {
	dangling_image
	"$CTR" run -d --name keep busybox sleep 60 >/dev/null
	wait_running keep
	"$CTR" network create unused >/dev/null
	"$CTR" volume create named >/dev/null
	ctr system prune -f
	assert_status 0
	[[ "$output" == "Deleted Containers:
"[0-9a-f]*"

Deleted Networks:
unused

Deleted Images:
"*"deleted: sha256:"* ]] || { echo "$output"; false; }
	[[ "$output" != *"Deleted Volumes:"* ]]
	[[ "${lines[-1]}" == "Total reclaimed space: "* ]]
	ctr ps -a --format '{{.Names}}'
	[ "$output" = "keep" ]
	ctr images --format '{{.Repository}}'
	[ "$output" = "busybox" ]
	ctr volume ls -q
	[ "$output" = "named" ]
	ctr network ls --format '{{.Name}}'
	[ "$output" = "bridge" ]
}

@test "system prune answered n removes nothing; the question is docker's" {
	"$CTR" create --name stopped busybox true >/dev/null
	"$CTR" network create unused2 >/dev/null
	run --separate-stderr "$CTR" system prune -a --volumes <<<"n"
	assert_status 0
	[[ "$stderr" == "WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all anonymous volumes not used by at least one container
  - all images without at least one container associated to them
  - all build cache

Are you sure you want to continue? [y/N]"* ]] || { echo "stderr: $stderr"; declare -p stderr; false; }
	[ -z "$output" ]
	ctr ps -a --format '{{.Names}}'
	[ "$output" = "stopped" ]
	ctr network ls --format '{{.Name}}'
	[[ "$output" == *unused2* ]]
}

@test "system prune --volumes removes anonymous volumes only; volume prune -a the named ones too" {
	"$CTR" create --name anon -v /data -v keepme:/keep busybox true >/dev/null
	"$CTR" start anon >/dev/null
	"$CTR" wait anon >/dev/null
	anonvol=$("$CTR" inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' anon)
	[ -n "$anonvol" ]
	ctr system prune -f --volumes
	assert_status 0
	[[ "$output" == *"Deleted Volumes:
$anonvol
"* ]] || { echo "$output"; false; }
	ctr volume ls -q
	[ "$output" = "keepme" ]
	ctr volume prune -f
	[ "$output" = "Total reclaimed space: 0B" ]
	ctr volume prune -a -f
	[ "$output" = "Deleted Volumes:
keepme

Total reclaimed space: 0B" ]
}

@test "system prune --filter label=: only labelled stopped containers and networks go" {
	"$CTR" create --name tagged --label tmp=1 busybox true >/dev/null
	"$CTR" create --name plain busybox true >/dev/null
	"$CTR" network create --label tmp=1 tmpnet >/dev/null
	"$CTR" network create keepnet >/dev/null
	ctr system prune -f --filter label=tmp
	assert_status 0
	[[ "$output" == *"Deleted Networks:
tmpnet
"* ]] || { echo "$output"; false; }
	ctr ps -a --format '{{.Names}}'
	[ "$output" = "plain" ]
	ctr network ls --format '{{.Name}}'
	[[ "$output" == *keepnet* && "$output" != *tmpnet* ]]
}
