#!/usr/bin/env bats
# docker's events from the daemonless events log: every command and the
# monitor append one JSON line per event to <root>/events.log; `events`
# reads it in docker's line format, --format, --since/--until, --filter,
# and follows it live (rotation included).

load helpers
bats_require_minimum_version 1.5.0

# now_plus: an --until a little after now (unix seconds with fraction)
until_now() { date +%s.%N; }

@test "run, stop, rm, tag, network and volume leave docker's events in order and docker's line format" {
	"$CTR" run --name ev1 --network none busybox true
	"$CTR" run -d --name ev2 --network none busybox sleep 100 >/dev/null
	wait_running ev2
	"$CTR" stop -t 1 ev2 >/dev/null
	"$CTR" rm ev1 ev2 >/dev/null
	"$CTR" tag busybox evtag:1
	"$CTR" network create evnet >/dev/null
	"$CTR" network rm evnet >/dev/null
	"$CTR" volume create evvol >/dev/null
	"$CTR" volume rm evvol >/dev/null
	ctr events --since 1m --until "$(until_now)"
	assert_status 0
	actions=$(printf '%s\n' "$output" | awk '{print $2 " " $3}' | tr '\n' ',')
	[[ $actions == *"container create,container start,container die,container create,container start,container kill,"*"container die,container stop,container destroy,container destroy,image tag,network create,network destroy,volume create,volume destroy,"* ]]
	# docker's shape: TIME TYPE ACTION ID (k=v, ...) sorted by key
	line=$(printf '%s\n' "$output" | grep ' container die ' | head -1)
	[[ $line =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9:]{5})\ container\ die\ [0-9a-f]{64}\ \(exitCode=0,\ image=busybox,\ name=ev1\)$ ]]
	printf '%s\n' "$output" | grep -q ' container kill [0-9a-f]* (image=busybox, name=ev2, signal=15)$'
	printf '%s\n' "$output" | grep -q ' container die [0-9a-f]* (exitCode=137, image=busybox, name=ev2)$\| container die [0-9a-f]* (exitCode=143, image=busybox, name=ev2)$'
	printf '%s\n' "$output" | grep -q ' image tag sha256:[0-9a-f]* (name=evtag:1)$'
	printf '%s\n' "$output" | grep -q ' volume destroy evvol (driver=local)$'
}

@test "events --filter event, type, container and label; --format json and templates" {
	"$CTR" run --name evf -l team=a --network none busybox true
	"$CTR" rm evf >/dev/null
	"$CTR" tag busybox evtag:2
	u=$(until_now)
	ctr events --since 1m --until "$u" --filter event=start --filter container=evf
	assert_status 0
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
	[[ $output == *" container start "*"name=evf, team=a)" ]]
	ctr events --since 1m --until "$u" --filter type=image --filter event=tag
	[[ $output == *"image tag "*"(name=evtag:2)"* ]]
	! printf '%s\n' "$output" | grep -v ' image tag '
	ctr events --since 1m --until "$u" -f label=team=a -f event=destroy --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'
	[ "$output" = "container destroy evf" ]
	ctr events --since 1m --until "$u" -f container=evf --format '{{json .}}'
	assert_status 0
	while read -r l; do printf '%s' "$l" | python3 -m json.tool >/dev/null; done <<<"$output"
	printf '%s\n' "$output" | head -1 | python3 -c 'import json,sys; m=json.load(sys.stdin); assert m["Type"]=="container" and m["Action"]=="create" and m["status"]=="create" and m["id"]==m["Actor"]["ID"] and m["from"]=="busybox" and m["timeNano"]//10**9==m["time"], m'
	ctr events --since 1m --until "$u" -f nonsense=1
	assert_status 1
	one_line_error "invalid filter"
	ctr events --since yesterday
	assert_status 1
	one_line_error "invalid time"
	# docker: no past events without --since
	ctr events --until "$u"
	assert_status 0
	[ -z "$output" ]
}

@test "events follows the log live until it is killed" {
	out=$CTR_LITE_TEST_DIR/follow.out
	"$CTR" volume create evmark >/dev/null
	"$CTR" events --since 1m --filter type=volume --filter type=container >"$out" &
	pid=$!
	for _ in $(seq 100); do grep -q 'volume create evmark' "$out" && break; sleep 0.05; done
	grep -q 'volume create evmark' "$out"
	"$CTR" run --rm --name evlive --network none busybox true
	for _ in $(seq 100); do grep -q 'container destroy .*name=evlive' "$out" && break; sleep 0.05; done
	kill "$pid"
	wait "$pid" || true
	grep -q ' container start [0-9a-f]* (image=busybox, name=evlive)$' "$out"
	grep -q 'container destroy .*name=evlive' "$out"
	"$CTR" volume rm evmark >/dev/null
}

@test "10 parallel run --rm leave only whole lines; a rotated log is read across events.log.1 and events.log" {
	for i in $(seq 10); do "$CTR" run --rm --network none busybox true & done
	wait
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    assert m["Type"] and m["Action"] and l.endswith("\n")
' "$CTR_LITE_ROOT/events.log"
	[ "$(grep -c '"Action":"destroy"' "$CTR_LITE_ROOT/events.log")" -ge 10 ]
	rm -f "$CTR_LITE_ROOT"/events.log*
	for i in $(seq 12); do CTR_LITE_EVENTS_MAX=1000 "$CTR" volume create "rot$i" >/dev/null; done
	[ -s "$CTR_LITE_ROOT/events.log.1" ]
	[ -s "$CTR_LITE_ROOT/events.log" ]
	[ "$(stat -c %s "$CTR_LITE_ROOT/events.log")" -le 1000 ]
	ctr events --since 1m --until "$(until_now)" --format '{{.Actor.ID}}'
	in1=$(grep -c . "$CTR_LITE_ROOT/events.log.1")
	in0=$(grep -c . "$CTR_LITE_ROOT/events.log")
	[ "$(printf '%s\n' "$output" | wc -l)" = $((in1 + in0)) ]
	[ "$(printf '%s\n' "$output" | tail -1)" = rot12 ]
	for i in $(seq 12); do "$CTR" volume rm "rot$i" >/dev/null; done
}

@test "container prune removes only stopped containers, prints docker's lists, honours label and until filters" {
	"$CTR" create --name pr1 busybox true >/dev/null
	"$CTR" create --name pr2 -l keep=1 busybox true >/dev/null
	"$CTR" run -d --name pr3 --network none busybox sleep 100 >/dev/null
	wait_running pr3
	id1=$("$CTR" inspect -f '{{.Id}}' pr1)
	ctr container prune -f --filter until=1h
	assert_status 0
	[ "$output" = "Total reclaimed space: 0B" ]
	ctr container prune -f --filter label!=keep
	assert_status 0
	[ "$(printf '%s\n' "$output" | head -2)" = "$(printf 'Deleted Containers:\n%s' "$id1")" ]
	[[ $output == *"Total reclaimed space: "* ]]
	ctr inspect pr1
	assert_status 1
	ctr container prune -f
	[[ $output == *"Deleted Containers:"* ]]
	ctr inspect pr2
	assert_status 1
	ctr inspect -f '{{.State.Running}}' pr3
	[ "$output" = true ]
	ctr container prune -f --filter bogus=1
	assert_status 1
	one_line_error "invalid filter"
	"$CTR" rm -f pr3 >/dev/null
}
