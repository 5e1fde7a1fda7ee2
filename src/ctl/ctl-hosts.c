/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hosts upkeepctl asks: checking a host's shape, and reading a hosts file. */
#include <errno.h>
#include <string.h>

#include "ctl-hosts.h"
#include "macro.h"
#include "strv.h"

#define BLANKS " \t\r"

bool host_is_valid(const char *s) {
        if (isempty(s) || s[0] == '-')
                return false;

        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

int hosts_add(char ***hosts, const char *host) {
        if (strv_contains(*hosts, host))
                return 0;
        return strv_extend(hosts, host);
}

int hosts_parse(const char *text, char ***hosts, unsigned *ret_line) {
        _cleanup_(strv_freep) char **parsed = NULL;
        unsigned line = 0;
        int r;

        /* Into a list of its own first, so a bad line leaves *hosts as it was. */
        for (const char *p = text; *p; ) {
                size_t n = strcspn(p, "\n"), len;
                _cleanup_free_ char *host = NULL;
                const char *start = p;

                line++;
                p += n + (p[n] == '\n');

                len = strcspn(start, "#\n");
                host = strndup(start, len);
                if (!host)
                        return -ENOMEM;

                /* Trim the blanks around it; whatever stays must be one host. */
                char *b = host + strspn(host, BLANKS), *e = b + strlen(b);
                while (e > b && strchr(BLANKS, e[-1]))
                        e--;
                *e = 0;
                if (isempty(b))
                        continue;

                if (!host_is_valid(b)) {
                        if (ret_line)
                                *ret_line = line;
                        return -EINVAL;
                }

                r = hosts_add(&parsed, b);
                if (r < 0)
                        return r;
        }

        for (char **h = parsed; h && *h; h++) {
                r = hosts_add(hosts, *h);
                if (r < 0)
                        return r;
        }
        return 0;
}
