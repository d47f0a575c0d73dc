/* SPDX-License-Identifier: BSD-3-Clause */
/* The bookkeeping of a protected service's checkpoints (ft_epoch.h). */
#include <string.h>

#include "ft_epoch.h"

void
ft_book_init(struct ft_epoch_book *b, uint64_t epoch_ns, uint64_t now_ns)
{
	memset(b, 0, sizeof(*b));
	b->epoch_ns = epoch_ns;
	b->next_ns = now_ns;
	b->full_next = true;
}

bool
ft_book_due(const struct ft_epoch_book *b, uint64_t now_ns)
{
	return b->phase == FT_IDLE && now_ns >= b->next_ns;
}

bool
ft_book_begin(struct ft_epoch_book *b, uint64_t now_ns)
{
	b->phase = FT_EXPORTING;
	b->begin_ns = now_ns;
	b->full_now = b->full_next;
	b->full_next = false;
	/* Epochs start epoch_ns apart; one that overran starts the next at once. */
	b->next_ns = b->next_ns + b->epoch_ns > now_ns ? b->next_ns + b->epoch_ns : now_ns;
	return b->full_now;
}

void
ft_book_exported(struct ft_epoch_book *b, uint32_t mark, uint64_t bytes, uint32_t flows,
		 uint32_t buckets, uint64_t now_ns)
{
	b->phase = FT_IMPORTING;
	b->mark = mark;
	b->exported_ns = now_ns;
	b->last_bytes = bytes;
	b->last_flows = flows;
	b->last_buckets = buckets;
	b->last_export_us = (now_ns - b->begin_ns) / 1000;
}

void
ft_book_export_failed(struct ft_epoch_book *b, uint64_t now_ns)
{
	(void)now_ns;
	b->phase = FT_IDLE;
	b->full_next = true;
}

bool
ft_book_imported(struct ft_epoch_book *b, bool ok, uint64_t now_ns)
{
	b->phase = FT_IDLE;
	if (!ok) {
		b->refused++;
		b->refused_in_row++;
		b->synced = false;
		b->full_next = true;
		return false;
	}
	b->refused_in_row = 0;
	b->commit = b->mark;
	b->epochs++;
	b->full_checkpoints += b->full_now;
	/* A standby is in sync once it took a full checkpoint; it stays so
	 * while it takes every one after. */
	if (b->full_now)
		b->synced = true;
	b->bytes_total += b->last_bytes;
	b->last_import_us = (now_ns - b->exported_ns) / 1000;
	b->last_total_us = (now_ns - b->begin_ns) / 1000;
	if (b->last_total_us > b->max_total_us)
		b->max_total_us = b->last_total_us;
	return true;
}

bool
ft_book_give_up(const struct ft_epoch_book *b)
{
	return b->refused_in_row >= FT_MAX_REFUSED;
}

void
ft_book_standby_lost(struct ft_epoch_book *b)
{
	b->phase = FT_IDLE;
	b->synced = false;
	b->full_next = true;
	b->refused_in_row = 0;
}
