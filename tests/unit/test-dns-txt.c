/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "dns-txt.h"
#include "macro.h"
#include "tests.h"

#define NAME "x._.example.com.v0.gw.example"
#define FLAG_QR 0x8000
#define FLAG_AD 0x0020
#define RCODE_NXDOMAIN 3
#define RCODE_SERVFAIL 2
#define TYPE_TXT 16
#define TYPE_CNAME 5

/* A DNS message written the way a server would, in a buffer large enough for these tests. */
typedef struct Msg {
        uint8_t data[2048];
        size_t size;
} Msg;

static void put16(Msg *m, unsigned v) {
        m->data[m->size++] = (uint8_t) (v >> 8);
        m->data[m->size++] = (uint8_t) v;
}

static void put_name(Msg *m, const char *name) {
        while (*name) {
                size_t n = strcspn(name, ".");

                m->data[m->size++] = (uint8_t) n;
                memcpy(m->data + m->size, name, n);
                m->size += n;
                name += n + (name[n] == '.');
        }
        m->data[m->size++] = 0;
}

/* The header and the question for NAME, TXT; n_answers to follow. */
static void msg_start(Msg *m, unsigned flags, unsigned n_answers) {
        m->size = 0;
        put16(m, 0x1234);
        put16(m, flags);
        put16(m, 1);
        put16(m, n_answers);
        put16(m, 0);
        put16(m, 0);
        put_name(m, NAME);
        put16(m, TYPE_TXT);
        put16(m, 1);
}

/* An answer record; name NULL: a pointer to the question's name (offset 12), as servers compress. */
static void msg_record(Msg *m, const char *name, unsigned type, const void *rdata, size_t rdlen) {
        if (name)
                put_name(m, name);
        else
                put16(m, 0xc000 | 12);
        put16(m, type);
        put16(m, 1);
        put16(m, 0);
        put16(m, 300);
        put16(m, (unsigned) rdlen);
        memcpy(m->data + m->size, rdata, rdlen);
        m->size += rdlen;
}

static void test_answer(void) {
        static const uint8_t txt[] = "\x0dv=v1.2.3 t=65" "\x02" "a1" "\x00";  /* three strings, the last empty */
        static const uint8_t cname[] = "\x01y\x07" "example\x00";
        _cleanup_(dns_txt_answer_done) DnsTxtAnswer a = {}, b = {};
        Msg m;

        printf("%s\n", __func__);

        msg_start(&m, FLAG_QR, 2);
        msg_record(&m, NULL, TYPE_CNAME, cname, sizeof(cname) - 1);
        msg_record(&m, NULL, TYPE_TXT, txt, sizeof(txt) - 1);
        ASSERT_OK_ZERO(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &a));
        ASSERT_EQ(a.size, 15U);
        ASSERT_STREQ(a.text, "v=v1.2.3 t=65a1");
        ASSERT_FALSE(a.authenticated);

        /* The AD bit, a name written out in another case, and the query's name with its final dot. */
        msg_start(&m, FLAG_QR | FLAG_AD, 1);
        msg_record(&m, "X._.Example.COM.v0.gw.example", TYPE_TXT, txt, sizeof(txt) - 1);
        ASSERT_OK_ZERO(dns_txt_answer_parse(m.data, m.size, NAME ".", 4096, &b));
        ASSERT_STREQ(b.text, "v=v1.2.3 t=65a1");
        ASSERT_TRUE(b.authenticated);
}

static void test_answer_errors(void) {
        static const uint8_t txt[] = "\x05" "hello";
        static const uint8_t truncated[] = "\x09" "hello";
        DnsTxtAnswer untouched = {};
        Msg m;

        printf("%s\n", __func__);

        msg_start(&m, FLAG_QR | RCODE_NXDOMAIN, 0);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), ENXIO);
        msg_start(&m, FLAG_QR | RCODE_SERVFAIL, 0);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), EIO);

        /* No records, or only one of another name. */
        msg_start(&m, FLAG_QR, 0);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), ENODATA);
        msg_start(&m, FLAG_QR, 1);
        msg_record(&m, "other.example", TYPE_TXT, txt, sizeof(txt) - 1);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), ENODATA);

        /* A query is no answer. */
        msg_start(&m, 0, 1);
        msg_record(&m, NULL, TYPE_TXT, txt, sizeof(txt) - 1);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), EBADMSG);

        /* Two TXT records: which comes first is up to the server. */
        msg_start(&m, FLAG_QR, 2);
        msg_record(&m, NULL, TYPE_TXT, txt, sizeof(txt) - 1);
        msg_record(&m, NULL, TYPE_TXT, txt, sizeof(txt) - 1);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), EBADMSG);

        /* A string longer than the record's data. */
        msg_start(&m, FLAG_QR, 1);
        msg_record(&m, NULL, TYPE_TXT, truncated, sizeof(truncated) - 1);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), EBADMSG);

        /* More records announced than the message holds; a message cut short. */
        msg_start(&m, FLAG_QR, 2);
        msg_record(&m, NULL, TYPE_TXT, txt, sizeof(txt) - 1);
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4096, &untouched), EBADMSG);
        msg_start(&m, FLAG_QR, 1);
        msg_record(&m, NULL, TYPE_TXT, txt, sizeof(txt) - 1);
        for (size_t n = 0; n < m.size; n++)
                ASSERT_ERROR(dns_txt_answer_parse(m.data, n, NAME, 4096, &untouched), EBADMSG);

        /* Longer than allowed: 5 bytes with a limit of 4. */
        ASSERT_ERROR(dns_txt_answer_parse(m.data, m.size, NAME, 4, &untouched), EFBIG);
        ASSERT_NULL(untouched.text);
}

int main(void) {
        test_answer();
        test_answer_errors();
        return 0;
}
