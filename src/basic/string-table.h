/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Enum ↔ string through a table indexed by the enum: for an enum Foo with FOO_A, …, _FOO_MAX and
 * _FOO_INVALID = -EINVAL, and
 *
 *     static const char *const foo_table[_FOO_MAX] = { [FOO_A] = "a", … };
 *     DEFINE_STRING_TABLE_LOOKUP(foo, Foo);
 *
 * defines foo_to_string(Foo) (NULL for a value outside the table) and foo_from_string(const char *)
 * (-EINVAL for NULL or a string not in the table). Holes in the table (NULL entries) match
 * nothing. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "macro.h"

/* The index of key in table[0..n), or -EINVAL. */
static inline ssize_t string_table_lookup(const char *const *table, size_t n, const char *key) {
        if (!key)
                return -EINVAL;

        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], key))
                        return (ssize_t) i;

        return -EINVAL;
}

#define _DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type, scope)                       \
        scope const char *name##_to_string(type i) {                                    \
                if (i < 0 || (size_t) i >= ELEMENTSOF(name##_table))                    \
                        return NULL;                                                    \
                return name##_table[i];                                                 \
        }

#define _DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type, scope)                     \
        scope type name##_from_string(const char *s) {                                  \
                return (type) string_table_lookup(name##_table, ELEMENTSOF(name##_table), s); \
        }

#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type) \
        _DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type, )
#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type) \
        _DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type, )

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                          \
        DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                \
        DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)

/* The same, static: for a table only its own file uses. */
#define DEFINE_PRIVATE_STRING_TABLE_LOOKUP(name, type)                  \
        _DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type, static)       \
        _DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type, static)
