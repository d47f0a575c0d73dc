#!/bin/sh
# An os-ken controller (osken-manager, listening) and ofp_mini_switch
# (connecting, as the manager's --of-controller does): features, flows,
# groups, barrier, stats, and a refused meter. Skipped (77) without
# python3-os-ken.
mini="$1"
app="$2"
command -v osken-manager >/dev/null 2>&1 || { echo "osken-manager not installed"; exit 77; }
port=$((20000 + ($$ + 7) % 20000))
export OFP_CHECK_OUT="$(mktemp)"
log=$(mktemp)
osken-manager --ofp-tcp-listen-port "$port" "$app" >"$log" 2>&1 &
ctl=$!
"$mini" "$port" 40 connect >/dev/null 2>&1 &
sw=$!
trap 'kill $ctl $sw 2>/dev/null; rm -f "$log" "$OFP_CHECK_OUT"' EXIT
i=0
while [ ! -s "$OFP_CHECK_OUT" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "no verdict from the os-ken app"; tail -20 "$log"; exit 1
	fi
	sleep 0.1
done
cat "$OFP_CHECK_OUT"
grep -q '^OK' "$OFP_CHECK_OUT"
