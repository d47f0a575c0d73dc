/* SPDX-License-Identifier: BSD-3-Clause */
/* Sample messages built with the codec, shared by the tests, the
 * ovs-ofctl interoperability check and the fuzz seed corpus. */
#ifndef OFP_SAMPLES_H
#define OFP_SAMPLES_H

#include "ofp.h"

/* Append the sample called `name` to b; false if there is no such name. */
bool ofp_sample_build(const char *name, struct ofp_buf *b);
/* NULL-terminated list of sample names. */
extern const char *const ofp_sample_names[];

/* The match of `tcp,nw_dst=10.0.2.0/24,tp_dst=80`. */
void ofp_sample_tcp_match(struct ofp_match *m);

#endif
