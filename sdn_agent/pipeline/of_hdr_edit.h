/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * of_hdr_edit: the OpenFlow 1.3 header rewrites the data path executes
 * beyond the fast kinds of ofdp_edit.c: generic set-field, MPLS
 * and PBB push/pop, and the TTL actions.
 *
 * Pure byte-level functions over one Ethernet frame (frame[0..len)), no
 * mbuf, so they unit-test on built frames. They never read or write past
 * len. Each returns false, leaving the frame unchanged, when the frame
 * lacks the header the edit needs (the FLOW_MOD's match prerequisites
 * make that the exception). Checksums are kept valid: IPv4 header,
 * TCP/UDP/ICMPv4/ICMPv6 incrementally (RFC 1624, so a bad checksum stays
 * bad), SCTP's CRC32c recomputed. A UDP checksum of 0 (none) stays 0.
 *
 * Set-field writes the outermost matching header: after the VLAN tags,
 * the top MPLS label stack entry for mpls_*, the outer tag for vlan_pcp.
 */
#ifndef ONVM_OF_HDR_EDIT_H
#define ONVM_OF_HDR_EDIT_H

#include <stdbool.h>
#include <stdint.h>

/* field = OFPXMT_OFB_*, val = the OXM value in wire order (its length is
 * the field's). Fields handled: vlan_pcp, ip_dscp, ip_ecn, sctp_src/dst,
 * icmpv4_type/code, arp_op/spa/tpa/sha/tha, ipv6_src/dst/flabel,
 * icmpv6_type/code, ipv6_nd_target/sll/tll, mpls_label/tc/bos, pbb_isid
 * (the I-TAG after the VLAN tags). */
bool ofhe_set_field(uint8_t *frame, uint32_t len, uint8_t field, const uint8_t *val);

/* IPv4 TTL (header checksum updated) or IPv6 hop limit. dec_nw_ttl
 * leaves a TTL of 0 alone (returns false). */
bool ofhe_set_nw_ttl(uint8_t *frame, uint32_t len, uint8_t ttl);
bool ofhe_dec_nw_ttl(uint8_t *frame, uint32_t len);

/* The top MPLS label stack entry's TTL. */
bool ofhe_set_mpls_ttl(uint8_t *frame, uint32_t len, uint8_t ttl);
bool ofhe_dec_mpls_ttl(uint8_t *frame, uint32_t len);

/* copy_ttl_out: top MPLS TTL := the next entry's TTL, or the IP TTL / hop
 * limit under the bottom of stack. copy_ttl_in: the other way. Frames
 * without MPLS (IP in IP) are not handled. */
bool ofhe_copy_ttl_out(uint8_t *frame, uint32_t len);
bool ofhe_copy_ttl_in(uint8_t *frame, uint32_t len);

/*
 * push_mpls in two steps, because the frame grows at its front (the
 * caller owns the buffer): prepare reads the frame and returns the offset
 * of the ethertype after the VLAN tags (-1: no room to parse) and the new
 * label stack entry; finish, given p = 4 new bytes followed by the old
 * frame, moves the Ethernet header and tags down into them, writes the
 * new ethertype and the entry.
 */
int ofhe_push_mpls_prepare(const uint8_t *frame, uint32_t len, uint8_t entry[4]);
void ofhe_push_mpls_finish(uint8_t *p, uint32_t type_off, uint16_t ethertype,
			   const uint8_t entry[4]);

/* pop_mpls: removes the top entry by moving the Ethernet header and tags
 * 4 bytes up and setting the ethertype; the caller then drops the first 4
 * bytes of the frame. False (unchanged) when the frame is not MPLS. */
bool ofhe_pop_mpls(uint8_t *frame, uint32_t len, uint16_t ethertype);

/*
 * push_pbb (802.1ah, OpenFlow 1.3.5 5.12.1): the frame gets, in front of
 * it, a backbone Ethernet header (destination and source copied from the
 * frame's), ethertype 0x88e7 and a 4-byte I-TAG; the old frame follows
 * unchanged as the customer frame. The I-TAG's PCP/DEI/UCA bits are 0;
 * its I-SID is the frame's own I-SID when it already is PBB, else 0.
 * prepare reads the frame (false: shorter than an Ethernet header) and
 * fills the I-TAG; finish, given p = OFHE_PBB_HDR_LEN new bytes followed
 * by the old frame, writes the new header.
 */
#define OFHE_PBB_HDR_LEN 18
bool ofhe_push_pbb_prepare(const uint8_t *frame, uint32_t len, uint8_t itag[4]);
void ofhe_push_pbb_finish(uint8_t *p, const uint8_t itag[4]);

/* pop_pbb: how many bytes the outer header takes (MACs, any B-VLAN tags,
 * 0x88e7, the I-TAG), which the caller drops from the front so that the
 * customer frame remains; 0 (leave the frame alone) when the frame is
 * not PBB or no whole customer Ethernet header follows. */
uint32_t ofhe_pop_pbb_len(const uint8_t *frame, uint32_t len);

/* SCTP's checksum: CRC32c of the SCTP packet, checksum field as stored
 * (zero it first), in the value to store little-endian (RFC 4960 B). */
uint32_t ofhe_crc32c(const uint8_t *buf, uint32_t len);

#endif /* ONVM_OF_HDR_EDIT_H */
