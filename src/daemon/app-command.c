/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "app-command.h"
#include "app.h"
#include "command.h"
#include "macro.h"
#include "manager.h"
#include "stage.h"
#include "strv.h"
#include "transient.h"

/* The value of key in settings (KEY, VALUE, … as TransientSpec.settings), or NULL. */
static char **settings_find(char **settings, const char *key) {
        for (char **kv = settings; kv && kv[0]; kv += 2)
                if (streq(kv[0], key))
                        return kv + 1;
        return NULL;
}

static int settings_set(char ***settings, const char *key, const char *value, bool list) {
        char **v = settings_find(*settings, key), *n;
        int r;

        if (!v) {
                r = strv_extend(settings, key);
                if (r < 0)
                        return r;
                return strv_extend(settings, value);
        }

        /* A list adds up, an empty assignment resets it; a single value is replaced. */
        if (list && !isempty(*v) && !isempty(value)) {
                if (asprintf(&n, "%s %s", *v, value) < 0)
                        return -ENOMEM;
        } else {
                n = strdup(value);
                if (!n)
                        return -ENOMEM;
        }
        free(*v);
        *v = n;
        return 0;
}

/* What a command inherits of the app's [Service] section: who the service runs as, its directories and
 * its sandboxing, so that a hook or a check (often the release's own binary) can do no more than the
 * service. With DynamicUser= and no User=, systemd names the dynamic user after the unit name's prefix
 * ("upkeep" for upkeep@NAME.service); the command's unit has another name, so it is told that one. */
static int app_command_settings(const App *a, char ***ret) {
        _cleanup_(strv_freep) char **settings = NULL;
        char **v, unit[256], *dot;
        int r;

        for (size_t i = 0; i < a->config->n_service_lines; i++) {
                const UnitLine *l = a->config->service_lines + i;

                if (!transient_setting_is_inherited(l->key))
                        continue;
                r = settings_set(&settings, l->key, l->value, transient_setting_is_list(l->key));
                if (r < 0)
                        return r;
        }

        /* An empty assignment resets: what is still empty is not passed at all. */
        for (size_t i = 0; settings && settings[i]; ) {
                if (isempty(settings[i + 1])) {
                        free(settings[i]);
                        free(settings[i + 1]);
                        memmove(settings + i, settings + i + 2, (strv_length(settings + i + 2) + 1) * sizeof(char *));
                } else
                        i += 2;
        }

        v = settings_find(settings, "DynamicUser");
        if (v && parse_boolean(*v) > 0 && !settings_find(settings, "User")) {
                (void) app_unit_name(a, unit, sizeof unit);
                unit[strcspn(unit, "@")] = 0;
                dot = strrchr(unit, '.');
                if (dot)
                        *dot = 0;
                r = settings_set(&settings, "User", unit, false);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(settings);
        return 0;
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
        _cleanup_(strv_freep) char **argv = NULL, **env = NULL, **settings = NULL;
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

        /* Unless the config says CommandsAsService=no: then as root, in upkeep's sandbox only. */
        if (a->config->commands_as_service) {
                r = app_command_settings(a, &settings);
                if (r < 0)
                        return r;
        }

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
                                .settings = settings,
                                .oneshot = true,
                                .timeout = hook ? APP_INSTALL_HOOK_TIMEOUT : APP_HEALTH_CHECK_TIMEOUT,
                                .sandbox = hook ? TRANSIENT_SANDBOX_HOOK : TRANSIENT_SANDBOX_CHECK,
                                /* Neither may touch upkeep's own state: the links, state.json. */
                                .read_only_paths = (char *const[]) { a->manager->state_dir, NULL },
                        },
                        done, userdata, ret);
}
