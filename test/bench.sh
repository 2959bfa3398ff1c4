#!/usr/bin/env bash
# make bench: ctr-lite's speed against the runc floor and podman, as
# medians measured in this one run. Needs root, hyperfine, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
CTR=$PWD/bin/ctr-lite RUNC=$PWD/bin/runc
RUNS=${BENCH_RUNS:-30}
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
T=$(mktemp -d /tmp/ctr-lite-bench.XXXXXX)
# Its own root and default network, so a bench never touches real state.
C="$CTR --root $T/root --runroot $T/run --default-subnet 10.250.0.0/16 --default-bridge ctrlite-bench"
# podman's netavark leaves its iptables chains behind; remove them after
# the bench if they were not there before it.
NETAVARK_BEFORE=$(iptables-save 2>/dev/null | grep -c NETAVARK || true)
drop_netavark() {
	[ "$NETAVARK_BEFORE" = 0 ] || return 0
	for t in nat filter; do
		iptables -t "$t" -S 2>/dev/null | grep '^-A' | grep -i netavark | sed 's/^-A/-D/' |
			while read -r rule; do eval iptables -t "$t" "$rule"; done
		for ch in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N NETAVARK/ {print $2}'); do iptables -t "$t" -F "$ch"; done
		for ch in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N NETAVARK/ {print $2}'); do iptables -t "$t" -X "$ch"; done
	done
	ip link del podman0 2>/dev/null || true
}
cleanup() {
	[ -z "${REG_PID:-}" ] || { kill "$REG_PID" 2>/dev/null; wait "$REG_PID" 2>/dev/null || true; }
	$C system reset -f >/dev/null 2>&1 || true
	ip netns del ctr-lite-bench 2>/dev/null || true
	if [ -n "${PODMAN:-}" ]; then $PODMAN rm -af >/dev/null 2>&1 || true; $PODMAN system reset -f >/dev/null 2>&1 || true; fi
	umount -R "$T"/podman* 2>/dev/null || true
	drop_netavark
	rmdir /sys/fs/cgroup/*/ctr-lite-bench 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# median NAME CMD... : prints and records the median in ms of CMD.
declare -A MED
median() {
	local name=$1; shift
	hyperfine -N -w 3 -r "$RUNS" --export-json "$T/h.json" "$@" >/dev/null 2>&1
	MED[$name]=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$T/h.json")
	printf '  %-44s %8s ms\n' "$name" "${MED[$name]}"
}
ratio() { python3 -c "print('%.2fx' % ($1/$2))"; }

# bundle NAME NETWORK [NETNS]: a runc bundle with the config.json ctr-lite
# generates for a container on NETWORK, over a plain copy of the rootfs;
# with NETNS, the spec joins that namespace path instead.
bundle() {
	local dir=$T/bundle-$1
	$C create --name "floor-$1" --network "$2" busybox true >/dev/null
	mkdir -p "$dir/rootfs"
	$C spec "floor-$1" > "$dir/config.json.in"
	python3 - "$dir" "$1" "${3:-}" <<'PY'
import json, sys
b, name, netns = sys.argv[1:4]
spec = json.load(open(b + "/config.json.in"))
spec["root"]["path"] = b + "/rootfs"
spec["linux"]["cgroupsPath"] = "/ctr-lite-bench/" + name
for ns in spec["linux"]["namespaces"]:
    if ns["type"] == "network":
        ns.pop("path", None)
        if netns:
            ns["path"] = netns
json.dump(spec, open(b + "/config.json", "w"))
PY
	tar -C "$dir/rootfs" -xf <(tar -xOf testdata/busybox.tar "$(tar -tf testdata/busybox.tar | grep layer.tar | head -1)")
	for f in etc/hostname etc/hosts etc/resolv.conf dev/console; do touch "$dir/rootfs/$f"; done
}

$C load -q -i testdata/busybox.tar
PODMAN=""
if command -v podman >/dev/null; then
	PODMAN="podman --root $T/podman --runroot $T/podman-run --runtime $RUNC --storage-driver overlay"
	$PODMAN load -q -i testdata/busybox.tar >/dev/null
	PODRUN="$PODMAN run --rm --ulimit nofile=20000:20000 --ulimit nproc=4096:4096"
fi

# BENCH_ONLY=monitor: only the monitor's memory and log throughput.
if [ "${BENCH_ONLY:-}" != monitor ]; then
echo "== run --rm busybox true, no network, median of $RUNS"
bundle none none
median "runc run (floor)" "$RUNC --root $T/runc run -b $T/bundle-none floor-none"
median "ctr-lite run --rm --network none" "$C run --rm --network none busybox true"
echo "  ratio to floor: $(ratio "${MED[ctr-lite run --rm --network none]}" "${MED[runc run (floor)]}") (targets: 1.5x issue, 1.2x brief)"
# BENCH_BASE=/path/to/an/older/ctr-lite: the same run by that binary, on a
# root of its own, so a change is measured against what came before it.
# The base runs the same runc as the floor: an older build without a
# bin/runc beside it would fall back to the PATH's runc and measure that.
if [ -n "${BENCH_BASE:-}" ]; then
	B="$BENCH_BASE --runtime $RUNC --root $T/base-root --runroot $T/base-run --default-subnet 10.251.0.0/16 --default-bridge ctrlite-bbase"
	$B load -q -i testdata/busybox.tar
	median "base ctr-lite run --rm --network none" "$B run --rm --network none busybox true"
	median "base ctr-lite run --rm (bridge)" "$B run --rm busybox true"
	median "ctr-lite run --rm (bridge), beside base" "$C run --rm busybox true"
	$B system reset -f >/dev/null 2>&1 || true
fi
if [ -n "$PODMAN" ]; then
	median "podman run --rm --network none" "$PODRUN --network none localhost/busybox:latest true"
	echo "  podman ratio to floor: $(ratio "${MED[podman run --rm --network none]}" "${MED[runc run (floor)]}")"
else
	echo "  podman: not installed, skipped"
fi

echo "== run --rm busybox true on the default bridge, median of $RUNS"
# The floor joins a fresh namespace made before each run (not timed).
bundle bridge bridge /run/netns/ctr-lite-bench
median "runc run, fresh netns (floor)" --prepare "sh -c 'ip netns del ctr-lite-bench 2>/dev/null; ip netns add ctr-lite-bench'" \
	"$RUNC --root $T/runc run -b $T/bundle-bridge floor-bridge"
ip netns del ctr-lite-bench 2>/dev/null || true
median "ctr-lite run --rm (bridge)" "$C run --rm busybox true"
echo "  ratio to floor: $(ratio "${MED[ctr-lite run --rm (bridge)]}" "${MED[runc run, fresh netns (floor)]}") (targets: 2.0x issue, 1.4x brief)"
if [ -n "$PODMAN" ]; then
	if $PODRUN localhost/busybox:latest true >/dev/null 2>&1; then
		median "podman run --rm (default network)" "$PODRUN localhost/busybox:latest true"
		echo "  podman ratio to floor: $(ratio "${MED[podman run --rm (default network)]}" "${MED[runc run, fresh netns (floor)]}")"
	else
		echo "  podman on its default network: fails on this machine ($($PODRUN localhost/busybox:latest true 2>&1 | tail -1))"
	fi
fi

echo "== 20 parallel run --rm busybox true on the bridge, wall time, median of 5"
par="for i in \$(seq 20); do %s & done; wait"
RUNS_SAVED=$RUNS RUNS=5
median "ctr-lite, 20 in parallel" "sh -c '$(printf "$par" "$C run --rm busybox true >/dev/null")'"
if [ -n "$PODMAN" ] && $PODRUN localhost/busybox:latest true >/dev/null 2>&1; then
	median "podman, 20 in parallel" "sh -c '$(printf "$par" "$PODRUN localhost/busybox:latest true >/dev/null")'"
fi
RUNS=$RUNS_SAVED

echo "== detached containers"
# rss_of PID: resident and proportional set size, in KiB.
rss_of() { awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r " KiB RSS, " p " KiB PSS"}' "/proc/$1/smaps_rollup"; }
for i in 1 2 3; do $C run -d --name "mon$i" busybox sleep 300 >/dev/null; done
sleep 0.5
echo "  monitor per running container: $(rss_of "$($C inspect -f '{{.State.MonitorPid}}' mon1)") (anonymous: $(awk '/RssAnon/ {print $2}' "/proc/$($C inspect -f '{{.State.MonitorPid}}' mon1)/status") KiB)"
if [ -n "$PODMAN" ]; then
	$PODRUN -d --name pmon localhost/busybox:latest sleep 300 >/dev/null 2>&1 && \
		echo "  podman's conmon: $(rss_of "$(pgrep -f 'conmon.*pmon' | head -1)")"
	$PODMAN rm -f -t 0 pmon >/dev/null 2>&1 || true
fi
$C rm -f mon1 mon2 mon3 >/dev/null
median "ctr-lite run -d + rm -f" "sh -c '$C run -d --name lat busybox sleep 300 >/dev/null && $C rm -f lat >/dev/null'"
if [ -n "$PODMAN" ]; then
	median "podman run -d + rm -f" "sh -c '$PODRUN -d --name lat localhost/busybox:latest sleep 300 >/dev/null && $PODMAN rm -f -t 0 lat >/dev/null'"
fi
fi # BENCH_ONLY

# mem_of PID...: the mean RSS and PSS of the processes, in KiB.
mem_of() {
	for p; do awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r, p}' "/proc/$p/smaps_rollup"; done |
		awk '{r+=$1; p+=$2; n++} END {printf "%5d KiB RSS, %5d KiB PSS (mean of %d)", r/n, p/n, n}'
}
# monitor_memory: the monitor's memory while its container writes a log
# line a second and has a health check every 2 s, 1 and 10 containers:
# ctr-lite's small waiter, its big one (CTR_LITE_BIG_WAITER=1), podman's
# conmon (podman's checks are systemd timers, not conmon's: none here).
monitor_memory() {
	local n kind i pids flags
	local loggy='i=0; while :; do echo line $i; i=$((i+1)); sleep 1; done'
	echo "== monitor RSS/PSS: containers logging a line a second, health check every 2 s"
	for n in 1 10; do
		for kind in small big; do
			flags=; [ $kind = small ] || flags=CTR_LITE_BIG_WAITER=1
			for i in $(seq $n); do
				env $flags $C run -d --network none --name "mem$i" --health-cmd true --health-interval 2s busybox sh -c "$loggy" >/dev/null
			done
			sleep "${BENCH_MEM_WAIT:-12}"
			pids=$(for i in $(seq $n); do $C inspect -f '{{.State.MonitorPid}}' "mem$i"; done)
			printf '  %-44s %s\n' "ctr-lite $kind waiter, $n container(s)" "$(mem_of $pids)"
			$C rm -f $(seq -f 'mem%g' $n) >/dev/null
		done
		if [ -n "$PODMAN" ]; then
			for i in $(seq $n); do
				$PODMAN run -d --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --network none --name "pmem$i" \
					--health-cmd true --health-interval 2s localhost/busybox:latest sh -c "$loggy" >/dev/null 2>&1 ||
					$PODMAN run -d --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --network none --name "pmem$i" \
						localhost/busybox:latest sh -c "$loggy" >/dev/null
			done
			sleep "${BENCH_MEM_WAIT:-12}"
			pids=$(for i in $(seq $n); do $PODMAN inspect -f '{{.State.ConmonPid}}' "pmem$i"; done)
			printf '  %-44s %s\n' "podman conmon, $n container(s)" "$(mem_of $pids)"
			$PODMAN rm -f -t 0 $(seq -f 'pmem%g' $n) >/dev/null 2>&1 || true
		fi
	done
}
monitor_memory

if [ "${BENCH_ONLY:-}" = monitor ]; then
	logrun() {
		cat <<EOF
id=\$($1 -d --network none $4 sh -c 'yes hello-world-line | head -n 2000000')
$2 "\$id" >/dev/null
$3 "\$id" >/dev/null
EOF
	}
	echo "== log throughput: 2,000,000 lines through the monitor (run -d, then wait), median of 5"
	logrun "$C run" "$C wait" "$C rm" busybox > "$T/logs-ctr.sh"
	RUNS=5 median "ctr-lite small waiter (json-file)" "sh $T/logs-ctr.sh"
	logrun "env CTR_LITE_BIG_WAITER=1 $C run" "$C wait" "$C rm" busybox > "$T/logs-big.sh"
	RUNS=5 median "ctr-lite big waiter (json-file)" "sh $T/logs-big.sh"
	if [ -n "$PODMAN" ]; then
		logrun "$PODMAN run --ulimit nofile=20000:20000 --ulimit nproc=4096:4096" "$PODMAN wait" "$PODMAN rm" localhost/busybox:latest > "$T/logs-pod.sh"
		RUNS=5 median "podman conmon (k8s-file)" "sh $T/logs-pod.sh"
		echo "  ctr-lite/conmon: $(ratio "${MED[ctr-lite small waiter (json-file)]}" "${MED[podman conmon (k8s-file)]}") (target: at most 1.0x, issue 12)"
	fi
	exit 0
fi

echo "== log throughput: 2,000,000 lines through the monitor (run -d, then wait), median of 5"
# logrun RUN WAIT RM IMAGE: a script timing one container's 2M lines.
logrun() {
	cat <<EOF
id=\$($1 -d --network none $4 sh -c 'yes hello-world-line | head -n 2000000')
$2 "\$id" >/dev/null
$3 "\$id" >/dev/null
EOF
}
logrun "$C run" "$C wait" "$C rm" busybox > "$T/logs-ctr.sh"
RUNS=5 median "ctr-lite monitor (json-file)" "sh $T/logs-ctr.sh"
if [ -n "$PODMAN" ]; then
	logrun "$PODMAN run --ulimit nofile=20000:20000 --ulimit nproc=4096:4096" "$PODMAN wait" "$PODMAN rm" localhost/busybox:latest > "$T/logs-pod.sh"
	RUNS=5 median "podman conmon (k8s-file)" "sh $T/logs-pod.sh"
	echo "  ctr-lite/conmon: $(ratio "${MED[ctr-lite monitor (json-file)]}" "${MED[podman conmon (k8s-file)]}") (target: at most 1.0x, issue 12)"
fi

echo "== steps on their own"
quiet_rm() { echo "sh -c '$C rm -f $1 >/dev/null 2>&1; true'"; }
median "create" --prepare "$(quiet_rm bench-c)" "$C create --name bench-c busybox true"
$C rm -f bench-c >/dev/null 2>&1 || true
$C create --name bench-s busybox true >/dev/null
median "start -a (exited container)" "$C start -a bench-s"
median "rm" --prepare "sh -c '$C create --name bench-r busybox true >/dev/null'" "$C rm bench-r"

echo "== create time against image size (overlay must be flat)"
go run ./testdata/mkimage -big 200 "$T" >/dev/null
$C load -q -i "$T/big.tar"
median "create, 2 MB image" --prepare "$(quiet_rm bench-c)" "$C create --name bench-c busybox true"
median "create, 200 MB image" --prepare "$(quiet_rm bench-c)" "$C create --name bench-c big true"
$C rm -f bench-c >/dev/null 2>&1 || true

echo "== ps -a with 1000 containers"
for i in $(seq 1000); do echo "$C create busybox true"; done | xargs -P 2 -I{} sh -c '{} >/dev/null'
median "ps -a (1000 containers)" "$C ps -a"
$C create --name bench-x busybox true >/dev/null
median "ps -a -f name=bench-x (1000 containers)" "$C ps -a -f name=bench-x"
$C rm -f bench-x >/dev/null
echo "  target: under 30 ms (issues 10 and 11)"

echo "== pull from a registry on loopback (docker-registry), 100 MB in 4 layers + busybox"
start_registry() {
	mkdir -p "$T/registry"
	for _ in $(seq 20); do
		local port=$((20000 + RANDOM % 20000))
		printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "127.0.0.1:%s"}\n' "$T/registry/data" "$port" >"$T/registry/config.yml"
		docker-registry serve "$T/registry/config.yml" >"$T/registry/log" 2>&1 &
		REG_PID=$!
		for _ in $(seq 50); do
			curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { REG=127.0.0.1:$port; return 0; }
			sleep 0.1
		done
		kill "$REG_PID" 2>/dev/null; wait "$REG_PID" 2>/dev/null || true
	done
	return 1
}
if command -v docker-registry >/dev/null && start_registry; then
	mkdir -p "$T/pull"
	go run ./testdata/mkimage -big 100 -layers 4 "$T/pull" >/dev/null
	$C load -q -i "$T/pull/big.tar"
	$C tag big "$REG/bench/big:1"
	$C push -q "$REG/bench/big:1" >/dev/null
	PR=$((RUNS / 3 > 5 ? RUNS / 3 : 5))
	P="$CTR --root $T/pullroot --runroot $T/pullrun"
	hyperfine -N -w 1 -r "$PR" --prepare "rm -rf $T/pullroot $T/pullrun" --export-json "$T/h.json" "$P pull -q $REG/bench/big:1" >/dev/null 2>&1
	MED[pull]=$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$T/h.json")
	printf '  %-44s %8s ms\n' "ctr-lite pull (download + verify + unpack)" "${MED[pull]}"
	if command -v skopeo >/dev/null; then
		hyperfine -N -w 1 -r "$PR" --prepare "rm -rf $T/skopeo" --export-json "$T/h.json" "skopeo copy -q --src-tls-verify=false docker://$REG/bench/big:1 oci:$T/skopeo:big" >/dev/null 2>&1
		MED[skopeo]=$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$T/h.json")
		printf '  %-44s %8s ms   ctr-lite/skopeo: %s (target: at most 1.5x)\n' "skopeo copy to an OCI layout (no unpack)" "${MED[skopeo]}" "$(ratio "${MED[pull]}" "${MED[skopeo]}")"
	fi
	if [ -n "$PODMAN" ]; then
		hyperfine -N -w 1 -r "$PR" --prepare "sh -c '$PODMAN rmi -af >/dev/null 2>&1; true'" --export-json "$T/h.json" "$PODMAN pull -q --tls-verify=false $REG/bench/big:1" >/dev/null 2>&1
		MED[podpull]=$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$T/h.json")
		printf '  %-44s %8s ms   ctr-lite/podman: %s\n' "podman pull (download + unpack)" "${MED[podpull]}" "$(ratio "${MED[pull]}" "${MED[podpull]}")"
	fi
	# Unpack alone: the same layers, uncompressed, by tar -x (the floor)
	# and by ctr-lite load of the uncompressed docker-archive.
	mkdir -p "$T/layers" && tar -xf "$T/pull/big.tar" -C "$T/layers"
	MB=$(python3 -c 'import os,sys; print("%.1f" % (sum(os.path.getsize(os.path.join(r,f)) for r,_,fs in os.walk(sys.argv[1]) for f in fs if f.endswith("layer.tar"))/1e6))' "$T/layers")
	median "tar -x of the layers ($MB MB)" --prepare "rm -rf $T/untar" "sh -c 'mkdir $T/untar && for l in $T/layers/*/layer.tar; do tar -xf \$l -C $T/untar; done'"
	median "ctr-lite load of the same (unpack + verify)" --prepare "rm -rf $T/loadroot" "$CTR --root $T/loadroot --runroot $T/loadrun load -q -i $T/pull/big.tar"
	rate() { python3 -c "print('%.0f MB/s' % ($MB / ($1 / 1000)))"; }
	echo "  unpack rate: tar -x $(rate "${MED["tar -x of the layers ($MB MB)"]}"), ctr-lite load $(rate "${MED["ctr-lite load of the same (unpack + verify)"]}"), ctr-lite pull $(rate "${MED[pull]}")"
	rm -rf "$T/untar" "$T/loadroot" "$T/pullroot" "$T/skopeo" "$T/layers" "$T/pull"
else
	echo "  docker-registry is not installed: skipped"
fi
