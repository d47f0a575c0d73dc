-- Pktgen-DPDK: load the platform through two ports, both ways at once.
--
-- Port 0 of the generator is cabled to the platform's port 0, port 1 to
-- its port 1. Both send UDP at once: port 0 from clients 10.10.1.1-250
-- (several source ports each) to the server 10.10.2.1:5001, port 1 the
-- replies (the same addresses and ports, swapped), so every flow crosses in both directions and the platform's RSS spreads
-- the flows over its RX lcores (the symmetric key sends both directions of
-- one flow to one lcore). Each trial sends for SECONDS at RATE percent of
-- line rate and prints what each port sent and received; what one port sent
-- and the other did not receive is what the platform dropped.
--
-- Settings come from the environment (run.sh passes them):
--   ONVM_PG_SIZES    frame sizes, e.g. "64,128,512,1518"  (default "64")
--   ONVM_PG_RATE     percent of line rate                  (default 100)
--   ONVM_PG_SECONDS  length of each trial                  (default 10)
--   ONVM_PG_FLOWS    distinct flows (about; default 1024)
--   ONVM_PG_DST_MAC0, ONVM_PG_DST_MAC1: the platform's port MACs (the
--                    manager's ports are promiscuous, so any MAC works
--                    unless a switch sits between)
--   ONVM_PG_OUT      a file to append one CSV line per trial to
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;"
require "Pktgen"

local function env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then return default end
	return v
end

local sizes = {}
for s in string.gmatch(env("ONVM_PG_SIZES", "64"), "%d+") do
	sizes[#sizes + 1] = tonumber(s)
end
local rate = tonumber(env("ONVM_PG_RATE", "100"))
local seconds = tonumber(env("ONVM_PG_SECONDS", "10"))
local flows = tonumber(env("ONVM_PG_FLOWS", "1024"))
local out = env("ONVM_PG_OUT", nil)

-- flows = client addresses x client ports. Pktgen steps every range field
-- on each packet, so the two counts must be coprime for every pair to occur.
local function gcd(a, b)
	while b ~= 0 do a, b = b, a % b end
	return a
end
local hosts = math.min(250, flows)
local ports = math.max(1, math.ceil(flows / hosts))
while gcd(hosts, ports) ~= 1 do ports = ports + 1 end

local function field(fn, port, first, inc, last)
	fn(port, "start", first)
	fn(port, "inc", inc)
	fn(port, "min", first)
	fn(port, "max", last)
end

-- Clients 10.10.1.1-H, ports 10000-(10000+P-1), all to the server
-- 10.10.2.1:5001; `reply` swaps the two ends.
local function range_side(port, reply)
	local clients = { "10.10.1.1", "0.0.0.1", "10.10.1." .. hosts }
	local server = { "10.10.2.1", "0.0.0.0", "10.10.2.1" }
	local cports = { 10000, 1, 10000 + ports - 1 }
	local sport = { 5001, 0, 5001 }
	local src, dst, sp, dp = clients, server, cports, sport
	if reply then src, dst, sp, dp = server, clients, sport, cports end
	pktgen.range.ip_proto(port, "udp")
	field(pktgen.range.src_ip, port, src[1], src[2], src[3])
	field(pktgen.range.dst_ip, port, dst[1], dst[2], dst[3])
	field(pktgen.range.src_port, port, sp[1], sp[2], sp[3])
	field(pktgen.range.dst_port, port, dp[1], dp[2], dp[3])
	field(pktgen.range.ttl, port, 64, 0, 64)
end

local function setup()
	pktgen.reset("all")
	pktgen.set_type("all", "ipv4")
	pktgen.set_proto("all", "udp")
	pktgen.set("all", "burst", 64)
	local mac0, mac1 = env("ONVM_PG_DST_MAC0", nil), env("ONVM_PG_DST_MAC1", nil)
	if mac0 then pktgen.range.dst_mac("0", "start", mac0) end
	if mac1 then pktgen.range.dst_mac("1", "start", mac1) end
	-- The same flows both ways, in step: port 1 sends the replies.
	range_side("0", false)
	range_side("1", true)
	pktgen.set_range("all", "on")
end

local function stats(port)
	return pktgen.portStats(port, "port")[tonumber(port)]
end

local function trial(size)
	field(pktgen.range.pkt_size, "all", size, 0, size)
	pktgen.set("all", "rate", rate)
	pktgen.set("all", "count", 0)
	pktgen.clr()
	pktgen.delay(500)
	pktgen.start("all")
	pktgen.delay(seconds * 1000)
	pktgen.stop("all")
	pktgen.delay(1000) -- what is still in flight arrives
	local s0, s1 = stats("0"), stats("1")
	local sent = s0.opackets + s1.opackets
	local got = s0.ipackets + s1.ipackets
	local lost = sent - got
	local line = string.format("%d,%d,%d,%d,%.3f,%.3f,%.4f", size, rate, sent, got,
		sent / seconds / 1e6, got / seconds / 1e6, sent > 0 and lost / sent or 0)
	printf("size %4d B rate %3d%%: sent %d (%.2f Mpps), received %d (%.2f Mpps), lost %.2f%%\n",
		size, rate, sent, sent / seconds / 1e6, got, got / seconds / 1e6,
		sent > 0 and 100 * lost / sent or 0)
	if out then
		local f = io.open(out, "a")
		f:write(line .. "\n")
		f:close()
	end
end

printf = function(s, ...) io.write(s:format(...)) io.flush() end

setup()
printf("onvm-2port: %d flows both ways (%d hosts x %d ports), %d s per trial\n",
	hosts * ports, hosts, ports, seconds)
if out then
	local f = io.open(out, "a")
	f:write("size,rate_pct,sent,received,sent_mpps,received_mpps,loss\n")
	f:close()
end
for _, size in ipairs(sizes) do
	trial(size)
end
pktgen.quit()
