#!/usr/bin/env bash
# make bench: ctr-lite's speed against the runc floor and podman, as
# medians measured in this one run. Needs root, hyperfine, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
CTR=$PWD/bin/ctr-lite RUNC=$PWD/bin/runc
RUNS=${BENCH_RUNS:-30}
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
T=$(mktemp -d /tmp/ctr-lite-bench.XXXXXX)
C="$CTR --root $T/root --runroot $T/run"
cleanup() {
	$C rm -f $($C ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	if [ -n "${PODMAN:-}" ]; then $PODMAN rm -af >/dev/null 2>&1 || true; $PODMAN system reset -f >/dev/null 2>&1 || true; fi
	umount -R "$T"/podman* 2>/dev/null || true
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

$C load -q -i testdata/busybox.tar
echo "== run --rm busybox true (no network), median of $RUNS"
# The floor: runc run of a bundle with the config.json ctr-lite generates,
# over a plain copy of the container's rootfs.
$C create --name floor busybox true >/dev/null
mkdir -p "$T/bundle"
$C spec floor > "$T/bundle/config.json.in"
python3 - "$T/bundle" <<'PY'
import json, sys
b = sys.argv[1]
spec = json.load(open(b + "/config.json.in"))
spec["root"]["path"] = b + "/rootfs"
spec["linux"]["cgroupsPath"] = "/ctr-lite-bench/floor"
json.dump(spec, open(b + "/config.json", "w"))
PY
mkdir -p "$T/bundle/rootfs"
tar -C "$T/bundle/rootfs" -xf <(tar -xOf testdata/busybox.tar "$(tar -tf testdata/busybox.tar | grep layer.tar | head -1)")
for f in etc/hostname etc/hosts etc/resolv.conf dev/console; do touch "$T/bundle/rootfs/$f"; done
median "runc run (floor)" "$RUNC --root $T/runc run -b $T/bundle floor"
median "ctr-lite run --rm --network none" "$C run --rm --network none busybox true"
echo "  ratio to floor: $(ratio "${MED[ctr-lite run --rm --network none]}" "${MED[runc run (floor)]}") (target 1.2x)"

if command -v podman >/dev/null; then
	PODMAN="podman --root $T/podman --runroot $T/podman-run --runtime $RUNC --storage-driver overlay"
	$PODMAN load -q -i testdata/busybox.tar >/dev/null
	median "podman run --rm --network none" "$PODMAN run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 localhost/busybox:latest true"
	echo "  podman ratio to floor: $(ratio "${MED[podman run --rm --network none]}" "${MED[runc run (floor)]}"); ctr-lite is $(ratio "${MED[podman run --rm --network none]}" "${MED[ctr-lite run --rm --network none]}") faster"
else
	echo "  podman: not installed, skipped"
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
echo "  target: under 50 ms (issue), 30 ms (brief)"
