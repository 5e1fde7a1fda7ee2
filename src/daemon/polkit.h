/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking polkit whether the sender of a method call may do something, without blocking the event
 * loop: the question goes out asynchronously and the method continues in a callback when polkit
 * answers (after the user typed a password, if the call allowed interactive authorization). */
#pragma once

#include <systemd/sd-bus.h>

/* Runs when the caller is authorized; its return value and error become the method's reply if it
 * did not reply itself (< 0 or a set error → error reply). */
typedef int (*polkit_continue_t)(sd_bus_message *call, void *userdata, sd_bus_error *error);

/* Checks action for the sender of call, with details (NULL-terminated key, value, … list) that
 * polkit rules can match on. root is authorized at once. Returns 1 when the check went out or the
 * continuation already ran; the caller's method handler then returns that 1 and sends no reply
 * itself. Returns < 0 if the check could not be started. */
int polkit_check_async(sd_bus_message *call, const char *action, const char *const *details,
                       polkit_continue_t cont, void *userdata, sd_bus_error *error);

/* "Check polkit, then act", as every guarded method does: call is rewound, so that act reads the
 * arguments afresh (a descriptor among them belongs to the message), and action checked for its sender
 * as polkit_check_async() does; act runs once authorized. Returns what the method handler returns. */
int bus_verify_then(sd_bus_message *call, const char *action, const char *const *details,
                    polkit_continue_t act, void *userdata, sd_bus_error *error);

/* Inside a continuation: the value of the detail key that polkit was asked about (for root, who is
 * not asked, the details that would have been passed), or NULL. What a rule saw, so that the
 * continuation can refuse to act on anything else. */
const char *polkit_detail(const char *key);

/* The number of checks waiting for polkit's answer (the daemon is not idle while there are any). */
unsigned polkit_pending(void);
