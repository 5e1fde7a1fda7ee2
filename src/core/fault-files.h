/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FaultFiles=: the app's files added to a fault report, found below its StateDirectory= and
 * LogsDirectory= without following a link the app may have planted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "app-config.h"
#include "fault.h"

/* Directory levels a FaultFiles= pattern may have. */
#define FAULT_GLOB_DEPTH_MAX 4U

/* A FaultFiles= pattern: a relative path whose components are fnmatch() patterns, at most
 * FAULT_GLOB_DEPTH_MAX of them, none empty, "." or "..". A hidden file matches only a component
 * that starts with '.', as in a shell. */
bool fault_glob_is_valid(const char *pattern);

/* Adds to *files the regular files below dir_fd (named dir_path in the report) matching pattern,
 * in name order: symbolic links are never followed (nor taken), nor files with more than one hard
 * link (one may name a file outside the app's directories), each file's last
 * FAULT_FILE_BYTES_MAX bytes at most, while *budget (bytes) and FAULT_FILES_MAX files last. */
int fault_files_collect_at(int dir_fd, const char *dir_path, const char *pattern, size_t *budget,
                           FaultFile **files, size_t *n_files);

/* The directories FaultFiles= looks in: each StateDirectory= (below /var/lib) and LogsDirectory=
 * (below /var/log) among an app's [Service] lines, in order, each once; values that are absolute or
 * lead elsewhere ("..") are skipped, as systemd refuses them. NULL when there is none. */
int fault_app_directories(const UnitLine *lines, size_t n_lines, char ***ret);
