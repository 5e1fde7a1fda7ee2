/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The few helpers every upkeep file uses: cleanup attributes, ownership hand-over, small predicates. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                (void) close(*fd);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership over: returns the value and leaves the variable empty, so its cleanup does nothing. */
#define TAKE_PTR(p) ({ __typeof__(p) _taken = (p); (p) = NULL; _taken; })
#define TAKE_FD(fd) ({ int _taken = (fd); (fd) = -EBADF; _taken; })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

static inline bool isempty(const char *s) {
        return !s || !s[0];
}

/* A boolean as systemd's unit files spell them: 1 for yes, 0 for no, -EINVAL for anything else. */
static inline int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" },
                          *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; v && i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

/* IN_SET(x, a, b, …): x equals one of the listed constants. */
#define IN_SET(x, first, ...)                                                   \
        ({                                                                      \
                bool _found = false;                                            \
                const __typeof__(first) _set[] = { first, __VA_ARGS__ };        \
                __typeof__(x) _x = (x);                                         \
                for (size_t _i = 0; _i < ELEMENTSOF(_set); _i++)                \
                        if (_set[_i] == _x) {                                   \
                                _found = true;                          \
                                break;                                          \
                        }                                                       \
                _found;                                                         \
        })

/* Whether s holds a byte below ' ' or DEL: nothing a config line or a unit setting may carry. */
static inline bool str_has_control_chars(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < ' ' || *s == 0x7f)
                        return true;
        return false;
}

/* What follows prefix in s, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* Frees a and moves b into it, leaving b NULL. */
#define free_and_replace(a, b)                  \
        ({                                      \
                free(a);                        \
                (a) = (b);                      \
                (b) = NULL;                     \
                0;                              \
        })

/* A new string, as printf() would print it; NULL when out of memory (where asprintf() leaves its
 * pointer undefined), so it suits _cleanup_ variables. */
static inline __attribute__((format(printf, 1, 2))) char *strdup_printf(const char *format, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline bool endswith_char(const char *s, char c) {
        size_t n = strlen(s);
        return n > 0 && s[n - 1] == c;
}

static inline bool endswith_slash(const char *s) {
        return endswith_char(s, '/');
}

/* -1, 0 or 1 as a is less than, equal to or greater than b: a comparison function's result. */
#define CMP(a, b) ({ __typeof__(a) _cmp_a = (a); __typeof__(b) _cmp_b = (b); (_cmp_a > _cmp_b) - (_cmp_a < _cmp_b); })

#define MAX(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define MIN(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })

/* IN_SET_STR(s, "a", "b", …): s equals one of the listed strings. */
#define IN_SET_STR(s, ...)                                                      \
        ({                                                                      \
                const char *_set[] = { __VA_ARGS__ };                           \
                bool _found = false;                                            \
                for (size_t _i = 0; _i < ELEMENTSOF(_set); _i++)                \
                        if (streq((s), _set[_i])) {                             \
                                _found = true;                          \
                                break;                                          \
                        }                                                       \
                _found;                                                         \
        })
