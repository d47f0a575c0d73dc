/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>

#include "fw_acl.h"

enum {
	FLD_PROTO,
	FLD_SRC,
	FLD_DST,
	FLD_SPORT,
	FLD_DPORT,
	FLD_IN_PORT,
	FLD_FLAGS,
	FLD_NUM,
};

static const struct rte_acl_field_def fw_acl_fields[FLD_NUM] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1, .field_index = FLD_PROTO,
	  .input_index = 0, .offset = offsetof(struct fw_acl_key, proto) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = FLD_SRC,
	  .input_index = 1, .offset = offsetof(struct fw_acl_key, src_ip) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4, .field_index = FLD_DST,
	  .input_index = 2, .offset = offsetof(struct fw_acl_key, dst_ip) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2, .field_index = FLD_SPORT,
	  .input_index = 3, .offset = offsetof(struct fw_acl_key, src_port) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2, .field_index = FLD_DPORT,
	  .input_index = 3, .offset = offsetof(struct fw_acl_key, dst_port) },
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 2, .field_index = FLD_IN_PORT,
	  .input_index = 4, .offset = offsetof(struct fw_acl_key, in_port) },
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 2, .field_index = FLD_FLAGS,
	  .input_index = 4, .offset = offsetof(struct fw_acl_key, flags) },
};

RTE_ACL_RULE_DEF(fw_acl_rule, FLD_NUM);

struct fw_acl {
	struct rte_acl_ctx *ctx; /* NULL for an empty rule list: nothing matches */
};

#define IP_FIELDS (M_IP_PROTO | M_IPV4_SRC | M_IPV4_DST | M_L4_SRC | M_L4_DST)

static void
rule_from_match(struct fw_acl_rule *r, const struct onvm_match *m, uint32_t idx)
{
	uint16_t need = 0;

	memset(r, 0, sizeof(*r));
	r->data.category_mask = 1;
	r->data.priority = RTE_ACL_MAX_PRIORITY - idx;
	r->data.userdata = idx + 1;

	if (m->fields & M_IP_PROTO) {
		r->field[FLD_PROTO].value.u8 = m->ip_proto;
		r->field[FLD_PROTO].mask_range.u8 = 0xff;
	}
	if (m->fields & M_IPV4_SRC) {
		r->field[FLD_SRC].value.u32 = m->ipv4_src;
		r->field[FLD_SRC].mask_range.u32 = m->ipv4_src_len;
	}
	if (m->fields & M_IPV4_DST) {
		r->field[FLD_DST].value.u32 = m->ipv4_dst;
		r->field[FLD_DST].mask_range.u32 = m->ipv4_dst_len;
	}
	r->field[FLD_SPORT].mask_range.u16 = 0xffff;
	if (m->fields & M_L4_SRC) {
		r->field[FLD_SPORT].value.u16 = m->l4_src_lo;
		r->field[FLD_SPORT].mask_range.u16 = m->l4_src_hi;
	}
	r->field[FLD_DPORT].mask_range.u16 = 0xffff;
	if (m->fields & M_L4_DST) {
		r->field[FLD_DPORT].value.u16 = m->l4_dst_lo;
		r->field[FLD_DPORT].mask_range.u16 = m->l4_dst_hi;
	}
	if (m->fields & M_IN_PORT) {
		r->field[FLD_IN_PORT].value.u16 = m->in_port;
		r->field[FLD_IN_PORT].mask_range.u16 = 0xffff;
	}
	if (m->fields & IP_FIELDS)
		need |= FW_ACL_F_IPV4;
	if (m->fields & (M_L4_SRC | M_L4_DST))
		need |= FW_ACL_F_L4;
	r->field[FLD_FLAGS].value.u16 = need;
	r->field[FLD_FLAGS].mask_range.u16 = need;
}

struct fw_acl *
fw_acl_build(const struct fw_config *c, int socket_id, char *err, size_t errlen)
{
	/* rte_acl_create() hands back an existing context of the same name,
	 * so every build (first load, each reload) gets a fresh one. */
	static uint32_t generation;
	struct rte_acl_param param = { 0 };
	struct rte_acl_config build = { 0 };
	struct fw_acl_rule rule;
	char name[RTE_ACL_NAMESIZE];
	struct fw_acl *a;
	uint32_t i;
	int rc;

	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (c->n_rules == 0)
		return a;

	snprintf(name, sizeof(name), "fw_%d_%u", (int)getpid(),
		 __atomic_fetch_add(&generation, 1, __ATOMIC_RELAXED));
	param.name = name;
	param.socket_id = socket_id;
	param.rule_size = RTE_ACL_RULE_SZ(FLD_NUM);
	param.max_rule_num = c->n_rules;
	a->ctx = rte_acl_create(&param);
	if (a->ctx == NULL) {
		snprintf(err, errlen, "rte_acl_create failed for %u rules: %s", c->n_rules,
			 rte_strerror(rte_errno));
		free(a);
		return NULL;
	}
	for (i = 0; i < c->n_rules; i++) {
		rule_from_match(&rule, &c->rules[i].match, i);
		rc = rte_acl_add_rules(a->ctx, (const struct rte_acl_rule *)&rule, 1);
		if (rc < 0) {
			snprintf(err, errlen, "rte_acl_add_rules failed at rule %u (%s): %s", i,
				 c->rules[i].name, strerror(-rc));
			fw_acl_free(a);
			return NULL;
		}
	}
	build.num_categories = 1;
	build.num_fields = FLD_NUM;
	memcpy(build.defs, fw_acl_fields, sizeof(fw_acl_fields));
	rc = rte_acl_build(a->ctx, &build);
	if (rc < 0) {
		snprintf(err, errlen, "rte_acl_build failed for %u rules: %s", c->n_rules,
			 strerror(-rc));
		fw_acl_free(a);
		return NULL;
	}
	return a;
}

void
fw_acl_free(struct fw_acl *a)
{
	if (a == NULL)
		return;
	rte_acl_free(a->ctx);
	free(a);
}

void
fw_acl_key_from_pkt(struct fw_acl_key *k, const struct pkt_info *pi, uint16_t in_port)
{
	uint16_t flags = 0;

	memset(k, 0, sizeof(*k));
	k->in_port = rte_cpu_to_be_16(in_port);
	if (pi->flags & PKT_F_IPV4) {
		flags |= FW_ACL_F_IPV4;
		k->proto = pi->ip_proto;
		k->src_ip = rte_cpu_to_be_32(pi->ipv4_src);
		k->dst_ip = rte_cpu_to_be_32(pi->ipv4_dst);
		if (pi->flags & PKT_F_L4) {
			flags |= FW_ACL_F_L4;
			k->src_port = rte_cpu_to_be_16(pi->src_port);
			k->dst_port = rte_cpu_to_be_16(pi->dst_port);
		}
	}
	k->flags = rte_cpu_to_be_16(flags);
}

void
fw_acl_classify(const struct fw_acl *a, const struct fw_acl_key *const *keys, uint32_t *results,
		uint32_t n)
{
	if (a->ctx == NULL || n == 0) {
		memset(results, 0, n * sizeof(*results));
		return;
	}
	/* Only fails for bad arguments, which the checks above rule out. */
	rte_acl_classify(a->ctx, (const uint8_t **)keys, results, n, 1);
}
