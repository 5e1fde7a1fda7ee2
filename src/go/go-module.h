/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Go module world as upkeep sees it from outside: module and package paths, the module proxy's
 * version lists (https://go.dev/ref/mod#goproxy-protocol), Go toolchain versions ("go1.21.5") and
 * which of them are still supported, and the version upkeep gives a build of a Go app
 * ("<module version>+<go version>"). Pure logic: the bytes come from the network elsewhere. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A larger @v/list body is refused before parsing (proxy.golang.org's longest lists are well below). */
#define GO_LIST_MAX_SIZE (1024U * 1024U)
/* Longer module or package paths are refused: they could not name anything real. */
#define GO_PATH_MAX 512U

/* The module whose version list says which Go toolchains exist. */
#define GO_TOOLCHAIN_MODULE "golang.org/toolchain"

/* A module path as the go command accepts it: slash-separated elements of ASCII letters, digits and
 * "-._~", none empty, "." or "..", none starting or ending with a dot; the first element a lower-case
 * host name with a dot; a trailing major version element "/vN" only for N >= 2. */
bool go_module_path_is_valid(const char *path);

/* A package path inside a module (what Source=go: names): like a module path, but any element may
 * be "vN" or start with a dot, and '+' is allowed in elements after the first. */
bool go_package_path_is_valid(const char *path);

/* The proxy protocol's case-escaped form of a module path: each upper-case letter becomes '!' and
 * the lower-case letter, so the path is safe on case-insensitive file systems. -EINVAL for an
 * invalid module path. */
int go_module_escape(const char *path, char **ret);

/* The module paths that may hold package_path, longest first: package_path itself and each of its
 * prefixes that is a valid module path ("example.com/a/cmd/x" → "example.com/a/cmd/x",
 * "example.com/a/cmd", "example.com/a", "example.com"). -EINVAL for an invalid package path. */
int go_module_root_candidates(const char *package_path, char ***ret);

/* Moves module to the front of roots (as go_module_root_candidates() returns them) when it is one of
 * them: the module a running build says it was built from is the first to ask about. Returns whether
 * it is one of them. */
bool go_module_roots_prefer(char **roots, const char *module);

/* A canonical module version as the go command writes it: semver with a leading "v", and no build
 * metadata other than "+incompatible". */
bool go_module_version_is_valid(const char *v);

/* The proxy's $module/@v/list body: one version per line. A body larger than GO_LIST_MAX_SIZE is
 * refused with -EFBIG; one with a NUL byte or any non-empty line that is not a canonical module
 * version with -EBADMSG (a proxy that lists garbage is not trusted for the rest either). Returns
 * the versions without repeats, newest first (an empty list when there are none). */
int go_version_list_parse(const char *text, size_t size, char ***ret);

/* The golang.org/toolchain module's @v/list body: entries "v0.0.1-go1.21.3.linux-amd64". Returns
 * the Go versions ("go1.21.3") for goos_goarch ("linux-amd64"), newest first, without repeats.
 * Errors as go_version_list_parse(); an entry for this platform whose Go version is not valid is
 * garbage too. -EINVAL for an invalid goos_goarch. */
int go_toolchain_list_parse(const char *text, size_t size, const char *goos_goarch, char ***ret);

/* A Go toolchain version: "go1", "go1.9", "go1.21.5", "go1.21rc1", "go1.9beta2". */
bool go_version_is_valid(const char *v);
/* A release rather than an alpha, beta or release candidate. False for invalid versions. */
bool go_version_is_release(const char *v);
/* Whether a and b are versions of the same minor release series (go1.21rc1 and go1.21.5 are). */
bool go_version_same_minor(const char *a, const char *b);

/* <0, 0, >0 like strcmp, in Go's order: go1.9 < go1.10, go1.21rc1 < go1.21.0, go1.21 == go1.21.0,
 * go1.21.9 < go1.22.0. An invalid version sorts before every valid one. */
int go_version_compare(const char *a, const char *b);

/* Whether v is a release of one of the two newest minor releases that have a release among known
 * (NULL-terminated; pre-releases in known do not make a minor release supported). */
bool go_version_supported(const char *v, char *const *known);

/* "<module version>+<go version>": "v0.3.1" and "go1.21.5" give "v0.3.1+go1.21.5"; a module version
 * "v2.0.0+incompatible" gives "v2.0.0+incompatible.go1.21.5", so the result is always a valid
 * semantic version. -EINVAL when either part is not valid. parse is the exact inverse and refuses
 * (-EINVAL) what format would not have produced. Either ret_ of parse may be NULL. */
int go_build_version_format(const char *module_version, const char *go_version, char **ret);
int go_build_version_parse(const char *s, char **ret_module_version, char **ret_go_version);

/* Orders builds: by module version, then by Go version, so a rebuild with a newer toolchain is newer
 * (version_compare() ignores build metadata and would call them equal). Anything that is not a
 * build version is compared by version_compare(). */
int go_build_version_compare(const char *a, const char *b);
