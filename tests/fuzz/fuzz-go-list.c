/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the Go module proxy's version lists (a module's @v/list, and golang.org/toolchain's)
 * on arbitrary bytes must never crash, leak or read out of bounds; what is accepted must be versions
 * only, newest first, without repeats. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "go-module.h"
#include "macro.h"
#include "strv.h"
#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(strv_freep) char **modules = NULL, **toolchains = NULL;
        int r;

        r = go_version_list_parse((const char *) data, size, &modules);
        assert(r >= 0 || (IN_SET(r, -EBADMSG, -EFBIG, -ENOMEM) && !modules));
        for (size_t i = 0; modules && modules[i]; i++) {
                assert(go_module_version_is_valid(modules[i]));
                if (i > 0) {
                        assert(version_compare(modules[i - 1], modules[i]) >= 0);
                        assert(!streq(modules[i - 1], modules[i]));
                }
        }

        r = go_toolchain_list_parse((const char *) data, size, "linux-amd64", &toolchains);
        assert(r >= 0 || (IN_SET(r, -EBADMSG, -EFBIG, -ENOMEM) && !toolchains));
        for (size_t i = 0; toolchains && toolchains[i]; i++) {
                assert(go_version_is_valid(toolchains[i]));
                if (i > 0) {
                        assert(go_version_compare(toolchains[i - 1], toolchains[i]) >= 0);
                        assert(!streq(toolchains[i - 1], toolchains[i]));
                }
                (void) go_version_supported(toolchains[i], toolchains);
        }

        return 0;
}
