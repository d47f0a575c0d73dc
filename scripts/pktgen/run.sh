#!/usr/bin/env bash
# Run Pktgen-DPDK against the platform on two real ports, unattended, with
# onvm-2port.lua (both ports send; see that file). As root, on the
# generator machine (or the generator's CPUs and ports of one machine).
#
#   scripts/pktgen/run.sh [options] PCI0 PCI1
#     PCI0, PCI1      the generator's ports (bound to vfio-pci), cabled to
#                     the platform's ports 0 and 1
#     --pktgen PATH   the Pktgen binary (default: $PKTGEN, else pktgen on PATH)
#     --lcores LIST   Pktgen's lcores: the first runs its display and timers,
#                     the next two serve port 0 and port 1 (default 0-2)
#     --sizes LIST    frame sizes, e.g. 64,128,512,1518 (default 64)
#     --rate PCT      percent of line rate (default 100)
#     --seconds S     length of each trial (default 10)
#     --flows N       about how many flows (default 1024)
#     --mac0 MAC, --mac1 MAC   the platform's port MACs, when a switch needs them
#     --out FILE.csv  also write one CSV line per trial
#     --file-prefix P Pktgen's EAL file prefix (default pktgen)
#
# Building Pktgen-DPDK for Debian 12's DPDK: docs/benchmarking.md, section 2.
# Lua must be on (-Denable_lua=true); the platform side: docs/real-nics.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pktgen=${PKTGEN:-$(command -v pktgen || true)}
lcores=0-2 sizes=64 rate=100 seconds=10 flows=1024 mac0="" mac1="" out="" prefix=pktgen
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
pci=()
while [ $# -gt 0 ]; do
	case "$1" in
	--pktgen) pktgen=$2; shift ;;
	--lcores) lcores=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	--rate) rate=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--flows) flows=$2; shift ;;
	--mac0) mac0=$2; shift ;;
	--mac1) mac1=$2; shift ;;
	--out) out=$(realpath -m "$2"); shift ;;
	--file-prefix) prefix=$2; shift ;;
	-h | --help) usage ;;
	-*) echo "run.sh: unknown option $1" >&2; usage 2 ;;
	*) pci+=("$1") ;;
	esac
	shift
done
[ ${#pci[@]} = 2 ] || { echo "run.sh: give the generator's two PCI addresses" >&2; usage 2; }
[ -n "$pktgen" ] && [ -x "$pktgen" ] ||
	{ echo "run.sh: no Pktgen binary (--pktgen PATH or PKTGEN=PATH)" >&2; exit 1; }
for p in "${pci[@]}"; do
	drv=""
	[ -e "/sys/bus/pci/devices/$p/driver" ] &&
		drv=$(basename "$(readlink -f "/sys/bus/pci/devices/$p/driver")")
	case "$drv" in
	vfio-pci | uio_pci_generic | igb_uio) ;;
	*) echo "run.sh: $p is bound to '${drv:-nothing}', not vfio-pci (dpdk-devbind.py -b vfio-pci $p)" >&2
	   exit 1 ;;
	esac
done

# lcores "A-C" or "A,B,C": the first is Pktgen's main lcore, then one per port.
mapfile -t lc < <(echo "$lcores" | tr ',' '\n' |
	awk -F- '{ if (NF == 2) for (i = $1; i <= $2; i++) print i; else print $1 }')
[ ${#lc[@]} -ge 3 ] || { echo "run.sh: --lcores needs three lcores (main, port 0, port 1)" >&2; exit 2; }

export ONVM_PG_SIZES=$sizes ONVM_PG_RATE=$rate ONVM_PG_SECONDS=$seconds ONVM_PG_FLOWS=$flows
export ONVM_PG_DST_MAC0=$mac0 ONVM_PG_DST_MAC1=$mac1 ONVM_PG_OUT=$out
# Pktgen finds Pktgen.lua (its Lua helpers) in its source tree: run from there.
src=$(dirname "$(dirname "$(dirname "$(realpath "$pktgen")")")")
[ -f "$src/Pktgen.lua" ] && cd "$src"
exec "$pktgen" -l "$lcores" -a "${pci[0]}" -a "${pci[1]}" --file-prefix "$prefix" -- \
	-P -m "${lc[1]}.0, ${lc[2]}.1" -f "$here/onvm-2port.lua"
