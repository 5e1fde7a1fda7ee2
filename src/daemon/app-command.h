/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands an app's config has upkeep run around a switch, each as a transient unit
 * (transient.h): install hooks (InstallHook=) before it, and a health check command (HealthCheck=)
 * during the trial. The switch is described in their environment: UPKEEP_APP, UPKEEP_UNIT,
 * UPKEEP_OLD_VERSION, UPKEEP_NEW_VERSION, UPKEEP_OLD_ROOT, UPKEEP_NEW_ROOT (the OLD ones empty on a
 * first install). A relative program is found inside the new release, which is also the working
 * directory. They run as the app's User=/Group= when its [Service] section sets them. */
#pragma once

#include "transient.h"
#include "upkeepd-forward.h"

typedef enum AppCommandKind {
        APP_COMMAND_INSTALL_HOOK,   /* bounded by APP_INSTALL_HOOK_TIMEOUT, may write data */
        APP_COMMAND_HEALTH_CHECK,   /* bounded by APP_HEALTH_CHECK_TIMEOUT, reads only */
} AppCommandKind;

/* Starts command (as the config writes it) for a switch of a from old_version (NULL: none) to
 * new_version, a staged version. done is called once, as transient_start() says. */
int app_command_start(App *a, AppCommandKind kind, const char *command, const char *old_version,
                      const char *new_version, transient_done_t done, void *userdata, TransientUnit **ret);
