#!/usr/bin/env bash
# Every packet that entered is counted where it ended, also when its NF
# dies holding it: an NF frozen (SIGSTOP) under a finite replay fills its
# RX ring, the rest of the capture is dropped at the entry, and its kill -9
# frees the ring's packets, counted in /onvm/drops as `reclaimed`; the
# port's rx then equals entry_drop + reclaimed. The NF started next in
# the same slot starts from zero: it does not show the dead NF's counters.
source "$(dirname "$0")/lib.sh"
test_init nf_counters

web=$(web_capture) || exit 1
empty_pcap "$WORK/empty.pcap"
# The first 2,000 packets: the frozen chain drops one held burst per 100 ms.
in=$WORK/in.pcap
"$SYS_PYTHON" - "$web" "$in" 2000 <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
out, off = [d[:24]], 24
for _ in range(int(sys.argv[3])):
    n = 16 + struct.unpack("<I", d[off + 8:off + 12])[0]
    out.append(d[off:off + n])
    off += n
open(sys.argv[2], "wb").write(b"".join(out))
PY
total=$(pcap_count "$in")
# -w 2: nothing is received until both NFs run, the first one frozen.
start_mgr 0-1 "$(pcap_vdev 0 "$in" "$WORK/out0.pcap")" \
	"$(pcap_vdev 1 "$WORK/empty.pcap" "$WORK/out1.pcap")" -- -p 0x3 -w 2 -s none -d a
start_nf simple_forward -r a
a=$NF_PID
a_id=$(nf_id_of "$a")
# In its packet loop (ready, counted by -w) before it is frozen.
wait_for 10 grep -q "simple_forward: NF $a_id" "$NF_LOG"
sleep 0.5
kill -STOP "$a"
start_nf simple_forward -r b
# A function, so that wait_for reads the counter anew each time.
received_all() { test "$(port_field 0 rx)" = "$total"; }
check "the whole capture was received" wait_for 30 received_all
# The held burst is dropped once the chain made no progress for 100 ms.
sleep 0.5
held=$(nf_field "$a_id" enqueued)
ring=$(nf_field "$a_id" rx_ring)
entry=$(port_field 0 entry_drop)
log "capture $total packets; the frozen NF's ring holds $ring, $entry dropped at the entry"
check "telemetry: what was enqueued to the frozen NF is on its RX ring" test "$held" = "$ring"
check "telemetry: the NF received none of it" test "$(nf_field "$a_id" rx)" = 0
check "the rest was dropped at the chain's entry, counted against the NF" \
	test "$(nf_field "$a_id" entry_drop)" = "$entry"
check "port 0: rx = enqueued + entry_drop" test "$total" = "$((held + entry))"

kill -9 "$a"
check "the killed NF is retired" wait_for 5 grep -q "pid $a) died; reclaimed $held packets ($held queued, 0 it held)" "$MGR_LOG"
drops=$(telemetry /onvm/drops)
check "/onvm/drops counts the reclaimed packets" test "$(json_get "$drops" /onvm/drops.reclaimed)" = "$held"
check "port 0: rx = entry_drop + reclaimed" test "$total" = "$((entry + $(json_get "$drops" /onvm/drops.reclaimed)))"
check "mempool back to baseline" test "$(mempool_in_use)" = 0

start_nf simple_forward -r a
c_id=$(nf_id_of "$NF_PID")
log "the new NF has slot $c_id (the killed one had $a_id)"
check "the new NF took the dead one's slot" test "$c_id" = "$a_id"
check "its entry_drop starts at zero" test "$(nf_field "$c_id" entry_drop)" = 0
check "its enqueued starts at zero" test "$(nf_field "$c_id" enqueued)" = 0
check "its reclaimed starts at zero" test "$(nf_field "$c_id" reclaimed)" = 0
check "manager exits 0" stop_mgr
check_no_mbuf_leak
finish
