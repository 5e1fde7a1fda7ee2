/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Update policies: which newer version an app may take without an operator. */
#include "macro.h"
#include "policy.h"
#include "string-table.h"
#include "version.h"

static const char *const update_policy_table[_UPDATE_POLICY_MAX] = {
        [UPDATE_POLICY_PATCH]  = "patch",
        [UPDATE_POLICY_MINOR]  = "minor",
        [UPDATE_POLICY_MAJOR]  = "major",
        [UPDATE_POLICY_MANUAL] = "manual",
};

DEFINE_STRING_TABLE_LOOKUP(update_policy, UpdatePolicy)

bool update_policy_allows(UpdatePolicy p, const char *current, const char *candidate) {
        _cleanup_(version_done) Version cur = {}, cand = {};

        if (p < 0 || p >= _UPDATE_POLICY_MAX || p == UPDATE_POLICY_MANUAL)
                return false;

        if (version_parse(candidate, &cand) < 0)
                return false;

        if (!current)
                return !cand.prerelease;

        /* An installed version we cannot read gives nothing to compare against: leave it to an
         * operator rather than guess. */
        if (version_parse(current, &cur) < 0)
                return false;

        if (version_compare(candidate, current) <= 0)
                return false;

        /* Someone running 2.0.0-rc.1 opted into that release's pre-releases, and nothing else. */
        if (cand.prerelease &&
            !(cur.prerelease && cur.major == cand.major && cur.minor == cand.minor && cur.patch == cand.patch))
                return false;

        switch (p) {
        case UPDATE_POLICY_PATCH:
                return cand.major == cur.major && cand.minor == cur.minor;
        case UPDATE_POLICY_MINOR:
                return cand.major == cur.major;
        case UPDATE_POLICY_MAJOR:
                return true;
        default:
                return false;
        }
}

static bool version_in_list(const char *v, const char *const *list) {
        if (!list)
                return false;

        /* By precedence, not by string, so "v1.2.3" marked bad also excludes "1.2.3". */
        for (const char *const *i = list; *i; i++)
                if (version_is_valid(*i) && version_compare(v, *i) == 0)
                        return true;

        return false;
}

const char *update_policy_latest_allowed(UpdatePolicy p, const char *current,
                                         const char *const *versions, size_t n,
                                         const char *const *bad) {
        const char *best = NULL;

        for (size_t i = 0; i < n; i++) {
                const char *v = versions[i];

                if (!v || !update_policy_allows(p, current, v) || version_in_list(v, bad))
                        continue;

                if (!best || version_compare(v, best) > 0)
                        best = v;
        }

        return best;
}
