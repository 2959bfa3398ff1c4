#!/usr/bin/env bats
# Races between ctr-lite processes that share state: each pair runs many
# times; afterwards the state must be one that either order would give.

load helpers
bats_require_minimum_version 1.5.0

# images_of_containers_exist: every container's image is still stored.
images_of_containers_exist() {
	local c img
	for c in $("$CTR" ps -aq); do
		img=$("$CTR" inspect -f '{{.Image}}' "$c")
		"$CTR" image inspect "$img" >/dev/null 2>&1 || { echo "container $c points at removed image $img" >&2; return 1; }
	done
}

@test "create beside rmi -f / image prune -a -f: no container points at a removed image (20 rounds)" {
	for i in $(seq 20); do
		"$CTR" load -q -i "$TESTDATA/busybox.tar" >/dev/null
		"$CTR" create --name race$i busybox true >/dev/null 2>&1 &
		if ((i % 2)); then
			"$CTR" rmi -f busybox >/dev/null 2>&1 || true
		else
			"$CTR" image prune -a -f >/dev/null 2>&1 || true
		fi
		wait
		images_of_containers_exist || { echo "round $i" >&2; return 1; }
	done
	"$CTR" rm -f $("$CTR" ps -aq) >/dev/null 2>&1 || true
	assert_no_leftovers
}
