/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NAME.app a Go app starts its life with ("upkeepctl init go:MODULE/PATH"): its name, derived
 * from the package path, and the file's text. Pure logic: writing it is the caller's. */
#pragma once

#include "policy.h"
#include "toolchain-policy.h"

/* The app's StateDirectory= is this plus its name, so that no app name (go:…/dpkg, go:…/systemd)
 * makes systemd hand a directory of the system's to the app's dynamic user. */
#define APP_INIT_STATE_DIR_PREFIX "upkeep-app-"

typedef struct AppInit {
        const char *package;              /* MODULE/PATH, without "go:" */
        const char *name;                 /* the app's name */
        char *const *exec_args;           /* arguments of the program, may be NULL */
        UpdatePolicy policy;              /* _UPDATE_POLICY_INVALID: the default */
        ToolchainPolicy toolchain_policy; /* _TOOLCHAIN_POLICY_INVALID: the default */
        const char *go_proxy;             /* NULL: the default */
        const char *go_build;
        const char *go_build_key;
} AppInit;

/* A valid app name for a package: its last path element, or the one before a major version suffix
 * ("example.com/mod/v2" → "mod"), with the characters app names cannot hold replaced by '-'.
 * -EINVAL for an invalid package path or when nothing usable is left. */
int app_init_name(const char *package, char **ret);

/* One word of ExecStart=, quoted when needed, with '%' and '$' escaped so that systemd passes it on
 * as given. -EINVAL for control characters. */
int app_init_quote_arg(const char *arg, char **ret);

/* The text of NAME.app: [App] with Source=go:PACKAGE and Exec= running the binary named after the
 * app, the Go keys that were given, [Update] with the policies, and a [Service] that runs the app as
 * a dynamic user with a state directory of its own. -EINVAL for invalid fields. */
int app_init_format(const AppInit *init, char **ret);
