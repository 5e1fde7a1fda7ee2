/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers the daemon's bus objects share. */
#pragma once

#include <systemd/sd-bus.h>

/* Registers vtable for interface on every object below prefix: find maps a path to its object,
 * enumerate lists the paths (sysupdated's targets, logind's sessions). */
int bus_add_fallback_objects(sd_bus *bus, const char *prefix, const char *interface, const sd_bus_vtable *vtable,
                             sd_bus_object_find_t find, sd_bus_node_enumerator_t enumerate, void *userdata);

/* Starts the reply to call with an array of contents opened: the caller appends the elements, then
 * sends it with bus_reply_array_send(). */
int bus_reply_array_new(sd_bus_message *call, const char *contents, sd_bus_message **ret);
int bus_reply_array_send(sd_bus_message *reply);

/* Checks a descriptor a caller passed: a regular file, open for reading. what names it in errors
 * ("file to stage"). */
int bus_check_file_fd(int fd, const char *what, sd_bus_error *error);
