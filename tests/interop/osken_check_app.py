"""os-ken application for osken_interop.sh: programs the switch the way a
controller app does, provokes one refusal, then checks the flow and group
dumps and writes a verdict to the file named by $OFP_CHECK_OUT."""
import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER
from os_ken.controller.handler import set_ev_cls
from os_ken.ofproto import ofproto_v1_3


class OfpCheck(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.errors = []
        self.flows = None

    def verdict(self, text):
        with open(os.environ["OFP_CHECK_OUT"], "w") as out:
            out.write(text + "\n")
        os._exit(0)

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_features(self, ev):
        dp = ev.msg.datapath
        ofp, p = dp.ofproto, dp.ofproto_parser
        if ev.msg.datapath_id != 0x0000020000000001:
            self.verdict("FAIL dpid %x" % ev.msg.datapath_id)
        apply = ofp.OFPIT_APPLY_ACTIONS
        # Table-miss to the controller, whole packets (no buffers).
        dp.send_msg(p.OFPFlowMod(dp, priority=0, match=p.OFPMatch(), instructions=[
            p.OFPInstructionActions(apply, [
                p.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)])]))
        dp.send_msg(p.OFPGroupMod(dp, ofp.OFPGC_ADD, ofp.OFPGT_SELECT, 1, [
            p.OFPBucket(weight=1, actions=[p.OFPActionOutput(1)]),
            p.OFPBucket(weight=2, actions=[p.OFPActionOutput(2)])]))
        dp.send_msg(p.OFPFlowMod(
            dp, priority=10, cookie=0x77,
            match=p.OFPMatch(eth_type=0x0800, ip_proto=6, ipv4_dst=("10.0.2.0", "255.255.255.0"),
                             tcp_dst=80),
            instructions=[p.OFPInstructionActions(apply, [p.OFPActionGroup(1)])]))
        # A flow naming a meter that does not exist: refused, not ignored.
        dp.send_msg(p.OFPFlowMod(dp, priority=5, match=p.OFPMatch(in_port=1),
                                 instructions=[p.OFPInstructionMeter(1)]))
        dp.send_msg(p.OFPBarrierRequest(dp))

    @set_ev_cls(ofp_event.EventOFPErrorMsg, MAIN_DISPATCHER)
    def on_error(self, ev):
        self.errors.append((ev.msg.type, ev.msg.code))

    @set_ev_cls(ofp_event.EventOFPBarrierReply, MAIN_DISPATCHER)
    def on_barrier(self, ev):
        dp = ev.msg.datapath
        dp.send_msg(dp.ofproto_parser.OFPFlowStatsRequest(dp))

    @set_ev_cls(ofp_event.EventOFPFlowStatsReply, MAIN_DISPATCHER)
    def on_flows(self, ev):
        dp = ev.msg.datapath
        self.flows = sorted((s.priority, s.cookie) for s in ev.msg.body)
        dp.send_msg(dp.ofproto_parser.OFPGroupDescStatsRequest(dp))

    @set_ev_cls(ofp_event.EventOFPGroupDescStatsReply, MAIN_DISPATCHER)
    def on_groups(self, ev):
        groups = [(g.group_id, g.type, [b.weight for b in g.buckets]) for g in ev.msg.body]
        ok = (self.flows == [(0, 0), (10, 0x77)] and groups == [(1, 1, [1, 2])]
              and self.errors == [(12, 3)])  # METER_MOD_FAILED / UNKNOWN_METER
        self.verdict("%s flows=%s groups=%s errors=%s"
                     % ("OK" if ok else "FAIL", self.flows, groups, self.errors))
