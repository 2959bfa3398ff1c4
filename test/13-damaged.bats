#!/usr/bin/env bats
# Damaged records (power loss, a full disk): each kind of record file is
# made empty, truncated or garbage in turn, for a created and a running
# container; ps -a, inspect, rm -f and system reset -f keep working, the
# name is free again afterwards, and nothing leaks.

load helpers
bats_require_minimum_version 1.5.0

# damage FILE HOW: empty, truncated (half its bytes) or garbage.
damage() {
	case $2 in
	empty) : > "$1" ;;
	truncated) local n; n=$(stat -c %s "$1"); truncate -s $((n / 2)) "$1" ;;
	garbage) printf '\377\000not json' > "$1" ;;
	esac
}

# record_file KIND ID NAME: the path of one kind of record of a container.
record_file() {
	case $1 in
	config) echo "$CTR_LITE_ROOT/containers/$2/config.v2.json" ;;
	hostconfig) echo "$CTR_LITE_ROOT/containers/$2/hostconfig.json" ;;
	name) echo "$CTR_LITE_ROOT/names/$3" ;;
	lease) grep -l "^$2 " "$CTR_LITE_ROOT"/networks/*/leases/* | head -1 ;;
	ports) grep -rl "^$2 " /run/ctr-lite/ports | head -1 ;;
	esac
}

# start_one STATE: a container named dmg, created or running (on the
# bridge, with a published port, so it owns a lease, a netns and rules).
start_one() {
	if [ "$1" = created ]; then
		"$CTR" create --name dmg -p 127.0.0.1:18190:80 busybox sleep 60
	else
		"$CTR" run -d --name dmg -p 127.0.0.1:18190:80 busybox sleep 60
	fi
}

# check_damaged KIND STATE HOW: one record damaged; every command copes.
check_damaged() {
	local kind=$1 st=$2 how=$3 id pid file
	id=$(start_one "$st")
	pid=$("$CTR" inspect -f '{{.State.Pid}}' dmg)
	file=$(record_file "$kind" "$id" dmg)
	[ -n "$file" ] || { echo "no $kind file for a $st container" >&2; return 1; }
	damage "$file" "$how"

	ctr ps -a --format '{{.ID}} {{.Status}}'
	assert_status 0
	[[ "$output" == *"${id:0:12}"* ]] || { echo "$kind/$st/$how: ps -a hides it: $output" >&2; return 1; }
	if [ "$kind" = config ]; then
		[[ "$output" == *"${id:0:12} Dead"* ]] || { echo "ps -a: $output" >&2; return 1; }
		ctr inspect "$id"
		[ "$status" -eq 1 ] && [ "$(echo "$stderr" | wc -l)" -eq 1 ] && [[ "$stderr" == *damaged* ]] ||
			{ echo "$kind/$st/$how: inspect: $status $stderr" >&2; return 1; }
		if [ "$st" = running ]; then # it may run: rm without -f refuses
			ctr rm dmg
			[ "$status" -eq 1 ] && [[ "$stderr" == *"rm -f"* ]] || { echo "rm: $status $stderr" >&2; return 1; }
		fi
	fi

	ctr rm -f dmg
	assert_status 0 || { echo "$kind/$st/$how" >&2; return 1; }
	[ "$pid" -eq 0 ] || ! kill -0 "$pid" 2>/dev/null
	ctr create --name dmg busybox true
	assert_status 0 || { echo "$kind/$st/$how: name not reusable" >&2; return 1; }
	"$CTR" rm -f dmg >/dev/null
	assert_net_clean
}

# check_each KIND STATE...: check_damaged for each state and each damage.
check_each() {
	local kind=$1 st how; shift
	for st in "$@"; do
		for how in empty truncated garbage; do
			check_damaged "$kind" "$st" "$how"
		done
	done
}

@test "a damaged config.v2.json: ps -a shows it Dead, inspect fails in one line, rm -f removes it" {
	check_each config created running
}

@test "a damaged hostconfig.json: rm -f removes everything the container owns" {
	check_each hostconfig created running
}

@test "a damaged name entry: the container is found by its record, the name freed" {
	check_each name created running
}

@test "a damaged address or port lease: rm -f removes it" {
	check_each lease running
	check_each ports running
}

@test "system reset -f finishes with every kind of record damaged at once" {
	local i=0 kind id
	for kind in config hostconfig name lease; do
		i=$((i + 1))
		id=$("$CTR" run -d --name "r$i" -p "127.0.0.1:1819$i:80" busybox sleep 60)
		damage "$(record_file "$kind" "$id" "r$i")" truncated
	done
	id=$("$CTR" create --name r9 busybox true)
	damage "$(record_file config "$id" r9)" empty
	ctr system reset -f
	assert_status 0
	[ ! -e "$CTR_LITE_ROOT" ]
	"$BATS_TEST_DIRNAME/leakcheck.sh" "$CTR_LITE_TEST_DIR"
	"$CTR" load -q -i "$TESTDATA/busybox.tar"
}

@test "a damaged repositories.json: images lists them by ID with a warning; load names them again" {
	local how repos
	repos=$(echo "$CTR_LITE_ROOT"/image/*/repositories.json)
	for how in empty truncated garbage; do
		damage "$repos" "$how"
		ctr images
		assert_status 0
		[[ "$stderr" == *WARNING*repositories.json* ]] && [ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ "$output" == *"<none>"* ]]
		ctr ps -a
		assert_status 0
		"$CTR" load -q -i "$TESTDATA/busybox.tar"
		ctr run --rm busybox true
		assert_status 0
	done
}

@test "a damaged repositories.json: image prune -f keeps every image and says why; the first write keeps the damaged file aside" {
	local repos before aside
	"$CTR" load -q -i "$TESTDATA/layered.tar"
	repos=$(echo "$CTR_LITE_ROOT"/image/*/repositories.json)
	rm -f "$repos".damaged-* # left by the test above
	before=$("$CTR" images -q | sort)
	head -c 20 "$repos" > "$repos.tmp" && mv "$repos.tmp" "$repos"
	ctr image prune -f
	assert_status 1
	[ -z "$output" ]
	[ "$(echo "$stderr" | grep -vc WARNING)" -eq 1 ] && [[ "$stderr" == *"image prune -a"* ]]
	[ "$(echo "$stderr" | grep -c WARNING)" -eq 1 ]
	[ "$("$CTR" images -q | sort)" = "$before" ]
	"$CTR" load -q -i "$TESTDATA/busybox.tar" 2>"$BATS_TEST_TMPDIR/err"
	aside=$(echo "$repos".damaged-*)
	[ -f "$aside" ] && [ "$(stat -c %s "$aside")" -eq 20 ]
	grep -q "$aside" "$BATS_TEST_TMPDIR/err"
	rm -f "$aside"
	ctr images -q
	[ "$(echo "$output" | sort)" = "$before" ]
}

@test "a damaged volume.json: volume ls shows it, using it repairs it with its data, volume rm removes it" {
	local how
	for how in empty truncated garbage; do
		"$CTR" run --rm -v dv:/d busybox sh -c 'echo kept > /d/f'
		damage "$CTR_LITE_ROOT/volumes/dv/volume.json" "$how"
		ctr volume ls -q
		assert_status 0
		[ "$output" = dv ] && [[ "$stderr" == *WARNING*dv* ]]
		ctr run --rm -v dv:/d busybox cat /d/f
		assert_status 0
		[ "$output" = kept ]
		damage "$CTR_LITE_ROOT/volumes/dv/volume.json" "$how"
		ctr volume rm dv
		assert_status 0
		[ ! -e "$CTR_LITE_ROOT/volumes/dv" ]
	done
}
