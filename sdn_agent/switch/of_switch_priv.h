/* SPDX-License-Identifier: BSD-3-Clause */
/* Between the flow table and the group table of of_switch; not public. */
#ifndef OF_SWITCH_PRIV_H
#define OF_SWITCH_PRIV_H

#include "of_switch.h"

/* Does the list output to `port` or send to `group` (ANY: ignored)? */
bool ofs_actions_reach(const struct ofp_action_list *l, uint32_t port, uint32_t group);
bool flow_outputs_any_group(const struct ofs_flow *f);
/* Does the flow output to out_port and to out_group (ANY: no filter)? */
bool ofs_flow_outputs_to(const struct ofs_flow *f, uint32_t out_port, uint32_t out_group);
/* Remove the flows that send to a group (OFPG_ALL: to any group). */
unsigned ofs_remove_flows_to_group(struct of_switch *sw, uint32_t group_id, uint64_t now_ms);
uint32_t ofs_flow_refs_to_group(const struct of_switch *sw, uint32_t group_id);
void ofs_groups_destroy(struct of_switch *sw);
/* Remove the flows whose meter instruction names a meter (OFPM_ALL: any). */
unsigned ofs_remove_flows_with_meter(struct of_switch *sw, uint32_t meter_id, uint64_t now_ms);
void ofs_meters_destroy(struct of_switch *sw);

#endif
