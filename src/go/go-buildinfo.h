/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The build information the Go linker leaves in every Go program (what `go version -m` shows): the
 * Go version, the main package, the main module and its dependencies, and the build settings, read
 * from an ELF executable. Pure logic over bytes; the executable is untrusted input. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The fd reader refuses larger files; real Go programs stay far below. */
#define GO_BUILDINFO_MAX_FILE_SIZE (UINT64_C(2) << 30)

typedef struct GoModule {
        char *path;
        char *version;          /* "v1.4.2", "(devel)"; "" for a directory replacement */
        char *sum;              /* "h1:…", or NULL when the module info has none */
        struct GoModule *replace;  /* the "=>" line after this module, or NULL */
} GoModule;

typedef struct GoBuildSetting {
        char *key;              /* "GOOS", "-trimpath", "vcs.revision", … */
        char *value;            /* unquoted; may be "" */
} GoBuildSetting;

typedef struct GoBuildInfo {
        char *go_version;       /* "go1.19.8": never NULL nor empty */
        char *path;             /* the main package, or NULL (built outside module mode) */
        GoModule main;          /* main.path NULL when there is no "mod" line */
        GoModule *deps;
        size_t n_deps;
        GoBuildSetting *settings;  /* in the order the binary lists them */
        size_t n_settings;
} GoBuildInfo;

GoBuildInfo *go_buildinfo_free(GoBuildInfo *info);
static inline void go_buildinfo_freep(GoBuildInfo **info) {
        go_buildinfo_free(*info);
}

/* The value of build setting key (the last one if repeated), or NULL. */
const char *go_buildinfo_setting(const GoBuildInfo *info, const char *key);

/* Reads the build info of the ELF executable in data (32- or 64-bit, either byte order): from its
 * .go.buildinfo section, or, when it has no section headers, from the first 16-byte aligned build
 * info header in its writable data segments. Decodes both the go1.18+ layout (strings inline) and the
 * older one (pointers to Go string headers, resolved through the program headers). Every offset,
 * size and pointer is checked against data. Returns:
 *   0         success, *ret set;
 *   -ENOEXEC  not an ELF file;
 *   -ENOMSG   an ELF file without Go build info (not a Go program);
 *   -EBADMSG  a truncated or malformed ELF file or build info;
 *   -ENOMEM.
 * On -ENOEXEC, -ENOMSG and -EBADMSG, *ret_reason (if not NULL) is set to a malloc'd sentence saying
 * what is wrong ("section header table at offset 0x2fe8 ends past the end of the file (12288 bytes):
 * the file is truncated"). */
int go_buildinfo_parse(const void *data, size_t size, GoBuildInfo **ret, char **ret_reason);

/* go_buildinfo_parse() on the file open at fd: a regular file is mapped, anything else (a pipe) read.
 * Also -EFBIG beyond max_size, -EISDIR for a directory, and read errors. */
int go_buildinfo_read_fd(int fd, uint64_t max_size, GoBuildInfo **ret, char **ret_reason);
