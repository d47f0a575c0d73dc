#!/usr/bin/env bash
# Records the capture of real web traffic that the tests replay: a web
# server and curl in two network namespaces joined by a veth pair, a few
# hundred HTTP/1.1 downloads of small files (Connection: close: one TCP
# connection each, opened and closed), captured by dumpcap on the client's
# interface.
#
#   tests/integration/make_web_capture.sh OUT.pcap
#
# Prints OUT.pcap. If OUT.pcap exists it is reused as it is; otherwise it
# is recorded under a lock (OUT.pcap.lock), so tests started together
# record it once and never at the same time. Takes a few seconds.
#
# The capture: client 11.0.0.17, server 11.0.0.19 port 80 (tests and rules
# name these addresses), Ethernet, classic pcap, TCP only, checksums
# complete (offloads off). The client's route advertises the smallest MSS
# Linux allows (88), so the server sends each file in small segments: most
# frames are small, as in a capture of many short downloads.
#
# Fails with one line on stderr: at once when a tool is missing, after the
# recording when the capture came out empty, too small or not as above.
set -euo pipefail

CLIENT=11.0.0.17
SERVER=11.0.0.19
CONNECTIONS=400       # one per download
PARALLEL=8            # downloads at once
FILE_SIZES="300 600 900 1200"   # bytes; the files are fetched in turn
MIN_PACKETS=5000
MIN_CONNECTIONS=300

die() {
	echo "make_web_capture: $*" >&2
	exit 1
}

[ $# = 1 ] || die "usage: make_web_capture.sh OUT.pcap"
out=$1

# Reuse without taking the lock: a finished capture is only ever renamed
# into place.
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for tool in ip ethtool dumpcap curl flock tshark /usr/bin/python3; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/install_deps.sh installs it)"
done

mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock -w 120 9 || die "another recording of $out held its lock for 2 minutes"
if [ -s "$out" ]; then # recorded while we waited for the lock
	echo "$out"
	exit 0
fi

cli=onvm_webcli_$$
srv=onvm_websrv_$$
tmp=$(mktemp -d "/tmp/onvm_web_capture.XXXXXX")
server_pid="" dumpcap_pid=""
cleanup() {
	local ns pid
	for pid in $server_pid $dumpcap_pid; do
		{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true
	done
	for ns in "$cli" "$srv"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Two hosts, one cable. Offloads off: a checksum left for "hardware" would
# be captured unfinished.
ip netns add "$cli" || die "cannot create network namespace $cli"
ip netns add "$srv" || die "cannot create network namespace $srv"
ip -n "$cli" link add eth0 type veth peer name eth0 netns "$srv" || die "cannot create a veth pair"
for ns in "$cli" "$srv"; do
	ip netns exec "$ns" ethtool -K eth0 tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
		die "ethtool cannot turn the offloads off in $ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done
ip -n "$cli" addr add "$CLIENT/24" dev eth0
ip -n "$srv" addr add "$SERVER/24" dev eth0
# Known neighbours: no ARP before the first connection.
ip -n "$cli" neigh replace "$SERVER" lladdr "$(ip netns exec "$srv" cat /sys/class/net/eth0/address)" \
	dev eth0 nud permanent
ip -n "$srv" neigh replace "$CLIENT" lladdr "$(ip netns exec "$cli" cat /sys/class/net/eth0/address)" \
	dev eth0 nud permanent
ip -n "$cli" route replace 11.0.0.0/24 dev eth0 src "$CLIENT" advmss 88

# The server: the files, and Python's threading HTTP server with a listen
# queue deep enough for every download in flight (the default, 5, drops
# SYNs under load and a dropped SYN waits a second to be sent again). It
# closes each connection after its response, as the client asks.
mkdir "$tmp/www"
for size in $FILE_SIZES; do
	head -c "$size" /dev/urandom | base64 -w 76 | head -c "$size" >"$tmp/www/$size.txt"
done
ip netns exec "$srv" /usr/bin/python3 - "$SERVER" "$tmp/www" >"$tmp/server.log" 2>&1 <<'PY' &
import functools, http.server, sys

class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256

class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def end_headers(self):
        self.send_header("Connection", "close")
        super().end_headers()

    def log_message(self, *args):
        pass

handler = functools.partial(Handler, directory=sys.argv[2])
Server((sys.argv[1], 80), handler).serve_forever()
PY
server_pid=$!
server_up() { ip netns exec "$cli" curl -sf -o /dev/null --max-time 1 "http://$SERVER/300.txt"; }
for _ in $(seq 50); do
	server_up && break
	sleep 0.1
done
server_up || die "the web server did not start: $(tail -1 "$tmp/server.log")"

# The downloads, one URL and output per line for curl's config file.
sizes=($FILE_SIZES)
for i in $(seq 0 $((CONNECTIONS - 1))); do
	echo "url = \"http://$SERVER/${sizes[i % ${#sizes[@]}]}.txt?$i\""
	echo 'output = "/dev/null"'
done >"$tmp/urls"

ip netns exec "$cli" dumpcap -i eth0 -P -s 65535 -B 16 -f "ip and tcp" -w "$tmp/web.pcap" \
	>"$tmp/dumpcap.log" 2>&1 &
dumpcap_pid=$!
for _ in $(seq 100); do
	grep -qs "^Capturing on" "$tmp/dumpcap.log" && break
	kill -0 "$dumpcap_pid" 2>/dev/null || break
	sleep 0.1
done
grep -qs "^Capturing on" "$tmp/dumpcap.log" || die "dumpcap did not start: $(tail -1 "$tmp/dumpcap.log")"

t0=$SECONDS
ip netns exec "$cli" curl -sS --fail --http1.1 -H "Connection: close" \
	--parallel --parallel-max "$PARALLEL" \
	--max-time 10 -K "$tmp/urls" 2>"$tmp/curl.log" ||
	die "curl: some downloads failed: $(head -1 "$tmp/curl.log")"
sleep 0.5 # the last FIN's ACK
kill -INT "$dumpcap_pid"
wait "$dumpcap_pid" || die "dumpcap failed: $(tail -1 "$tmp/dumpcap.log")"
grep -q "dropped on interface 'eth0': [0-9]*/0 " "$tmp/dumpcap.log" ||
	die "dumpcap dropped packets: $(grep dropped "$tmp/dumpcap.log")"

# What came out: Ethernet, enough packets and connections, good checksums.
# Connections are counted by their SYNs; each must have its own client
# port (tests key flows on the 5-tuple) and send its SYN once. Linux now
# and then writes a zero checksum as 0xffff, the other form of zero in
# one's complement; tshark calls that wrong (RFC 1624 wants 0x0000) and so
# would the tests that check checksums with it: such a field is written
# 0x0000, which changes no receiver's verdict.
read -r linktype packets syns ports zeroed < <(/usr/bin/python3 - "$tmp/web.pcap" <<'PY'
import struct, sys

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

d = bytearray(open(sys.argv[1], "rb").read())
if len(d) < 24 or struct.unpack("<I", d[:4])[0] != 0xA1B2C3D4:
    print(-1, 0, 0, 0, 0)
    sys.exit()
packets, syns, ports, zeroed, off = 0, 0, set(), 0, 24
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    f = off + 16          # the frame's first byte in d
    off += 16 + incl
    packets += 1
    if d[f + 12:f + 14] != b"\x08\x00" or d[f + 23] != 6:
        continue
    ip, l4 = f + 14, f + 14 + (d[f + 14] & 0xF) * 4
    end = ip + struct.unpack("!H", d[ip + 2:ip + 4])[0]
    if d[l4 + 13] & 0x12 == 0x02:
        syns += 1
        ports.add(bytes(d[l4:l4 + 2]))
    if d[ip + 10:ip + 12] == b"\xff\xff" and csum(d[ip:ip + 10] + d[ip + 12:l4]) == 0:
        d[ip + 10:ip + 12] = b"\0\0"
        zeroed += 1
    if d[l4 + 16:l4 + 18] == b"\xff\xff":
        pseudo = d[ip + 12:ip + 20] + struct.pack("!BBH", 0, 6, end - l4)
        if csum(pseudo + d[l4:l4 + 16] + d[l4 + 18:end]) == 0:
            d[l4 + 16:l4 + 18] = b"\0\0"
            zeroed += 1
if zeroed:
    open(sys.argv[1], "wb").write(d)
print(struct.unpack("<I", d[20:24])[0], packets, syns, len(ports), zeroed)
PY
)
[ "$linktype" = 1 ] || die "capture is not a little-endian Ethernet pcap (link type $linktype)"
[ "$packets" -ge "$MIN_PACKETS" ] || die "capture too small: $packets packets (want >= $MIN_PACKETS)"
[ "$syns" -ge "$MIN_CONNECTIONS" ] || die "capture too small: $syns connections (want >= $MIN_CONNECTIONS)"
[ "$ports" = "$syns" ] || die "$syns SYNs from $ports client ports: a SYN resent or a port reused"
bad=$(tshark -n -r "$tmp/web.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-Y 'ip.checksum.status != "Good" || tcp.checksum.status != "Good"' 2>/dev/null | wc -l)
[ "$bad" = 0 ] || die "$bad frames with an unfinished checksum (offloads still on?)"

# Renamed into place from the same directory: a test that finds the file
# finds all of it.
cp "$tmp/web.pcap" "$out.$$.tmp"
chmod 644 "$out.$$.tmp"
mv -f "$out.$$.tmp" "$out"
echo "make_web_capture: $packets packets, $syns connections, recorded in $((SECONDS - t0)) s" \
	"($zeroed checksums 0xffff written 0x0000)" >&2
echo "$out"
