/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: DNS responses to a TXT query (what a resolver, or whoever spoofs it, hands back
 * for a GopherWatch name) must never crash, leak or read out of bounds; an accepted answer is never
 * longer than allowed, and what the GopherWatch parser makes of it is checked too. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "dns-txt.h"
#include "gopherwatch.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(dns_txt_answer_done) DnsTxtAnswer a = {};
        GopherwatchVersion *v = NULL;
        size_t n = 0;
        int r;

        r = dns_txt_answer_parse(data, size, "x._.example.com.v0.l.gopherwatch.org.", GOPHERWATCH_ANSWER_MAX, &a);
        assert(r >= 0 || (IN_SET(r, -EBADMSG, -ENXIO, -EIO, -ENODATA, -EFBIG, -ENOMEM) && !a.text));
        if (r < 0)
                return 0;
        assert(a.size <= GOPHERWATCH_ANSWER_MAX && a.text[a.size] == 0);

        if (gopherwatch_versions_parse(a.text, a.size, &v, &n) >= 0)
                gopherwatch_versions_free(v, n);
        return 0;
}
