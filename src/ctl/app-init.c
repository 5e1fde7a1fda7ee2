/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The first NAME.app of a Go app: what "upkeepctl init" writes, readable by app_config_load() and
 * by an operator who edits it next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-config.h"
#include "app-init.h"
#include "fileio.h"
#include "go-module.h"
#include "macro.h"

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-"
#define SAFE_ARG_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,@+-"

static bool is_major_version_element(const char *e, size_t n) {
        return n >= 2 && e[0] == 'v' && strspn(e + 1, "0123456789") == n - 1;
}

int app_init_name(const char *package, char **ret) {
        const char *last, *end;
        char *name, *p;
        size_t n;

        if (!go_package_path_is_valid(package))
                return -EINVAL;

        end = package + strlen(package);
        last = strrchr(package, '/');
        last = last ? last + 1 : package;
        /* example.com/mod/v2 is "mod", major version 2. */
        if (is_major_version_element(last, (size_t) (end - last)) && last > package) {
                end = last - 1;
                last = end;
                while (last > package && last[-1] != '/')
                        last--;
        }

        /* Whatever an app name cannot start with goes; what it cannot hold becomes '-'. */
        while (last < end && strchr(".-~+", *last))
                last++;
        n = MIN((size_t) (end - last), (size_t) 200);
        if (n == 0)
                return -EINVAL;

        name = strndup(last, n);
        if (!name)
                return -ENOMEM;
        for (p = name; *p; p++)
                if (!strchr(NAME_CHARS, *p))
                        *p = '-';

        if (!app_name_is_valid(name)) {
                free(name);
                return -EINVAL;
        }

        *ret = name;
        return 0;
}

int app_init_quote_arg(const char *arg, char **ret) {
        bool quote = isempty(arg) || strspn(arg, SAFE_ARG_CHARS "%$") != strlen(arg);
        char *q, *p;

        for (const char *s = arg; *s; s++)
                if ((unsigned char) *s < ' ' || *s == 0x7f)
                        return -EINVAL;

        /* At worst every character doubles, plus the quotes. */
        q = malloc(2 * strlen(arg) + 3);
        if (!q)
                return -ENOMEM;

        p = q;
        if (quote)
                *p++ = '"';
        for (const char *s = arg; *s; s++) {
                if (*s == '%')
                        *p++ = '%';      /* a specifier otherwise */
                else if (*s == '$')
                        *p++ = '$';      /* an environment variable otherwise */
                else if (quote && IN_SET(*s, '"', '\\'))
                        *p++ = '\\';
                *p++ = *s;
        }
        if (quote)
                *p++ = '"';
        *p = 0;

        *ret = q;
        return 0;
}

static bool value_is_plain(const char *v) {
        for (const char *s = v; s && *s; s++)
                if ((unsigned char) *s <= ' ' || *s == 0x7f)
                        return false;
        return !v || *v;
}

int app_init_format(const AppInit *init, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        /* A value that would not read back as itself (a newline in a URL, say) is refused rather
         * than written. */
        if (!go_package_path_is_valid(init->package) || !app_name_is_valid(init->name) ||
            !value_is_plain(init->go_proxy) || !value_is_plain(init->go_build) || !value_is_plain(init->go_build_key) ||
            (init->policy >= 0 && !update_policy_to_string(init->policy)) ||
            (init->toolchain_policy >= 0 && !toolchain_policy_to_string(init->toolchain_policy)))
                return -EINVAL;

        {
                _cleanup_(fclosep) FILE *f = open_memstream(&text, &size);

                if (!f)
                        return -ENOMEM;

                fprintf(f,
                        "# Written by \"upkeepctl init go:%1$s\"; see upkeep.app(5). After editing, run\n"
                        "# \"systemctl daemon-reload\" so that the units follow.\n"
                        "[App]\n"
                        "Description=%1$s\n"
                        "Source=go:%1$s\n"
                        "# The release is the one binary, named after the app; arguments follow it.\n"
                        "Exec=%2$s",
                        init->package, init->name);
                for (char *const *a = init->exec_args; a && *a; a++) {
                        _cleanup_free_ char *q = NULL;

                        r = app_init_quote_arg(*a, &q);
                        if (r < 0)
                                return r;
                        fprintf(f, " %s", q);
                }
                fputc('\n', f);
                if (init->go_proxy)
                        fprintf(f, "GoProxy=%s\n", init->go_proxy);
                if (init->go_build)
                        fprintf(f, "GoBuild=%s\n", init->go_build);
                if (init->go_build_key)
                        fprintf(f, "GoBuildKey=%s\n", init->go_build_key);

                fprintf(f,
                        "\n[Update]\n"
                        "Policy=%s\n"
                        "ToolchainPolicy=%s\n",
                        update_policy_to_string(init->policy >= 0 ? init->policy : UPDATE_POLICY_PATCH),
                        toolchain_policy_to_string(init->toolchain_policy >= 0 ? init->toolchain_policy
                                                                               : TOOLCHAIN_POLICY_FOLLOW));

                fprintf(f,
                        "\n[Service]\n"
                        "# A user of its own for the app, made when it starts, and a state directory\n"
                        "# /var/lib/" APP_INIT_STATE_DIR_PREFIX "%1$s that survives updates. The prefix keeps\n"
                        "# an app named after a system directory (go:…/dpkg) from being handed it.\n"
                        "DynamicUser=yes\n"
                        "StateDirectory=" APP_INIT_STATE_DIR_PREFIX "%1$s\n",
                        init->name);

                if (fflush(f) != 0 || ferror(f))
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(text);
        return 0;
}
