#!/usr/bin/env bash
# speed_tester's batch circles speed_tester -> simple_forward -> speed_tester
# (started as OpenNetVM users do: the forwarder sends to the tester's
# service, the tester sends to the forwarder's), it reports a non-zero rate,
# and once both NFs have stopped every packet is back in the mempool. Then a
# self-loop (-d its own service) replaying a capture, with latency measured,
# and a loop whose tester starts before its forwarder.
source "$(dirname "$0")/lib.sh"
test_init speed_tester
in=$(web_capture) || exit 1

# nonzero_rate LOG: a rate line with a rate above zero.
nonzero_rate() {
	grep -E '^speed_tester: [0-9.]+ [kMGT]?pps' "$1" | awk '$2 > 0 { found = 1 } END { exit !found }'
}

# stop_nf PID: SIGINT and wait for a clean exit (status 0).
stop_nf() {
	kill -INT "$1" 2>/dev/null || return 1
	wait_for 10 _gone "$1" || return 1
	wait "$1"
}
_gone() { ! kill -0 "$1" 2>/dev/null; }

empty_pcap "$WORK/empty.pcap"
start_mgr 0-1 "$(pcap_vdev 0 "$WORK/empty.pcap" "$WORK/out0.pcap")" -- -p 0x1 -c -s none || finish

# The first NF started by name takes service 1, the next one service 2.
start_nf simple_forward -- -d 2
fwd_pid=$NF_PID fwd_id=$(nf_id_of "$NF_PID")
start_nf speed_tester -- -d 1 -c 256 -s 1000
st_pid=$NF_PID st_id=$(nf_id_of "$NF_PID") st_log=$NF_LOG
check "speed_tester took service 2" grep -q "service 2 (speed_tester)" "$st_log"
check "it sent its whole batch" grep -q "sent 256 of 256 synthetic packets to service 1" "$st_log"

wait_for 10 nonzero_rate "$st_log"
check "speed_tester reports a non-zero rate" nonzero_rate "$st_log"
check "packets came back through simple_forward (looped > 256)" \
	test "$(nf_field "$st_id" looped)" -gt 256
check "the forwarder saw them too" test "$(nf_field "$fwd_id" rx)" -gt 256
check "speed_tester exits 0 on SIGINT" stop_nf "$st_pid"
check "simple_forward exits 0 on SIGINT" stop_nf "$fwd_pid"
wait_for 5 test "$(mempool_in_use)" -eq 0
check "every packet is back in the mempool" test "$(mempool_in_use)" -eq 0

# Self-loop with latency, replaying a capture: the tester is service 2 again
# and sends to itself.
start_nf speed_tester -- -d speed_tester -l -o "$in" -c 500
st_pid=$NF_PID st_log=$NF_LOG
check "it replays 500 frames of the capture" \
	grep -q "sent 500 of 500 replayed packets to service 2" "$st_log"
wait_for 10 grep -q "latency avg" "$st_log"
check "self-loop reports a non-zero rate" nonzero_rate "$st_log"
check "latency mode reports the round trip" grep -qE 'latency avg [0-9.]+ us' "$st_log"
check "self-looping speed_tester exits 0" stop_nf "$st_pid"
wait_for 5 test "$(mempool_in_use)" -eq 0
check "every packet is back in the mempool after the self-loop" test "$(mempool_in_use)" -eq 0

# Start order does not matter: a tester whose destination is not running yet
# sends a fresh batch every second until packets come back.
start_nf speed_tester -r 5 -- -d 6
st_pid=$NF_PID st_log=$NF_LOG
wait_for 10 grep -q "no packet came back" "$st_log"
check "a tester alone notices nothing comes back" grep -q "no packet came back" "$st_log"
start_nf simple_forward -r 6 -- -d 5
fwd_pid=$NF_PID
wait_for 10 nonzero_rate "$st_log"
check "the loop starts once the forwarder runs" nonzero_rate "$st_log"
check "late tester exits 0" stop_nf "$st_pid"
check "late forwarder exits 0" stop_nf "$fwd_pid"
wait_for 5 test "$(mempool_in_use)" -eq 0
check "every packet is back in the mempool after the refills" test "$(mempool_in_use)" -eq 0
check "manager exits 0 on SIGINT" stop_mgr
finish
