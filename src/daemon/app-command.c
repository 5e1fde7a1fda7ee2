/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "app-command.h"
#include "app.h"
#include "command.h"
#include "macro.h"
#include "manager.h"
#include "stage.h"
#include "strv.h"

/* The last User= or Group= of the app's [Service] section, or NULL. */
static const char *service_setting(const App *a, const char *key) {
        const char *value = NULL;

        for (size_t i = 0; i < a->config->n_service_lines; i++)
                if (streq(a->config->service_lines[i].key, key))
                        value = a->config->service_lines[i].value;
        return isempty(value) ? NULL : value;
}

static int version_root(const App *a, const char *version, char **ret) {
        char *p;

        if (!version)
                p = strdup("");
        else if (asprintf(&p, "%s/apps/%s/" STAGE_VERSIONS_DIR "/%s", a->manager->state_dir, a->name, version) < 0)
                p = NULL;
        if (!p)
                return -ENOMEM;

        *ret = p;
        return 0;
}

static int add_env(char ***env, const char *name, const char *value) {
        _cleanup_free_ char *line = NULL;

        if (asprintf(&line, "%s=%s", name, strempty(value)) < 0)
                return -ENOMEM;
        return strv_extend(env, line);
}

int app_command_start(App *a, AppCommandKind kind, const char *command, const char *old_version,
                      const char *new_version, transient_done_t done, void *userdata, TransientUnit **ret) {
        _cleanup_free_ char *old_root = NULL, *new_root = NULL, *prefix = NULL, *description = NULL;
        _cleanup_(strv_freep) char **argv = NULL, **env = NULL;
        bool hook = kind == APP_COMMAND_INSTALL_HOOK;
        char unit[256];
        int r;

        r = command_split(command, &argv);
        if (r < 0)
                return r;

        r = version_root(a, old_version, &old_root);
        if (r < 0)
                return r;
        r = version_root(a, new_version, &new_root);
        if (r < 0)
                return r;

        if (argv[0][0] != '/') {
                _cleanup_free_ char *program = NULL;

                /* Checked when the config was read; checked again, since it decides what runs. */
                if (command_path_leaves_root(argv[0]))
                        return -EINVAL;
                if (asprintf(&program, "%s/%s", new_root, argv[0]) < 0)
                        return -ENOMEM;
                free(argv[0]);
                argv[0] = TAKE_PTR(program);
        }

        (void) app_unit_name(a, unit, sizeof unit);
        if ((r = add_env(&env, "UPKEEP_APP", a->name)) < 0 ||
            (r = add_env(&env, "UPKEEP_UNIT", unit)) < 0 ||
            (r = add_env(&env, "UPKEEP_OLD_VERSION", old_version)) < 0 ||
            (r = add_env(&env, "UPKEEP_NEW_VERSION", new_version)) < 0 ||
            (r = add_env(&env, "UPKEEP_OLD_ROOT", old_root)) < 0 ||
            (r = add_env(&env, "UPKEEP_NEW_ROOT", new_root)) < 0)
                return r;

        if (asprintf(&prefix, "upkeep-%s-%s", hook ? "hook" : "health", a->name) < 0) {
                prefix = NULL;
                return -ENOMEM;
        }
        if (asprintf(&description, "%s of %s %s (upkeep): %s", hook ? "Install hook" : "Health check",
                     a->name, new_version, command) < 0) {
                description = NULL;
                return -ENOMEM;
        }

        return transient_start(a->manager, &(TransientSpec) {
                                .name_prefix = prefix,
                                .description = description,
                                .argv = argv,
                                .expand_environment = true,
                                .environment = env,
                                .working_directory = new_root,
                                .user = service_setting(a, "User"),
                                .group = service_setting(a, "Group"),
                                .oneshot = true,
                                .timeout = hook ? APP_INSTALL_HOOK_TIMEOUT : APP_HEALTH_CHECK_TIMEOUT,
                                .sandbox = hook ? TRANSIENT_SANDBOX_HOOK : TRANSIENT_SANDBOX_CHECK,
                                /* Neither may touch upkeep's own state: the links, state.json. */
                                .read_only_paths = (char *const[]) { a->manager->state_dir, NULL },
                        },
                        done, userdata, ret);
}
