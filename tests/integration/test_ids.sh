#!/usr/bin/env bash
# The ids NF on crafted captures (gen_ids_pcaps.py): attacks split across
# TCP segments raise exactly the expected eve.json alerts, a drop rule removes
# exactly the matching packets (and their retransmission) from the output
# capture, malformed packets and fragments pass. The same capture also goes
# through the offline runner (ids_pcap), which must agree.
source "$(dirname "$0")/lib.sh"
test_init ids

"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/gen_ids_pcaps.py" "$WORK" >/dev/null
check "offline runner: exact alerts and output capture" bash -c \
	"'$BUILD/nfs/ids/ids_pcap' -s -r '$WORK/ids.rules' -i '$WORK/ids_in.pcap' \
	  -o '$WORK/offline_out.pcap' -a '$WORK/offline_alerts.json' 2>'$WORK/offline.log' &&
	 '$SYS_PYTHON' '$ONVM_ROOT/tests/integration/check_ids_output.py' '$WORK' \
	  '$WORK/offline_alerts.json' '$WORK/offline_out.pcap'"

# A rules file with a bad line: reported as file:line: reason; -s refuses it.
printf 'alert tcp any any -> any any (sid:1;)\nalert tcp any any -> any any (sid:2; foo;)\n' \
	>"$WORK/bad.rules"
check "bad rule reported with file and line" bash -c \
	"'$BUILD/nfs/ids/ids_pcap' -c -r '$WORK/bad.rules' 2>&1 |
	 grep -qx '$WORK/bad.rules:2: unsupported keyword .foo.'"
check "strict load refuses a bad rule" bash -c \
	"! '$BUILD/nfs/ids/ids_pcap' -s -c -r '$WORK/bad.rules' 2>/dev/null"

check "the NF refuses a bad strict rules file before joining, with file:line" bash -c \
	"! '$BUILD/nfs/ids/ids' -l 0 --no-pci --file-prefix '$PREFIX' -- -- -s -r '$WORK/bad.rules' \
	   2>'$WORK/nf_bad.log' && grep -qx '$WORK/bad.rules:2: unsupported keyword .foo.' '$WORK/nf_bad.log'"

empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/ids_in.pcap" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
start_nf ids -- -r "$WORK/ids.rules" -a "$WORK/alerts.json" -s
ids_pid=$NF_PID
total=$(pcap_count "$WORK/ids_in.pcap")
dropped=$("$SYS_PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
	"$WORK/ids_dropped.json")
wait_for 30 test "$(port_field 1 tx)" -ge $((total - dropped))
id=$(nf_id_of "$ids_pid")
wait_for 5 test "$(nf_field "$id" alerts)" = 8
check "NF counts 8 alerts" test "$(nf_field "$id" alerts)" = 8
check "NF counts 2 drops" test "$(nf_field "$id" drops)" = 2
check "NF counts the malformed packets" test "$(nf_field "$id" malformed)" = 2
check "NF counts the fragment" test "$(nf_field "$id" fragments)" = 1
check "mempool back to baseline" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
check "the NF exits 0" wait "$ids_pid"
check "through the platform: exact alerts, dropped packets removed" \
	"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/check_ids_output.py" "$WORK" \
	"$WORK/alerts.json" "$WORK/out1.pcap"
finish
