/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NULL-terminated string arrays: just the operations upkeep uses. */
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;

        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (!l)
                return 0;

        while (l[n])
                n++;
        return n;
}

bool strv_contains(char *const *l, const char *s) {
        if (!l || !s)
                return false;

        for (char *const *i = l; *i; i++)
                if (streq(*i, s))
                        return true;
        return false;
}

int strv_extend(char ***l, const char *s) {
        _cleanup_free_ char *copy = NULL;
        size_t n;
        char **nl;

        copy = strdup(s);
        if (!copy)
                return -ENOMEM;

        n = strv_length(*l);
        /* realloc() leaves the old array valid when it fails, so *l stays untouched on error. */
        nl = reallocarray(*l, n + 2, sizeof(char *));
        if (!nl)
                return -ENOMEM;

        nl[n] = TAKE_PTR(copy);
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}
