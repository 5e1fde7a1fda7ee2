/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Toolchain policies, and the one decision that combines them with the module update policy. */
#include <stdlib.h>

#include "go-module.h"
#include "macro.h"
#include "string-table.h"
#include "toolchain-policy.h"
#include "version.h"

static const char *const toolchain_policy_table[_TOOLCHAIN_POLICY_MAX] = {
        [TOOLCHAIN_POLICY_FOLLOW]    = "follow",
        [TOOLCHAIN_POLICY_SUPPORTED] = "supported",
        [TOOLCHAIN_POLICY_PATCH]     = "patch",
        [TOOLCHAIN_POLICY_MINOR]     = "minor",
        [TOOLCHAIN_POLICY_MANUAL]    = "manual",
};

DEFINE_STRING_TABLE_LOOKUP(toolchain_policy, ToolchainPolicy)

/* The newest release in toolchains; with like set, only among those of like's minor release (or,
 * with same_major, of like's major version). */
static const char *newest_release(char *const *toolchains, const char *like, bool same_major) {
        const char *best = NULL;

        for (char *const *t = toolchains; t && *t; t++) {
                if (!go_version_is_release(*t))
                        continue;
                if (like && !same_major && !go_version_same_minor(*t, like))
                        continue;
                /* Go has had one major version so far; go2 would be a new language, not an update. */
                if (like && same_major && go_version_compare(*t, "go2") >= 0 && go_version_compare(like, "go2") < 0)
                        continue;
                if (!best || go_version_compare(*t, best) > 0)
                        best = *t;
        }

        return best;
}

int toolchain_policy_choose(ToolchainPolicy p, const char *running, char *const *toolchains,
                            bool module_update, const char **ret) {
        const char *newest, *target;
        bool supported;

        if (p < 0 || p >= _TOOLCHAIN_POLICY_MAX)
                return -EINVAL;

        newest = newest_release(toolchains, NULL, false);

        /* A first install takes the newest toolchain under every policy: there is nothing to keep. */
        if (!running) {
                if (!newest)
                        return -ENOENT;
                *ret = newest;
                return 1;
        }
        if (!go_version_is_valid(running))
                return -EINVAL;

        supported = go_version_supported(running, toolchains);

        switch (p) {
        case TOOLCHAIN_POLICY_FOLLOW:
                target = !supported || module_update ? newest : newest_release(toolchains, running, false);
                break;
        case TOOLCHAIN_POLICY_SUPPORTED:
                target = !supported ? newest : newest_release(toolchains, running, false);
                break;
        case TOOLCHAIN_POLICY_PATCH:
                target = newest_release(toolchains, running, false);
                break;
        case TOOLCHAIN_POLICY_MINOR:
                target = newest_release(toolchains, running, true);
                break;
        default:
                target = NULL;
        }

        if (!target || go_version_compare(target, running) <= 0) {
                *ret = running;
                return 0;
        }

        *ret = target;
        return 1;
}

void go_build_choice_done(GoBuildChoice *c) {
        if (!c)
                return;

        free(c->module_version);
        free(c->go_version);
        free(c->version);
        *c = (GoBuildChoice) {};
}

/* Whether any bad build is of module version m (with whatever toolchain), or m itself is listed. */
static bool module_version_is_bad(const char *m, char *const *bad) {
        for (char *const *b = bad; b && *b; b++) {
                _cleanup_free_ char *bm = NULL;

                if (streq(*b, m))
                        return true;
                if (go_build_version_parse(*b, &bm, NULL) >= 0 && streq(bm, m))
                        return true;
        }
        return false;
}

static int choice_set(GoBuildChoice *c, const char *module_version, const char *go_version, bool rebuild) {
        _cleanup_(go_build_choice_done) GoBuildChoice n = { .rebuild = rebuild };
        int r;

        n.module_version = strdup(module_version);
        n.go_version = strdup(go_version);
        if (!n.module_version || !n.go_version)
                return -ENOMEM;

        r = go_build_version_format(module_version, go_version, &n.version);
        if (r < 0)
                return r;

        *c = n;
        n = (GoBuildChoice) {};
        return 0;
}

/* The toolchain for module version m (a module update when it differs from the current one), and
 * the choice built from both; nothing when it would be the current build, or (with skip_bad) a build
 * that failed. */
static int choose_toolchain_for(const GoBuildContext *ctx, const char *cur_module, const char *cur_go,
                                const char *m, bool skip_bad, GoBuildChoice *ret) {
        _cleanup_(go_build_choice_done) GoBuildChoice c = {};
        bool module_update = !streq_ptr(m, cur_module);
        const char *go;
        int r;

        r = toolchain_policy_choose(ctx->toolchain_policy, cur_go, ctx->toolchains, module_update, &go);
        if (r < 0)
                return r;
        if (r == 0 && !module_update)
                return 0;  /* the running build is what the policies want */

        r = choice_set(&c, m, go, !module_update);
        if (r < 0)
                return r;

        for (char *const *b = ctx->bad; skip_bad && b && *b; b++)
                if (streq(*b, c.version))
                        return 0;

        *ret = c;
        c = (GoBuildChoice) {};
        return 0;
}

int go_build_choose(const GoBuildContext *ctx, GoBuildChoice *ret) {
        _cleanup_free_ char *cur_module = NULL, *cur_go = NULL, *pin_module = NULL, *pin_go = NULL;
        _cleanup_free_ const char **eligible = NULL;
        GoBuildChoice c = {};
        size_t n = 0;
        const char *m;
        int r;

        if (ctx->current && go_build_version_parse(ctx->current, &cur_module, &cur_go) < 0) {
                /* Not a build upkeep made: no telling what an update would be. */
                *ret = c;
                return 0;
        }

        if (ctx->pinned) {
                if (go_build_version_parse(ctx->pinned, &pin_module, &pin_go) >= 0) {
                        /* An exact build: as pinned, unless it is what runs. */
                        if (!streq_ptr(ctx->pinned, ctx->current)) {
                                r = choice_set(&c, pin_module, pin_go, streq_ptr(pin_module, cur_module));
                                if (r < 0)
                                        return r;
                        }
                        *ret = c;
                        return 0;
                }
                if (!go_module_version_is_valid(ctx->pinned))
                        return -EINVAL;

                /* An operator's pin is taken even if it failed before, as for channel releases. */
                r = choose_toolchain_for(ctx, cur_module, cur_go, ctx->pinned, /* skip_bad= */ false, &c);
                if (r < 0)
                        return r;
                *ret = c;
                return 0;
        }

        for (char *const *v = ctx->module_versions; v && *v; v++)
                n++;
        eligible = calloc(n ?: 1, sizeof(char *));
        if (!eligible)
                return -ENOMEM;
        n = 0;
        for (char *const *v = ctx->module_versions; v && *v; v++)
                if (go_module_version_is_valid(*v) && !module_version_is_bad(*v, ctx->bad))
                        eligible[n++] = *v;

        /* Without a module update, the question left is whether to rebuild the current one. */
        m = update_policy_latest_allowed(ctx->policy, cur_module, eligible, n, NULL) ?: cur_module;
        if (m) {
                r = choose_toolchain_for(ctx, cur_module, cur_go, m, /* skip_bad= */ true, &c);
                if (r < 0)
                        return r;
        }

        *ret = c;
        return 0;
}
