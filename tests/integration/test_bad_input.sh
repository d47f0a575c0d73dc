#!/usr/bin/env bash
# Bad input gets one clear line and a non-zero exit; never a crash or a hang.
source "$(dirname "$0")/lib.sh"
test_init bad_input

# expect_error "what" "text on stderr" command...: exits 1-127 within 30 s,
# and its last line of output contains the text.
expect_error() {
	local what=$1 text=$2 rc
	shift 2
	timeout 30 "$@" >"$WORK/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -ge 124 ]; then
		echo "    exit status $rc"; tail -3 "$WORK/out" | sed 's/^/    /'
		return 1
	fi
	if ! grep -v '^EAL: \|^TELEMETRY' "$WORK/out" | tail -1 | grep -qF -- "$text"; then
		echo "    wanted '$text' in:"; tail -3 "$WORK/out" | sed 's/^/    /'
		return 1
	fi
}

mgr=("$MGR_BIN" -l 0 --no-pci --log-level=lib.eal:error)

check "portmask that is not hex" expect_error x "invalid portmask 'zz'" \
	"${mgr[@]}" --file-prefix "$PREFIX" -- -p zz
check "portmask naming a port that does not exist" expect_error x "names port 2" \
	"${mgr[@]}" --file-prefix "$PREFIX" --vdev=net_null0 -- -p 0x4
check "missing portmask" expect_error x "missing -p PORTMASK" \
	"${mgr[@]}" --file-prefix "$PREFIX" --vdev=net_null0 --
check "unknown manager option" expect_error x "unknown option '-q'" \
	"${mgr[@]}" --file-prefix "$PREFIX" -- -p 1 -q
check "NF with no manager" expect_error x "no manager is running" \
	"$ONVM_ROOT/go.sh" simple_forward
check "unknown NF name in go.sh" expect_error x "unknown NF 'no_such_nf'" \
	"$ONVM_ROOT/go.sh" no_such_nf

# No hugepages: the manager is shown a system without any, in a private
# mount namespace, so the rest of the machine is untouched.
sed 's/^HugePages_Total:.*/HugePages_Total:       0/' /proc/meminfo >"$WORK/meminfo"
check "no hugepages configured" expect_error x "no hugepages configured" \
	unshare -m bash -c "mount --bind '$WORK/meminfo' /proc/meminfo && exec '$MGR_BIN' -l 0 --no-pci --file-prefix '$PREFIX' --vdev=net_null0 -- -p 1"

start_mgr 0 --vdev=net_null0 -- -p 0x1 -s none
check "second manager on the same file prefix" expect_error x "already running with file prefix" \
	"${mgr[@]}" --file-prefix "$PREFIX" --vdev=net_null0 -- -p 1
check "first manager unharmed" kill -0 "$MGR_PID"
check "NF with a bad NF library option" expect_error x "unknown NF library option" \
	"$BUILD/nfs/simple_forward/simple_forward" -- -x
check "NF with a bad option of its own" expect_error x "usage: simple_forward" \
	"$ONVM_ROOT/go.sh" simple_forward -- -x
check "NF asking for a service beyond -r" expect_error x "refused it" \
	"$ONVM_ROOT/go.sh" simple_forward -r 40
check "manager exits 0 after all that" stop_mgr
finish
