"""A MAC-learning switch as an os-ken application, for
tests/integration/test_openflow_osken.sh: the table-miss flow sends
frames to the controller (PACKET_IN); a frame whose destination is known
installs a flow (FLOW_MOD) and goes out by PACKET_OUT; an unknown one is
flooded. It also installs a flow with an idle timeout that no packet
meets (FLOW_REMOVED), and logs PORT_STATUS. Every event is logged (one line each) to $OSKEN_EVENTS."""
import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER
from os_ken.controller.handler import set_ev_cls
from os_ken.lib.packet import ethernet, packet
from os_ken.ofproto import ofproto_v1_3


class LearningSwitch(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mac_to_port = {}
        self.event_log = open(os.environ.get("OSKEN_EVENTS", "/dev/null"), "a", buffering=1)

    def note(self, text):
        self.event_log.write(text + "\n")

    def add_flow(self, dp, priority, match, actions):
        ofp, p = dp.ofproto, dp.ofproto_parser
        inst = [p.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
        dp.send_msg(p.OFPFlowMod(datapath=dp, priority=priority, match=match,
                                 instructions=inst))

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_features(self, ev):
        dp = ev.msg.datapath
        ofp, p = dp.ofproto, dp.ofproto_parser
        self.note("features dpid=%016x" % ev.msg.datapath_id)
        self.add_flow(dp, 0, p.OFPMatch(),
                      [p.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)])
        # A flow no packet meets, to see the idle timeout and FLOW_REMOVED.
        dp.send_msg(p.OFPFlowMod(datapath=dp, priority=50, idle_timeout=1,
                                 flags=ofp.OFPFF_SEND_FLOW_REM, cookie=0x77,
                                 match=p.OFPMatch(eth_type=0x88b5), instructions=[]))

    @set_ev_cls(ofp_event.EventOFPFlowRemoved, MAIN_DISPATCHER)
    def on_flow_removed(self, ev):
        self.note("flow_removed cookie=%#x reason=%d" % (ev.msg.cookie, ev.msg.reason))

    @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
    def on_port_status(self, ev):
        self.note("port_status reason=%d port=%d name=%s" %
                  (ev.msg.reason, ev.msg.desc.port_no, ev.msg.desc.name.decode()))

    @set_ev_cls(ofp_event.EventOFPErrorMsg, MAIN_DISPATCHER)
    def on_error(self, ev):
        self.note("error type=%d code=%d" % (ev.msg.type, ev.msg.code))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def on_packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, p = dp.ofproto, dp.ofproto_parser
        in_port = msg.match["in_port"]
        eth = packet.Packet(msg.data).get_protocols(ethernet.ethernet)[0]
        self.note("packet_in in_port=%d src=%s dst=%s reason=%d" %
                  (in_port, eth.src, eth.dst, msg.reason))
        self.mac_to_port[eth.src] = in_port
        out_port = self.mac_to_port.get(eth.dst, ofp.OFPP_FLOOD)
        actions = [p.OFPActionOutput(out_port)]
        if out_port != ofp.OFPP_FLOOD:
            self.add_flow(dp, 1, p.OFPMatch(in_port=in_port, eth_dst=eth.dst,
                                            eth_src=eth.src), actions)
            self.note("flow_mod in_port=%d dst=%s -> %d" % (in_port, eth.dst, out_port))
        dp.send_msg(p.OFPPacketOut(datapath=dp, buffer_id=ofp.OFP_NO_BUFFER,
                                   in_port=in_port, actions=actions, data=msg.data))
