#!/usr/bin/env bats
# --mount, -v's options, --volumes-from, local-driver volume options and
# inspect's Mounts, checked inside the container (its mount table, writes
# seen on the host, ro refused, a tmpfs's size).

load helpers
bats_require_minimum_version 1.5.0

# mountline DEST: the container's mountinfo line for DEST (run inside).
mountline='grep " $0 " /proc/self/mountinfo'

@test "--mount type=bind: writes reach the host; readonly refuses them; a missing source is docker's error" {
	host=$BATS_TEST_TMPDIR/bind
	mkdir -p "$host"
	ctr run --rm --mount type=bind,source="$host",target=/app busybox sh -c 'echo hi >/app/f'
	assert_status 0
	[ "$(cat "$host/f")" = hi ]
	ctr run --rm --mount type=bind,src="$host",dst=/app,readonly busybox sh -c 'cat /app/f; echo x >/app/g'
	[ "$status" -ne 0 ]
	[[ "$output" == hi* ]] && [[ "$stderr" == *"Read-only file system"* ]]
	[ ! -e "$host/g" ]
	ctr run --rm --mount type=bind,source=/nonexistent-ctr-lite,target=/x busybox true
	assert_status 125
	one_line_error 'invalid mount config for type "bind": bind source path does not exist: /nonexistent-ctr-lite'
	[ ! -e /nonexistent-ctr-lite ] # unlike -v, --mount creates no source
	ctr run --rm --mount type=volume,target=/x,bind-propagation=shared busybox true
	assert_status 125
	one_line_error "cannot mix 'bind-*' options with mount type 'volume'"
}

@test "--mount bind-propagation: the mount table shows it (shared peer group, or none for rprivate)" {
	host=$BATS_TEST_TMPDIR/prop
	mkdir -p "$host"
	ctr run --rm --mount type=bind,src="$host",dst=/p,bind-propagation=rshared busybox sh -c "$mountline" /p
	assert_status 0
	[[ "$output" == *" shared:"* ]]
	ctr run --rm --mount type=bind,src="$host",dst=/p busybox sh -c "$mountline" /p
	assert_status 0
	[[ "$output" != *shared:* ]] && [[ "$output" != *master:* ]]
	ctr run --rm --mount type=bind,src="$host",dst=/p,bind-propagation=rslave busybox sh -c "$mountline" /p
	assert_status 0 # master:N only if the host's mount is shared; /tmp may be private
}

@test "--mount type=volume: a named volume (made on first use), nocopy; type defaults to volume" {
	ctr run --rm --mount source=mv1,target=/data busybox sh -c 'echo kept >/data/f'
	assert_status 0
	ctr run --rm --mount type=volume,src=mv1,dst=/data,readonly busybox sh -c 'cat /data/f; touch /data/g'
	[ "$status" -ne 0 ] && [[ "$output" == kept* ]]
	ctr volume inspect -f '{{.Mountpoint}}' mv1
	[ "$(cat "$output/f")" = kept ]
	# nocopy: /etc's files are not copied into the new volume
	ctr run --rm --mount type=volume,src=mv2,dst=/etc,volume-nocopy busybox ls /etc
	assert_status 0
	[ -z "$output" ]
}

@test "--mount type=tmpfs: tmpfs-size in df, tmpfs-mode on the directory" {
	ctr run --rm --mount type=tmpfs,destination=/cache,tmpfs-size=8m,tmpfs-mode=1770 busybox sh -c 'df -k /cache | tail -1; stat -c %a /cache'
	assert_status 0
	[[ "${lines[0]}" == tmpfs*" 8192 "* ]]
	[ "${lines[1]}" = 1770 ]
	ctr run --rm --mount type=tmpfs,target=/c,source=x busybox true
	assert_status 125
	one_line_error 'field Source must not be specified'
}

@test "--mount and -v on one path: duplicate mount point" {
	ctr create --mount type=tmpfs,dst=/x -v /x busybox true
	assert_status 125
	one_line_error 'duplicate mount point'
}

@test "-v options: propagation in the mount table, z/Z accepted, ro refused writes, bad modes one line" {
	host=$BATS_TEST_TMPDIR/vopt
	mkdir -p "$host"
	ctr run --rm -v "$host":/p:rshared,z busybox sh -c "$mountline" /p
	assert_status 0
	[[ "$output" == *" shared:"* ]]
	ctr run --rm -v "$host":/p:Z busybox sh -c "$mountline; echo w >/p/w" /p
	assert_status 0
	[[ "$output" != *shared:* ]] # rprivate, docker's default
	[ "$(cat "$host/w")" = w ]
	ctr run --rm -v "$host":/p:ro,rslave busybox sh -c "$mountline; touch /p/x" /p
	[ "$status" -ne 0 ] && [[ "$stderr" == *"Read-only file system"* ]]
	[[ "$output" == *" ro,"* ]] || [[ "$output" == *" ro "* ]]
	ctr run --rm -v "$host":/p:ro,rw busybox true
	assert_status 125
	one_line_error 'invalid mode'
	ctr run --rm -v "$host":/p:nocopy busybox true
	assert_status 125
	one_line_error 'invalid mode: nocopy'
	ctr run --rm -v nv0:/etc:nocopy,ro busybox ls /etc
	assert_status 0
	[ -z "$output" ]
}

@test "a volume over an image directory used by nobody (Debian): its mode and owner come from the image" {
	load_debian
	ctr run --rm -u nobody --mount source=nobodyvol,target=/tmp debian:bookworm sh -c 'touch /tmp/mine && stat -c "%u %a" /tmp /tmp/mine'
	assert_status 0
	[ "${lines[0]}" = "0 1777" ] && [ "${lines[1]}" = "65534 644" ]
	ctr volume inspect -f '{{.Mountpoint}}' nobodyvol
	[ "$(stat -c %u "$output/mine")" = 65534 ]
	ctr run --rm -u nobody -v nobodyro:/tmp:ro debian:bookworm touch /tmp/x
	[ "$status" -ne 0 ] && [[ "$stderr" == *"Read-only file system"* ]]
}

@test "--volumes-from: the other's volumes and binds at the same paths; :ro; rm -v keeps a volume in use" {
	host=$BATS_TEST_TMPDIR/vf
	mkdir -p "$host"
	ctr create --name vsrc -v vfvol:/data -v "$host":/hostdir -v /anon --tmpfs /t busybox true
	assert_status 0
	ctr run --rm --volumes-from vsrc busybox sh -c 'echo a >/data/a; echo b >/hostdir/b; echo c >/anon/c; mountpoint -q /t || echo notmpfs'
	assert_status 0
	[ "$output" = notmpfs ]
	[ "$(cat "$host/b")" = b ]
	ctr run --rm --volumes-from vsrc:ro busybox sh -c 'cat /data/a /anon/c; touch /data/x'
	[ "$status" -ne 0 ] && [[ "$output" == *a*c* ]] && [[ "$stderr" == *"Read-only file system"* ]]
	# the container's own -v wins at a shared path
	ctr run --rm --volumes-from vsrc -v "$host":/data busybox cat /data/b
	[ "$output" = b ]
	ctr create --name vuser --volumes-from vsrc busybox true
	ctr volume rm vfvol
	assert_status 1
	[[ "$stderr" == *"in use"* ]]
	anon=$("$CTR" inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' vsrc)
	ctr rm -v vsrc
	assert_status 0
	ctr volume inspect "$anon"
	assert_status 0 # vuser still mounts it
	ctr run --rm --volumes-from nosuch busybox true
	assert_status 125
	one_line_error nosuch
}

@test "volume create --opt type=tmpfs: mounted while a container uses it (size in df), unmounted after; --mount volume-opt" {
	ctr volume create --label team=web --opt type=tmpfs --opt device=tmpfs --opt o=size=8m tv
	assert_status 0
	ctr volume inspect -f '{{.Scope}} {{.Labels.team}} {{.Options.type}} {{.Options.o}} {{.Driver}}' tv
	[ "$output" = "local web tmpfs size=8m local" ]
	ctr volume inspect -f '{{.CreatedAt}}' tv
	[[ "$output" =~ ^[0-9-]{10}T[0-9:]{8}Z$ ]]
	ctr run --rm -v tv:/s busybox sh -c 'df -k /s | tail -1; echo x >/s/x'
	assert_status 0
	[[ "$output" == tmpfs*" 8192 "* ]]
	mp=$("$CTR" volume inspect -f '{{.Mountpoint}}' tv)
	! grep -q " $mp " /proc/self/mountinfo # unmounted: its last user stopped
	ctr run --rm --mount 'type=volume,src=tv2,dst=/s,volume-opt=type=tmpfs,volume-opt=device=tmpfs,"volume-opt=o=size=4m,mode=1777"' busybox sh -c 'df -k /s | tail -1; stat -c %a /s'
	assert_status 0
	[[ "${lines[0]}" == tmpfs*" 4096 "* ]] && [ "${lines[1]}" = 1777 ]
	ctr volume create --opt type=tmpfs bad
	assert_status 1
	one_line_error 'missing required option: "device"'
	ctr volume create --opt foo=bar bad
	assert_status 1
	one_line_error 'invalid option: "foo"'
}

@test "a tmpfs volume stays mounted when a user stops while another holds its lock (starting, review 11b #1)" {
	ctr volume create --opt type=tmpfs --opt device=tmpfs tvr
	ctr run -d --name va -v tvr:/s busybox sleep 300
	assert_status 0
	ctr create --name vb -v tvr:/s busybox true
	assert_status 0
	mp=$("$CTR" volume inspect -f '{{.Mountpoint}}' tvr)
	grep -q " $mp " /proc/self/mountinfo
	vb=$("$CTR" inspect -f '{{.Id}}' vb)
	# vb's start holds its lock from its first step until its record says
	# running; with the device mounted for it, va's stop must not unmount it.
	flock "$CTR_LITE_ROOT/containers/$vb/lock" sleep 3 &
	holder=$!
	sleep 0.3
	ctr stop -t 1 va
	assert_status 0
	grep -q " $mp " /proc/self/mountinfo
	wait "$holder"
	ctr rm -f va vb
	ctr volume rm tvr
	assert_status 0
	! grep -q " $mp " /proc/self/mountinfo
}

@test "volume create --opt o=bind: the host directory in the container; volume rm leaves its files" {
	host=$BATS_TEST_TMPDIR/bindvol
	mkdir -p "$host" && echo fromhost >"$host/h"
	ctr volume create --opt type=none --opt o=bind --opt device="$host" bv
	assert_status 0
	ctr run --rm -v bv:/b busybox sh -c 'cat /b/h; echo c >/b/c'
	assert_status 0
	[ "$output" = fromhost ] && [ "$(cat "$host/c")" = c ]
	# review 11b: cp into a stopped container lands in the bind device,
	# where the container sees it; a tmpfs volume refuses cp until used
	ctr create --name bvs -v bv:/b busybox cat /b/fromcp
	echo viacp >"$BATS_TEST_TMPDIR/fromcp"
	ctr cp "$BATS_TEST_TMPDIR/fromcp" bvs:/b/fromcp
	assert_status 0
	[ "$(cat "$host/fromcp")" = viacp ]
	ctr start -a bvs
	[ "$output" = viacp ]
	"$CTR" rm bvs >/dev/null
	ctr volume create --opt type=tmpfs --opt device=tmpfs tv
	ctr create --name tvs -v tv:/t busybox true
	ctr cp "$BATS_TEST_TMPDIR/fromcp" tvs:/t/
	assert_status 1
	one_line_error "is mounted only while a container uses it"
	"$CTR" rm tvs >/dev/null
	ctr volume rm bv
	assert_status 0
	[ -f "$host/h" ] && [ -f "$host/c" ]
	# a relative device would mean the cwd of whoever starts it
	ctr volume create --opt type=none --opt o=bind --opt device=reldir relv
	assert_status 1
	one_line_error "must be an absolute host path"
}

@test "volume ls --filter name=, label=, dangling=, driver=; -q" {
	ctr volume create --label env=prod lf-a
	ctr volume create --label env=dev lf-b
	ctr volume create other
	ctr create --name lfuser -v lf-a:/a busybox true
	ctr volume ls -q --filter name=lf-
	[ "$output" = "$(printf 'lf-a\nlf-b')" ]
	ctr volume ls -q --filter label=env=dev
	[ "$output" = lf-b ]
	ctr volume ls -q --filter label=env
	[ "$output" = "$(printf 'lf-a\nlf-b')" ]
	ctr volume ls -q --filter dangling=true --filter name=lf- --filter name=other
	[ "$output" = "$(printf 'lf-b\nother')" ]
	ctr volume ls -q --filter dangling=false --filter driver=local --filter name=lf-
	[ "$output" = lf-a ]
	ctr volume ls --filter name=other
	[ "${lines[0]}" = "DRIVER    VOLUME NAME" ] || [[ "${lines[0]}" == DRIVER*"VOLUME NAME" ]]
	[[ "${lines[1]}" == local*other ]]
	ctr volume ls --filter bogus=1
	assert_status 1
	one_line_error "invalid filter 'bogus'"
}

@test "inspect .Mounts and HostConfig Binds/Mounts/Tmpfs/VolumesFrom as docker shows them" {
	host=$BATS_TEST_TMPDIR/insp
	mkdir -p "$host"
	ctr create --name im -v "$host":/b:ro,rslave -v iv:/v --mount type=bind,src="$host",dst=/m \
		--mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770 --tmpfs /ft:size=2m busybox true
	assert_status 0
	fmt='{{range .Mounts}}{{.Type}}|{{if eq .Type "volume"}}{{.Name}}|{{.Driver}}{{end}}|{{.Source}}|{{.Destination}}|{{.Mode}}|{{.RW}}|{{.Propagation}};{{end}}'
	ctr inspect -f "$fmt" im
	[[ "$output" == *"bind||$host|/b|ro,rslave|false|rslave;"* ]]
	[[ "$output" == *"volume|iv|local|$CTR_LITE_ROOT/volumes/iv/_data|/v|z|true|;"* ]]
	[[ "$output" == *"bind||$host|/m||true|rprivate;"* ]]
	[[ "$output" == *"tmpfs|||/t||true|;"* ]]
	[[ "$output" != *"/ft"* ]] # --tmpfs is in HostConfig.Tmpfs only, as docker's
	ctr inspect -f '{{json .HostConfig.Binds}} {{json .HostConfig.Tmpfs}}' im
	[ "$output" = "[\"$host:/b:ro,rslave\",\"iv:/v\"] {\"/ft\":\"size=2m\"}" ]
	ctr inspect -f '{{json .HostConfig.Mounts}}' im
	[ "$output" = "[{\"Source\":\"$host\",\"Target\":\"/m\",\"Type\":\"bind\"},{\"Target\":\"/t\",\"TmpfsOptions\":{\"Mode\":1016,\"SizeBytes\":1048576},\"Type\":\"tmpfs\"}]" ]
	ctr create --name im2 --volumes-from im:ro busybox true
	ctr inspect -f '{{json .HostConfig.VolumesFrom}} {{range .Mounts}}{{.Destination}}={{.RW}} {{end}}' im2
	[ "$output" = '["im:ro"] /b=false /v=false /m=false ' ]
}

@test "a mount target through an image's symlink to a host path lands inside the container root" {
	victim=$BATS_TEST_TMPDIR/victim
	mkdir -p "$victim"
	d=$CTR_LITE_TEST_DIR/sl
	mkdir -p "$d"
	"$CTR" save -o "$d/bb.tar" busybox
	skopeo copy -q docker-archive:"$d/bb.tar" oci:"$d/layout:bb"
	umoci unpack --image "$d/layout:bb" "$d/bundle" >/dev/null
	ln -s "$victim" "$d/bundle/rootfs/escape"
	umoci repack --image "$d/layout:bb" "$d/bundle" >/dev/null
	skopeo copy -q oci:"$d/layout:bb" docker-archive:"$d/sl.tar:hostile/mountlink:latest"
	"$CTR" load -q -i "$d/sl.tar" >/dev/null
	ctr run --rm --mount type=tmpfs,dst=/escape/t -v slvol:/escape/v -v "$BATS_TEST_TMPDIR":/escape/b hostile/mountlink sh -c 'echo in >/escape/v/f; echo in >/escape/t/f'
	[ -z "$(ls -A "$victim")" ] # nothing mounted or written at the host path
	! grep -q " $victim" /proc/self/mountinfo
}
