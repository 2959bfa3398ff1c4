#!/usr/bin/env bats
# Hardening: hostile images through the CLI with both drivers, and races
# between commands. The hostile corpus is testdata/hostile (make testimage).

load helpers
bats_require_minimum_version 1.5.0

VICTIM=/tmp/ctr-lite-victim

plant_victim() {
	rm -rf "$VICTIM"
	mkdir -m 700 "$VICTIM"
	echo keep >"$VICTIM/secret"
	chmod 600 "$VICTIM/secret"
}

victim_intact() {
	[ "$(ls -A "$VICTIM")" = "secret" ] || { echo "victim dir now has: $(ls -A "$VICTIM")" >&2; return 1; }
	[ "$(cat "$VICTIM/secret")" = "keep" ] || { echo "victim secret changed" >&2; return 1; }
	[ "$(stat -c %a "$VICTIM/secret")" = "600" ] || { echo "victim secret mode changed" >&2; return 1; }
}

teardown_file() {
	rm -rf "$VICTIM"
	"$CTR" system reset -f
	"$BATS_TEST_DIRNAME/leakcheck.sh" "$CTR_LITE_TEST_DIR"
	rm -rf "$CTR_LITE_TEST_DIR"
}

# hostile_round DRIVER: load and run every case; a refusal is one line
# with 125, a loaded image runs, and the victim never changes.
hostile_round() {
	export CTR_LITE_STORAGE_DRIVER=$1
	local f name loaded=0 refused=0
	for f in "$TESTDATA"/hostile/*.tar; do
		name=$(basename "$f" .tar)
		plant_victim
		ctr load -q -i "$f"
		if [ "$status" -eq 0 ]; then
			loaded=$((loaded + 1))
			ctr run --rm "hostile/$name" sh -c 'ls / >/dev/null'
			[ "$status" -eq 0 ] || { echo "$name ($1): run failed: $stderr" >&2; return 1; }
		else
			refused=$((refused + 1))
			[ "$status" -eq 125 ] || { echo "$name ($1): status $status" >&2; return 1; }
			[ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$name ($1): $stderr" >&2; return 1; }
		fi
		victim_intact || { echo "case $name ($1)" >&2; return 1; }
	done
	echo "$1: $loaded loaded and ran, $refused refused" >&3
	[ "$loaded" -gt 0 ] && [ "$refused" -gt 0 ]
	[ -z "$(ls -A "$CTR_LITE_ROOT/$1/tmp")" ]
}

@test "hostile images, overlay: refused in one line or contained; the host is untouched" {
	[ -f "$TESTDATA/hostile/cases.json" ] || skip "no hostile corpus: run make testimage"
	hostile_round overlay
}

@test "hostile images, vfs: refused in one line or contained; the host is untouched" {
	[ -f "$TESTDATA/hostile/cases.json" ] || skip "no hostile corpus: run make testimage"
	hostile_round vfs
}

@test "a contained escape lands inside the container: symlink to outside, then a file through it" {
	plant_victim
	"$CTR" load -q -i "$TESTDATA/hostile/symlink-abs-file.tar"
	ctr run --rm hostile/symlink-abs-file cat "$VICTIM/evil"
	assert_status 0
	[ "$output" = "x" ]
	victim_intact
	ctr run --rm hostile/setuid stat -c %a /suid
	[ "$output" = "4755" ]
}

@test "20 parallel create --name same: exactly one container, 19 one-line errors" {
	local i
	for i in $(seq 20); do
		"$CTR" create --name same busybox true >"$CTR_LITE_TEST_DIR/c$i.out" 2>"$CTR_LITE_TEST_DIR/c$i.err" &
	done
	wait
	ctr ps -aq
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(cat "$CTR_LITE_TEST_DIR"/c*.out | wc -l)" -eq 1 ]
	[ "$(grep -l 'container name "same" is already in use' "$CTR_LITE_TEST_DIR"/c*.err | wc -l)" -eq 19 ]
	[ "$(cat "$CTR_LITE_TEST_DIR"/c*.err | wc -l)" -eq 19 ]
	rm -f "$CTR_LITE_TEST_DIR"/c*.out "$CTR_LITE_TEST_DIR"/c*.err
}

@test "parallel rm -f of one running container: it goes once, the others say so, nothing is left" {
	"$CTR" run -d --name victim busybox sleep 60 >/dev/null
	local i
	for i in $(seq 8); do
		"$CTR" rm -f victim >"$CTR_LITE_TEST_DIR/r$i.out" 2>"$CTR_LITE_TEST_DIR/r$i.err" &
	done
	wait
	[ "$(cat "$CTR_LITE_TEST_DIR"/r*.out | grep -c '^victim$')" -ge 1 ]
	! grep -v 'No such container' "$CTR_LITE_TEST_DIR"/r*.err
	ctr ps -aq
	[ -z "$output" ]
	rm -f "$CTR_LITE_TEST_DIR"/r*.out "$CTR_LITE_TEST_DIR"/r*.err
	assert_net_clean
	ctr run --rm --name victim busybox true
	assert_status 0
}

@test "ps and inspect never fail or print a half-written record while others write" {
	local stop=$CTR_LITE_TEST_DIR/stop i
	(
		i=0
		while [ ! -e "$stop" ]; do
			i=$((i + 1))
			"$CTR" create --name "w$i" busybox true >/dev/null
			"$CTR" start "w$i" >/dev/null
			"$CTR" rm -f "w$i" >/dev/null
		done
	) &
	local writer=$!
	"$CTR" create --name fixed busybox true >/dev/null
	for i in $(seq 40); do
		ctr ps -a --format json
		assert_status 0
		python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]' <<<"$output"
		ctr inspect fixed
		assert_status 0
		python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$output"
	done
	touch "$stop"
	wait $writer
}
