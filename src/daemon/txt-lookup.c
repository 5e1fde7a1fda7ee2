/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* res_nquery() on a resolver state of the lookup's own (res_ninit()), so that threads do not share
 * one, with its timeout and tries set small. */
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
/* <sys/param.h>, which <arpa/nameser.h> includes, has MIN() and MAX() of its own: macro.h's count. */
#undef MAX
#undef MIN

#include "macro.h"
#include "txt-lookup.h"

int txt_lookup_init(TxtLookup *l, const char *name, bool dnssec, size_t max) {
        *l = (TxtLookup) {
                .name = strdup(name),
                .dnssec = dnssec,
                .max = max,
        };
        return l->name ? 0 : -ENOMEM;
}

void txt_lookup_done(TxtLookup *l) {
        l->name = mfree(l->name);
        dns_txt_answer_done(&l->answer);
}

/* What res_nquery()'s h_errno means for a caller that wants a reason. */
static int h_errno_to_errno(int h) {
        switch (h) {
        case HOST_NOT_FOUND:
                return -ENXIO;
        case NO_DATA:
                return -ENODATA;
        case TRY_AGAIN:
                return -ETIMEDOUT;
        default:
                return -EIO;
        }
}

/* On the worker's thread. */
static int txt_lookup_work(void *work_data, const CancelFlag *cancel) {
        _cleanup_free_ uint8_t *msg = NULL;
        struct __res_state state = {};
        TxtLookup *l = work_data;
        int n, r;

        msg = malloc(NS_MAXMSG);
        if (!msg)
                return -ENOMEM;

        if (res_ninit(&state) < 0)
                return -EIO;
        state.retrans = TXT_LOOKUP_TIMEOUT_SEC;
        state.retry = TXT_LOOKUP_TRIES;
        /* Without trust-ad, glibc clears the AD bit of answers: only with GoDNSSEC= is the resolver
         * trusted to validate, as the operator who set it said it does. */
        if (l->dnssec)
                state.options |= RES_USE_EDNS0 | RES_USE_DNSSEC | RES_TRUSTAD;

        if (cancel_requested(cancel)) {
                res_nclose(&state);
                return -ECANCELED;
        }
        n = res_nquery(&state, l->name, ns_c_in, ns_t_txt, msg, NS_MAXMSG);
        r = n < 0 ? h_errno_to_errno(state.res_h_errno) : 0;
        res_nclose(&state);

        if (cancel_requested(cancel))
                return -ECANCELED;
        if (r < 0)
                return r;

        return dns_txt_answer_parse(msg, MIN((size_t) n, (size_t) NS_MAXMSG), l->name, l->max, &l->answer);
}

int txt_lookup_start(TxtLookup *l, sd_event *event, worker_done_t done, void *userdata, Worker **ret) {
        return worker_start(event, "upkeepd-dns", txt_lookup_work, l, done, userdata, ret);
}
