/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"

#define WHITESPACE " \t\r\n"

/* Reads one word starting at *p (not at whitespace) into a new string, advancing *p past it. */
static int read_word(const char **p, char **ret) {
        _cleanup_free_ char *word = NULL;
        const char *s = *p;
        size_t n = 0;
        char quote = 0;

        /* A word is never longer than what it is read from. */
        word = malloc(strlen(s) + 1);
        if (!word)
                return -ENOMEM;

        for (; *s; s++) {
                if (quote == '\'') {
                        if (*s == '\'')
                                quote = 0;
                        else
                                word[n++] = *s;
                        continue;
                }
                if (*s == '\\') {
                        if (!s[1])
                                return -EINVAL;
                        word[n++] = *++s;
                        continue;
                }
                if (quote == '"') {
                        if (*s == '"')
                                quote = 0;
                        else
                                word[n++] = *s;
                        continue;
                }
                if (IN_SET(*s, '"', '\''))
                        quote = *s;
                else if (strchr(WHITESPACE, *s))
                        break;
                else
                        word[n++] = *s;
        }
        if (quote)
                return -EINVAL;

        word[n] = 0;
        *p = s;
        *ret = TAKE_PTR(word);
        return 0;
}

int command_split(const char *s, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        int r;

        for (;;) {
                _cleanup_free_ char *word = NULL;

                s += strspn(s, WHITESPACE);
                if (!*s)
                        break;

                r = read_word(&s, &word);
                if (r < 0)
                        return r;
                r = strv_extend(&l, word);
                if (r < 0)
                        return r;
        }
        if (!l)
                return -EINVAL;

        *ret = TAKE_PTR(l);
        return 0;
}

static bool word_needs_quotes(const char *w) {
        return isempty(w) || w[strcspn(w, WHITESPACE "\"'\\")] != 0;
}

int command_join(char *const *argv, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        for (char *const *a = argv; a && *a; a++) {
                if (a != argv)
                        fputc(' ', f);
                if (!word_needs_quotes(*a)) {
                        fputs(*a, f);
                        continue;
                }
                fputc('"', f);
                for (const char *c = *a; *c; c++) {
                        if (IN_SET(*c, '"', '\\'))
                                fputc('\\', f);
                        fputc(*c, f);
                }
                fputc('"', f);
        }

        r = memstream_close(f);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(buf);
        return 0;
}

bool command_path_leaves_root(const char *path) {
        if (path[0] == '/')
                return true;

        for (const char *p = path; *p;) {
                size_t k = strcspn(p, "/");

                if (k == 2 && strncmp(p, "..", 2) == 0)
                        return true;
                p += k;
                p += strspn(p, "/");
        }
        return false;
}
