/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command lines as upkeep's configs write them (InstallHook=, HealthCheck=, the Exec= of a transient
 * app's record): words separated by whitespace; double or single quotes group words with spaces; a
 * backslash outside single quotes takes the next character literally. upkeepd splits them itself
 * since it hands systemd an argument vector (StartTransientUnit), not a unit file line. */
#pragma once

#include <stdbool.h>

/* Splits s into words. -EINVAL for an unbalanced quote, a trailing backslash or no word at all. */
int command_split(const char *s, char ***ret);

/* Joins words into one line that command_split() turns back into the same words, quoting only the
 * words that need it. */
int command_join(char *const *argv, char **ret);

/* Whether the program of a command, a path relative to a release, would lead out of it: an absolute
 * path, or a ".." component. */
bool command_path_leaves_root(const char *path);
