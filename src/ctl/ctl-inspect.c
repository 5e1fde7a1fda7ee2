/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inspect: how a Go program was built, read from the build info its linker left in it (what
 * `go version -m` shows), as text or JSON. Works on this machine alone, on any file. */
#include <fcntl.h>
#include <stdio.h>

#include "ctl-json.h"
#include "ctl.h"
#include "go-buildinfo.h"

/* Strings come from the file: control characters (C0, DEL, C1) are shown escaped, so a crafted
 * binary cannot move the cursor or forge lines. Everything else is valid UTF-8 already. */
static void print_escaped(const char *s) {
        for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
                if (*c == '\n')
                        fputs("\\n", stdout);
                else if (*c == '\t')
                        fputs("\\t", stdout);
                else if (*c < 0x20 || *c == 0x7f)
                        printf("\\x%02x", *c);
                else if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)
                        printf("\\u%04x", *++c);
                else
                        putchar(*c);
        }
}

/* An empty label continues the field above. */
static void print_label(const char *label) {
        printf("%12s%s", label, isempty(label) ? "  " : ": ");
}

/* "path version", and " => path version" when replaced. */
static void print_module(const GoModule *m) {
        print_escaped(m->path);
        if (!isempty(m->version)) {
                putchar(' ');
                print_escaped(m->version);
        }
        if (m->replace) {
                fputs(" => ", stdout);
                print_module(m->replace);
        }
}

static void print_buildinfo(const char *file, const GoBuildInfo *info) {
        const char *goos = go_buildinfo_setting(info, "GOOS"), *goarch = go_buildinfo_setting(info, "GOARCH");

        print_escaped(file);
        fputs(": ", stdout);
        print_escaped(info->go_version);
        putchar('\n');

        if (info->path) {
                print_label("Package");
                print_escaped(info->path);
                putchar('\n');
        }

        print_label("Module");
        if (info->main.path)
                print_module(&info->main);
        else
                /* Debian's own Go packages, for one, are built this way. */
                fputs("none (built outside module mode)", stdout);
        putchar('\n');
        if (info->main.sum) {
                print_label("Checksum");
                print_escaped(info->main.sum);
                putchar('\n');
        }

        if (goos && goarch) {
                print_label("Platform");
                print_escaped(goos);
                putchar('/');
                print_escaped(goarch);
                putchar('\n');
        }

        for (size_t i = 0; i < info->n_settings; i++) {
                print_label(i == 0 ? "Settings" : "");
                print_escaped(info->settings[i].key);
                putchar('=');
                print_escaped(info->settings[i].value);
                putchar('\n');
        }

        for (size_t i = 0; i < info->n_deps; i++) {
                print_label(i == 0 ? "Dependencies" : "");
                print_module(&info->deps[i]);
                putchar('\n');
        }
}

static int json_module(const GoModule *m, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL, *replace = NULL;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        if (m->replace && json_module(m->replace, &replace) < 0)
                return -ENOMEM;

        if (json_add_text(o, "path", m->path) < 0 ||
            json_add_text(o, "version", m->version) < 0 ||
            json_add_text(o, "sum", m->sum) < 0 ||
            json_add_value(o, "replace", TAKE_PTR(replace)) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}

/* The shape of Go's debug.BuildInfo, with upkeepctl's camelCase keys. */
static int json_buildinfo(const char *file, const GoBuildInfo *info, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL, *deps = NULL, *settings = NULL, *main_module = NULL;

        o = json_object_new_object();
        deps = json_object_new_array();
        settings = json_object_new_array();
        if (!o || !deps || !settings)
                return -ENOMEM;

        if (info->main.path && json_module(&info->main, &main_module) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < info->n_deps; i++) {
                json_object *d;

                if (json_module(&info->deps[i], &d) < 0)
                        return -ENOMEM;
                if (json_object_array_add(deps, d) < 0) {
                        json_object_put(d);
                        return -ENOMEM;
                }
        }

        for (size_t i = 0; i < info->n_settings; i++) {
                _cleanup_(json_object_putp) json_object *s = json_object_new_object();

                if (!s ||
                    json_add_text(s, "key", info->settings[i].key) < 0 ||
                    json_add_text(s, "value", info->settings[i].value) < 0 ||
                    json_object_array_add(settings, s) < 0)
                        return -ENOMEM;
                TAKE_PTR(s);
        }

        if (json_add_text(o, "file", file) < 0 ||
            json_add_text(o, "goVersion", info->go_version) < 0 ||
            json_add_text(o, "path", info->path) < 0 ||
            json_add_value(o, "main", TAKE_PTR(main_module)) < 0 ||
            json_add_value(o, "deps", TAKE_PTR(deps)) < 0 ||
            json_add_value(o, "settings", TAKE_PTR(settings)) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}

int verb_inspect(int argc, char *argv[]) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
        _cleanup_free_ char *reason = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *file = argv[1];
        int r;

        fd = open(file, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return ctl_log_error_errno(errno, "Failed to open %s: %m", file);

        r = go_buildinfo_read_fd(fd, GO_BUILDINFO_MAX_FILE_SIZE, &info, &reason);
        switch (r) {
        case 0:
                break;
        case -ENOEXEC:
        case -ENOMSG:
                return ctl_log_error_errno(r, "%s: %s.", file, strempty(reason));
        case -EBADMSG:
                return ctl_log_error_errno(r, "%s: cannot read its Go build info: %s.", file, strempty(reason));
        case -EISDIR:
                return ctl_log_error_errno(r, "%s is a directory, not a program.", file);
        case -EFBIG:
                return ctl_log_error_errno(r, "%s is larger than 2 GiB, too large to be a Go program.", file);
        default:
                return ctl_log_error_errno(r, "Failed to read %s: %m", file);
        }

        if (arg_json != JSON_OFF) {
                _cleanup_(json_object_putp) json_object *o = NULL;

                if (json_buildinfo(file, info, &o) < 0)
                        return log_oom();
                return json_print(o);
        }

        print_buildinfo(file, info);
        return 0;
}
