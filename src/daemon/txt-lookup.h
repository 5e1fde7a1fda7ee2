/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A name's TXT record from the system's resolver (/etc/resolv.conf, through libresolv's res_nquery()),
 * on a worker thread (worker.h): the query blocks, the loop must not. Bounded: TXT_LOOKUP_TIMEOUT_SEC
 * per try, TXT_LOOKUP_TRIES tries (per name server of resolv.conf). */
#pragma once

#include <stdbool.h>

#include "dns-txt.h"
#include "worker.h"

#define TXT_LOOKUP_TIMEOUT_SEC 2
#define TXT_LOOKUP_TRIES 2

/* What the lookup needs, copied in, and what it found: the thread touches nothing else. */
typedef struct TxtLookup {
        char *name;             /* asked as is: with its final dot, no search domain is tried */
        bool dnssec;            /* ask for DNSSEC (the DO and AD bits), and keep the AD bit of the answer */
        size_t max;             /* the longest answer taken */
        DnsTxtAnswer answer;    /* out */
} TxtLookup;

int txt_lookup_init(TxtLookup *l, const char *name, bool dnssec, size_t max);
void txt_lookup_done(TxtLookup *l);

/* Starts the lookup of l on a worker thread; done gets 0 with l->answer filled, or the error
 * dns_txt_answer_parse() names (-ENXIO for NXDOMAIN, -ENODATA for no record …), -ETIMEDOUT when no
 * server answered in time (or said SERVFAIL), -ECANCELED once cancelled. l must stay put until
 * then. */
int txt_lookup_start(TxtLookup *l, sd_event *event, worker_done_t done, void *userdata, Worker **ret);
