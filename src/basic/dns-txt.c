/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TXT answers from DNS messages, read with libresolv's message parser (ns_initparse(), ns_parserr()),
 * which expands compressed names and bounds every record by the message. */
#include <arpa/nameser.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
/* <sys/param.h>, which <arpa/nameser.h> includes, has MIN() and MAX() of its own: macro.h's count. */
#undef MAX
#undef MIN

#include "dns-txt.h"
#include "macro.h"

#define DNS_MESSAGE_MAX 65535U

void dns_txt_answer_done(DnsTxtAnswer *a) {
        a->text = mfree(a->text);
        a->size = 0;
}

/* Whether a and b name the same domain: case does not matter, nor a final dot. */
static bool dns_name_equal(const char *a, const char *b) {
        size_t na = strlen(a), nb = strlen(b);

        if (na > 0 && a[na - 1] == '.')
                na--;
        if (nb > 0 && b[nb - 1] == '.')
                nb--;
        return na == nb && strncasecmp(a, b, na) == 0;
}

/* Joins the character-strings of a TXT record's data (each a length byte and that many bytes). */
static int txt_join(const uint8_t *rdata, size_t rdlen, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        /* The joined text is never longer than the data it comes from. */
        text = malloc(rdlen + 1);
        if (!text)
                return -ENOMEM;

        for (size_t i = 0; i < rdlen; ) {
                size_t len = rdata[i++];

                if (len > rdlen - i)
                        return -EBADMSG;
                if (len > max - n)
                        return -EFBIG;
                memcpy(text + n, rdata + i, len);
                n += len;
                i += len;
        }
        text[n] = 0;

        *ret = TAKE_PTR(text);
        *ret_size = n;
        return 0;
}

int dns_txt_answer_parse(const uint8_t *msg, size_t size, const char *name, size_t max, DnsTxtAnswer *ret) {
        _cleanup_free_ char *text = NULL;
        size_t text_size = 0;
        bool found = false;
        ns_msg handle;
        int rcode, r;

        if (!msg || !name || !ret)
                return -EINVAL;
        if (size > DNS_MESSAGE_MAX || ns_initparse(msg, (int) size, &handle) < 0)
                return -EBADMSG;
        if (!ns_msg_getflag(handle, ns_f_qr))
                return -EBADMSG;   /* a query, not a response */

        rcode = ns_msg_getflag(handle, ns_f_rcode);
        if (rcode == ns_r_nxdomain)
                return -ENXIO;
        if (rcode != ns_r_noerror)
                return -EIO;

        for (int i = 0; i < ns_msg_count(handle, ns_s_an); i++) {
                ns_rr rr;

                if (ns_parserr(&handle, ns_s_an, i, &rr) < 0)
                        return -EBADMSG;
                if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in || !dns_name_equal(ns_rr_name(rr), name))
                        continue;
                if (found)
                        return -EBADMSG;

                r = txt_join(ns_rr_rdata(rr), ns_rr_rdlen(rr), max, &text, &text_size);
                if (r < 0)
                        return r;
                found = true;
        }
        if (!found)
                return -ENODATA;

        *ret = (DnsTxtAnswer) {
                .text = TAKE_PTR(text),
                .size = text_size,
                .authenticated = ns_msg_getflag(handle, ns_f_ad),
        };
        return 0;
}
