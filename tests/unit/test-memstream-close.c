/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio's memstream_close() and fclosep(). */
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "tests.h"

int main(void) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        ASSERT_NOT_NULL(f);
        fputs("hello ", f);
        fprintf(f, "%d", 42);
        ASSERT_OK_ZERO(memstream_close(f));
        ASSERT_EQ(size, 8);
        ASSERT_STREQ(buf, "hello 42");

        /* Empty: the buffer is there all the same. */
        buf = mfree(buf);
        f = open_memstream(&buf, &size);
        ASSERT_NOT_NULL(f);
        ASSERT_OK_ZERO(memstream_close(f));
        ASSERT_EQ(size, 0);
        ASSERT_STREQ(buf, "");

        {
                _cleanup_(fclosep) FILE *g = fopen("/dev/null", "re");
                _cleanup_(fclosep) FILE *none = NULL;

                ASSERT_NOT_NULL(g);
        }
        return 0;
}
