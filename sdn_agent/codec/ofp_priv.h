/* SPDX-License-Identifier: BSD-3-Clause */
/* Body decoders shared between the codec's files; not public. Each takes
 * a reader that starts after the header and ends at the message's end. */
#ifndef OFP_PRIV_H
#define OFP_PRIV_H

#include "ofp.h"

ofp_err_t ofp_port_status_decode(struct ofp_rd *r, struct ofp_port_status *ps);
ofp_err_t ofp_packet_in_decode(struct ofp_rd *r, struct ofp_packet_in *pi);
ofp_err_t ofp_packet_out_decode(struct ofp_rd *r, struct ofp_packet_out *po);
ofp_err_t ofp_flow_removed_decode(struct ofp_rd *r, struct ofp_flow_removed *fr);
ofp_err_t ofp_port_mod_decode(struct ofp_rd *r, struct ofp_port_mod *pm);
ofp_err_t ofp_table_mod_decode(struct ofp_rd *r, struct ofp_table_mod *tm);

/* Set-field support from the OXM table (ofp_match.c). */
ofp_err_t ofp_set_field_decode_value(uint32_t oxm_header, const uint8_t *value,
				     struct ofp_action *a);
bool ofp_set_field_prereq_met(uint8_t field, const struct ofp_match *m);

#endif
