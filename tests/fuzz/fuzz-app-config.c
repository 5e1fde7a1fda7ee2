/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: an app config (NAME.app) of arbitrary bytes, as a corrupted disk or a careless
 * edit leaves it, read by app_config_load() and app_config_load_transient(). Nothing may crash or
 * leak, and what is accepted must hold what every program assumes of a config. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/tests.h"
#include "app-config.h"
#include "fileio.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *config_path(void) {
        static char path[] = "/dev/shm/upkeep-fuzz-XXXXXX/fuzz.app";
        static bool made = false;

        if (!made) {
                char *slash = strrchr(path, '/');

                *slash = 0;
                ASSERT_NOT_NULL(mkdtemp(path));
                *slash = '/';
                made = true;
        }
        return path;
}

static void check(const AppConfig *c) {
        ASSERT_STREQ(c->name, "fuzz");
        ASSERT_TRUE(app_name_is_valid(c->name));
        ASSERT_NOT_NULL(c->exec);
        ASSERT_TRUE(c->transient || app_source_is_valid(c->source));
        ASSERT_TRUE(!c->public_key || app_public_key_is_valid(c->public_key));
        ASSERT_GE(c->keep, APP_KEEP_MIN);
        ASSERT_NOT_NULL(update_policy_to_string(c->policy));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *t = NULL;
        const char *path = config_path();
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
        ASSERT_OK(fd);
        ASSERT_OK(loop_write(fd, data, size));

        r = app_config_load(path, &c);
        if (r >= 0)
                check(c);
        else
                ASSERT_NULL(c);

        r = app_config_load_transient(path, &t);
        if (r >= 0) {
                ASSERT_TRUE(t->transient);
                check(t);
        } else
                ASSERT_NULL(t);

        return 0;
}
