/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which build of a Go app to take next: the module version (Policy=, as for any app) and the Go
 * toolchain to build it with (ToolchainPolicy=). A Go app is rebuilt not only for new releases of
 * its own code but also for new toolchains, which carry the security fixes of the standard library
 * it is linked with. Pure logic. */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "policy.h"

typedef enum ToolchainPolicy {
        TOOLCHAIN_POLICY_FOLLOW,     /* newest toolchain for module updates; rebuild for a new patch
                                      * release of the running minor, or when it leaves support */
        TOOLCHAIN_POLICY_SUPPORTED,  /* like follow, but stay on the running minor release (taking its
                                      * newest patch) until it leaves support */
        TOOLCHAIN_POLICY_PATCH,      /* newer patch releases of the running minor only */
        TOOLCHAIN_POLICY_MINOR,      /* newer minor releases too */
        TOOLCHAIN_POLICY_MANUAL,     /* never change the toolchain on its own */
        _TOOLCHAIN_POLICY_MAX,
        _TOOLCHAIN_POLICY_INVALID = -EINVAL,
} ToolchainPolicy;

const char *toolchain_policy_to_string(ToolchainPolicy p);
ToolchainPolicy toolchain_policy_from_string(const char *s);

/* The Go version to build with under policy p. running: the Go version of the running build (NULL
 * when nothing is installed). toolchains: the known Go versions for this platform (any order;
 * pre-releases and invalid entries are never chosen). module_update: a new module version is being
 * built (otherwise the question is whether to rebuild the running module version).
 *
 * Returns 1 with *ret pointing at the chosen entry of toolchains when a toolchain other than the
 * running one should be used, 0 with *ret = running when the running toolchain stays (and, without
 * a module update, nothing needs building), and -ENOENT when nothing is installed and no release
 * toolchain is known. The choice is never older than running: a list that lags behind never
 * downgrades a build. */
int toolchain_policy_choose(ToolchainPolicy p, const char *running, char *const *toolchains,
                            bool module_update, const char **ret);

typedef struct GoBuildContext {
        UpdatePolicy policy;                /* for module versions */
        ToolchainPolicy toolchain_policy;
        const char *current;                /* running build "<module version>+<go version>", NULL = none */
        char *const *module_versions;       /* the module's versions from the proxy, any order */
        char *const *toolchains;            /* Go versions for this platform, any order */
        char *const *bad;                   /* builds that failed their trial; NULL-terminated, may be NULL */
        const char *pinned;                 /* a module version, or an exact build, or NULL */
} GoBuildContext;

typedef struct GoBuildChoice {
        char *module_version;   /* NULL: nothing to build */
        char *go_version;
        char *version;          /* module_version + go_version, as staged */
        bool rebuild;           /* same module version as current, another toolchain */
} GoBuildChoice;

void go_build_choice_done(GoBuildChoice *c);

/* What to build next. The module version is the pinned one when pinned (a pinned exact build is
 * taken as is), otherwise the newest the update policy allows over the current module version;
 * without one, the current module version is rebuilt when the toolchain policy asks for another
 * toolchain. A module version that failed its trial with any toolchain is not chosen again, and
 * neither is an exact build that failed. ret->module_version is NULL when there is nothing to build
 * (also when the current build cannot be read: an operator decides then). -ENOENT when a build is
 * wanted but no toolchain is known to build it with, -EINVAL for an invalid pin. */
int go_build_choose(const GoBuildContext *ctx, GoBuildChoice *ret);
