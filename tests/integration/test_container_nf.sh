#!/usr/bin/env bash
# An NF in a container (systemd-nspawn, its own PID and mount namespaces) in
# the path between two hosts in network namespaces: TCP across it arrives
# byte for byte; the manager shows the NF's host pid, which the NF cannot
# see; kill -9 of the NF, and of nspawn, is noticed within a second with
# every packet reclaimed; the manager's shutdown stops a container NF, and
# kills one that does not stop, through the lock, not a pid from inside;
# no container is left behind. Then the bad input of --container.
source "$(dirname "$0")/lib.sh"
test_init container_nf

command -v systemd-nspawn >/dev/null || skip "systemd-nspawn not installed (Debian: systemd-container)"
export ONVM_CONTAINER_RUNTIME=nspawn
if ! bash "$ONVM_ROOT/scripts/build_nf_rootfs.sh" -b "$BUILD" simple_forward >"$WORK/rootfs.log" 2>&1; then
	echo "  cannot build the root file system:"; sed 's/^/    /' "$WORK/rootfs.log"
	exit 1
fi

# The host pid the manager gave the NF that joined last.
last_nf_pid() {
	sed -n 's/^onvm_mgr: NF [0-9]* ([^,]*, pid \([0-9]*\)) joined.*/\1/p' "$MGR_LOG" | tail -1
}
# noticed_within_1s PID HOW: the manager logged "pid PID) HOW" within 1 s of
# the call (made right after the kill).
noticed_within_1s() {
	local t0=$SECONDS$(date +%N) deadline=$(($(date +%s%N) + 1000000000))
	while [ "$(date +%s%N)" -lt "$deadline" ]; do
		grep -q "pid $1) $2" "$MGR_LOG" && return 0
		sleep 0.02
	done
	return 1
}
# Processes in the PID namespace the NF sees (its /proc, from the host).
pids_inside() {
	ls "/proc/$1/root/proc" | grep -c '^[0-9]*$'
}
# expect_line "text" command...: exit 1-123 and the text on the last line.
expect_line() {
	local text=$1 rc
	shift
	timeout 30 "$@" >"$WORK/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -ge 124 ] || ! tail -1 "$WORK/out" | grep -qF -- "$text"; then
		echo "    exit status $rc:"; tail -3 "$WORK/out" | sed 's/^/    /'
		return 1
	fi
}

tag=$$
make_host "onvm_ca$tag" "ca$tag" 10.78.0.1/24
make_host "onvm_cb$tag" "cb$tag" 10.78.0.2/24
start_mgr 0-1 "--vdev=net_af_packet0,iface=ca$tag" "--vdev=net_af_packet1,iface=cb$tag" \
	-- -p 0x3 -s none || { finish; }

# ---- traffic through a container NF ----
start_nf simple_forward --container || finish
ctr=$NF_PID nf=$(last_nf_pid)
log "container: nspawn pid $ctr, NF host pid $nf"
check "the manager shows the NF's host pid (a simple_forward process)" \
	test "$(cat "/proc/$nf/comm" 2>/dev/null)" = simple_forward
check "the NF runs in a PID namespace of its own" \
	test "$(readlink "/proc/$nf/ns/pid")" != "$(readlink /proc/self/ns/pid)"
check "inside it the NF is pid 1" \
	test "$(awk '/^NSpid:/ { print $NF }' "/proc/$nf/status")" = 1
check "inside it no host process is visible (only itself in its /proc)" \
	test "$(pids_inside "$nf")" = 1
check "ping a -> b through the container NF" \
	ip netns exec "onvm_ca$tag" ping -c 3 -i 0.2 -W 2 10.78.0.2
head -c 2000000 /dev/urandom >"$WORK/payload"
xfer=$ONVM_ROOT/tests/integration/tcp_transfer.py
ip netns exec "onvm_cb$tag" "$SYS_PYTHON" "$xfer" serve 5002 "$WORK/received" 60 &
server=$!
_pids+=("$server")
check "2 MB TCP transfer a -> b completes" timeout 90 \
	ip netns exec "onvm_ca$tag" "$SYS_PYTHON" "$xfer" send 10.78.0.2 5002 "$WORK/payload" 60
wait "$server"
check "received bytes identical" cmp "$WORK/payload" "$WORK/received"

# ---- kill -9 of the NF process, from the host ----
# Traffic keeps flowing meanwhile, so the NF holds packets when it dies.
ip netns exec "onvm_ca$tag" ping -q -i 0.002 -c 100000 10.78.0.2 >/dev/null 2>&1 &
pinger=$!
_pids+=("$pinger")
sleep 0.5
kill -9 "$nf"
check "kill -9 of the NF: the manager noticed within 1 s" noticed_within_1s "$nf" died
check "the container ended with its NF" wait_for 5 bash -c "! kill -0 $ctr 2>/dev/null"
check "mempool back to baseline (<= one burst in flight)" test "$(mempool_in_use)" -le 128

# ---- kill -9 of nspawn ----
start_nf simple_forward --container || finish
ctr=$NF_PID nf=$(last_nf_pid)
sleep 0.5
kill -9 "$ctr"
check "kill -9 of nspawn: the manager noticed the NF's end within 1 s" noticed_within_1s "$nf" died
check "no NF process left" wait_for 5 bash -c "! kill -0 $nf 2>/dev/null"
check "mempool back to baseline (<= one burst in flight)" test "$(mempool_in_use)" -le 128
kill "$pinger" 2>/dev/null
wait "$pinger" 2>/dev/null

# ---- the manager's shutdown stops a container NF ----
start_nf simple_forward --container || finish
ctr=$NF_PID nf=$(last_nf_pid)
check "ping crosses the restarted container NF" \
	ip netns exec "onvm_ca$tag" ping -c 2 -i 0.2 -W 2 10.78.0.2
check "a second container NF on the same manager: one clear line" expect_line \
	"another container NF runs on this manager" "$ONVM_ROOT/go.sh" simple_forward --container
check "manager exits 0" stop_mgr
check "the container NF stopped at the manager's shutdown" grep -q "pid $nf) stopped" "$MGR_LOG"
check "its container is gone" wait_for 10 bash -c "! kill -0 $ctr 2>/dev/null"
check "no mbuf leaked over the whole run" grep -q "stopped; 0 mbufs still in use" "$MGR_LOG"

# ---- one that does not stop is killed through its lock ----
start_mgr 0 --vdev=net_null0 -- -p 0x1 -s none || finish
start_nf simple_forward --container || finish
ctr=$NF_PID nf=$(last_nf_pid)
kill -STOP "$nf"
check "manager exits 0" stop_mgr
check "the stuck container NF was killed by its host pid (from its lock)" \
	grep -q "pid $nf) did not stop in time (killed)" "$MGR_LOG"
check "its container is gone" wait_for 10 bash -c "! kill -0 $ctr 2>/dev/null"
check "no nspawn of this test is left" bash -c "! pgrep -f -- '--machine=onvm-simple-forward-($ctr)\$' >/dev/null"

# ---- bad input ----
start_mgr 0 --vdev=net_null0 -- -p 0x1 -s none || finish
# No runtime: every runtime's binary hidden under /dev/null (not executable)
# in a private mount namespace.
check "--container with no working runtime: one line, non-zero" expect_line \
	"no container runtime works here" env -u ONVM_CONTAINER_RUNTIME unshare -m bash -c \
	'for b in docker podman systemd-nspawn; do p=$(command -v $b) && mount --bind /dev/null "$p"; done
	 exec "$0" simple_forward --container' "$ONVM_ROOT/go.sh"
mkdir -p "$WORK/build/nfs/simple_forward"
ln -s "$BUILD/nfs/simple_forward/simple_forward" "$WORK/build/nfs/simple_forward/"
check "--container without a root file system: says how to build it" expect_line \
	"build it with scripts/build_nf_rootfs.sh -b $WORK/build simple_forward" \
	env ONVM_BUILD_DIR="$WORK/build" "$ONVM_ROOT/go.sh" simple_forward --container
check "manager exits 0" stop_mgr
finish
