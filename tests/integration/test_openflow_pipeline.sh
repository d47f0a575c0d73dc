#!/usr/bin/env bash
# The multi-table OpenFlow pipeline on the data path: table 0 writes
# metadata and an action set, goto_table sends the packet to table 1,
# which matches on that metadata and on L4 fields; write_actions run at the
# end of the pipeline in the spec's order (the set-field before the
# output, whatever the order they were written in); clear_actions empties
# the set; a table 1 miss drops. The output pcaps are checked packet by
# packet with tshark, and the TABLE stats (`dump-tables`) count lookups
# and matches per table.
source "$(dirname "$0")/lib.sh"
test_init openflow_pipeline
of_test_init 5
in=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" \
	"$(pcap_vdev 2 "$WORK/empty.pcap" "$WORK/out2.pcap")" \
	-- -p 0x7 -w 1 -s none -d sink --of-listen "$OFPORT"
# Table 0: web responses (tcp src 80) get metadata 0x80, everything else
# TCP 0x1; both go on to table 1 with an output to port 3 in their set.
check "table 0: tcp src 80 -> metadata 0x80, set=output:3, goto 1" \
	ofctl add-flow "$OF" "table=0,priority=200,tcp,tp_src=80,actions=write_actions(output:3),write_metadata:0x80/0xff,goto_table:1"
check "table 0: other tcp -> metadata 0x1, goto 1" \
	ofctl add-flow "$OF" "table=0,priority=100,tcp,actions=write_actions(output:3),write_metadata:0x1/0xff,goto_table:1"
# Table 1: metadata 0x80 replaces the output in the set by port 2 and adds
# a set-field written after it; metadata 0x1 from one client port (the
# capture's first connection's) clears the set (dropped); other metadata
# 0x1 packets miss table 1 (dropped).
cport=$(tshark -r "$in" -Y "tcp.dstport == 80" -T fields -e tcp.srcport 2>/dev/null | head -n 1)
check "table 1: metadata 0x80 -> set=(output:2, ip_dst 10.7.7.7)" \
	ofctl add-flow "$OF" "table=1,priority=10,metadata=0x80/0xff,ip,actions=write_actions(output:2,set_field:10.7.7.7->ip_dst)"
check "table 1: metadata 0x1, tcp src $cport -> clear_actions" \
	ofctl add-flow "$OF" "table=1,priority=10,metadata=0x1/0xff,tcp,tp_src=$cport,actions=clear_actions"
check "goto_table backwards refused" \
	bash -c "ovs-ofctl -O OpenFlow13 add-flow '$OF' 'table=1,priority=5,actions=goto_table:0' 2>&1 | grep -q BAD_TABLE_ID"
check "goto_table past the last table refused" \
	bash -c "ovs-ofctl -O OpenFlow13 add-flow '$OF' 'table=0,priority=5,actions=goto_table:200' 2>&1 | grep -q BAD_TABLE_ID"
start_nf simple_forward -r go
tshark -r "$in" -Y "tcp.srcport == 80" -F pcap -w "$WORK/web.pcap" 2>/dev/null
tshark -r "$in" -Y "tcp && tcp.srcport != 80" -F pcap -w "$WORK/other.pcap" 2>/dev/null
tshark -r "$in" -Y "tcp && tcp.srcport != 80 && tcp.srcport != $cport" -F pcap -w "$WORK/miss.pcap" 2>/dev/null
n_web=$(pcap_count "$WORK/web.pcap")
n_other=$(pcap_count "$WORK/other.pcap")
n_miss=$(pcap_count "$WORK/miss.pcap")
n_all=$(pcap_count "$in")
log "web responses: $n_web, other tcp: $n_other (of which $n_miss miss table 1), all: $n_all"
check "the capture has client packets from port $cport (clear_actions has work)" \
	test "$n_miss" -lt "$n_other"
wait_for 30 test "$(port_field 1 tx)" -ge "$n_web"
sleep 0.5
check "port 2 sent exactly the web responses" test "$(port_field 1 tx)" = "$n_web"
check "port 3 sent nothing (the output in the set was replaced or cleared)" \
	test "$(port_field 2 tx)" = 0
ofctl dump-tables "$OF" >"$WORK/tables.txt"
log "$(head -12 "$WORK/tables.txt")"
t0=$("$SYS_PYTHON" - "$WORK/tables.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for tid in (0, 1):
    m = re.search(r"table %d:\s*active=\d+, lookup=(\d+), matched=(\d+)" % tid, text)
    print(m.group(1), m.group(2))
PY
)
read -r lk0 mt0 lk1 mt1 <<<"$(echo $t0)"
check "table 0 looked up every packet ($lk0 = $n_all)" test "$lk0" = "$n_all"
check "table 0 matched the tcp ones ($mt0)" test "$mt0" = $((n_web + n_other))
check "table 1 looked up what table 0 sent ($lk1)" test "$lk1" = $((n_web + n_other))
check "table 1 missed the other client packets ($mt1)" \
	test "$mt1" = $((n_web + n_other - n_miss))
check "manager exits 0" stop_mgr
check_no_mbuf_leak
tsh() { tshark -r "$WORK/out1.pcap" -o ip.check_checksum:TRUE "$@" 2>/dev/null; }
check "every web response left with ip.dst 10.7.7.7 (set-field ran before output)" \
	test "$(tsh -Y 'ip.dst == 10.7.7.7 && tcp.srcport == 80' | wc -l)" = "$n_web"
check "with a good IPv4 checksum" \
	test "$(tsh -Y 'ip.checksum.status == "Good"' | wc -l)" = "$n_web"
finish
