/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: Go build info from arbitrary bytes taken as an ELF file. Whatever the input, the
 * parser either fails with one of its documented errors and a reason, or returns build info whose
 * strings are all there and are C strings of valid text. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "go-buildinfo.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void assert_module(const GoModule *m, bool replacement) {
        assert(m->path);
        assert(m->version);
        assert(!m->sum || m->sum[0] != 0);
        if (m->replace) {
                /* A replacement has no replacement of its own. */
                assert(!replacement);
                assert_module(m->replace, true);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
        _cleanup_free_ char *reason = NULL;
        int r;

        r = go_buildinfo_parse(data, size, &info, &reason);
        if (r < 0) {
                assert(IN_SET(r, -ENOEXEC, -ENOMSG, -EBADMSG, -ENOMEM));
                assert(reason || r == -ENOMEM);
                assert(!info);
                return 0;
        }

        assert(!reason);
        assert(info->go_version && info->go_version[0] != 0);
        if (info->main.path)
                assert_module(&info->main, false);
        for (size_t i = 0; i < info->n_deps; i++)
                assert_module(&info->deps[i], false);
        for (size_t i = 0; i < info->n_settings; i++) {
                assert(info->settings[i].key && info->settings[i].value);
                assert(go_buildinfo_setting(info, info->settings[i].key));
        }
        return 0;
}
