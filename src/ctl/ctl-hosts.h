/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hosts upkeepctl asks: -H given once or more, and --hosts-file=. Pure logic, no I/O:
 * tests/unit/test-ctl-hosts.c. */
#pragma once

#include <stdbool.h>

/* Whether S has the shape of a host as -H takes it, [USER@]HOST[:MACHINE] (what ssh and
 * sd_bus_open_system_remote() take): not empty, no whitespace or control characters, and no leading
 * "-" (which ssh would read as an option). */
bool host_is_valid(const char *s);

/* Appends a copy of HOST to *hosts, unless it is there already: a host given twice is asked once. */
int hosts_add(char ***hosts, const char *host);

/* Adds the hosts of TEXT, the contents of a hosts file, to *hosts (as hosts_add() does): one host per
 * line, surrounding blanks ignored, "#" starting a comment that runs to the end of the line, blank
 * lines skipped. -EINVAL when a line holds anything but one valid host, with its number (from 1) in
 * *ret_line; *hosts is then left as it was. */
int hosts_parse(const char *text, char ***hosts, unsigned *ret_line);
