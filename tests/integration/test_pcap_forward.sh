#!/usr/bin/env bash
# Every packet of a real capture crosses manager -> simple_forward -> manager
# and leaves byte-identical and in order; nothing stays in the mempool.
# Run with each lcore layout: all-in-one (1 lcore), control + data
# (2 lcores), and control + RX + TX (3 lcores, two sharing a CPU).
source "$(dirname "$0")/lib.sh"
test_init pcap_forward

in=$(web_capture) || exit 1
expected=$(pcap_count "$in")
empty_pcap "$WORK/empty.pcap"
base_prefix=$PREFIX
for layout in "-l 0" "-l 0-1" "--lcores=0@0,1@1,2@1"; do
	name=$(echo "$layout" | tr -dc '0-9')
	PREFIX=${base_prefix}_$name
	export ONVM_FILE_PREFIX=$PREFIX
	MGR_LOG=$WORK/mgr_$name.log
	rm -f "$WORK/out0.pcap" "$WORK/out1.pcap"
	# start_mgr takes the lcore list first; pass the layout through EAL args.
	start_mgr "${layout#-l }" "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
		"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 1 -s none
	start_nf simple_forward
	wait_for 30 test "$(port_field 1 tx)" -ge "$expected"
	check "[$layout] mempool back to baseline after the replay" test "$(mempool_in_use)" -eq 0
	check "[$layout] manager exits 0 on SIGINT" stop_mgr
	check "[$layout] port 1 carries every packet, identical, in order" \
		"$SYS_PYTHON" "$ONVM_ROOT/tests/integration/pcap_compare.py" "$in" "$WORK/out1.pcap"
	check "[$layout] nothing leaves port 0" test "$(pcap_count "$WORK/out0.pcap")" -eq 0
done
finish
