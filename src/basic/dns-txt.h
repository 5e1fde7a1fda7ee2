/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The answer to a DNS query for a name's TXT record (RFC 1035 wire format, as res_nquery() returns
 * it): the record's character-strings joined into one text, and whether the resolver set the AD bit
 * (RFC 4035 3.2.3: it validated the answer with DNSSEC). Pure logic on the message's bytes; asking
 * the resolver is the caller's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DnsTxtAnswer {
        char *text;             /* the strings joined, NUL-terminated (it may hold NUL bytes too) */
        size_t size;            /* without the terminating NUL */
        bool authenticated;     /* the AD bit of the response's header */
} DnsTxtAnswer;

void dns_txt_answer_done(DnsTxtAnswer *a);

/* Parses the response msg of size bytes to a TXT query for name (with or without its final dot;
 * compared without regard to case). Records of other types (a CNAME, an RRSIG) and TXT records of
 * other names are skipped. Errors: -EBADMSG when msg is not a well-formed response or holds more
 * than one TXT record for name (their order would be the server's whim), -ENXIO for NXDOMAIN,
 * -EIO for another error code (SERVFAIL, REFUSED …), -ENODATA when there is no TXT record for
 * name, -EFBIG when the joined text would be longer than max. */
int dns_txt_answer_parse(const uint8_t *msg, size_t size, const char *name, size_t max, DnsTxtAnswer *ret);
