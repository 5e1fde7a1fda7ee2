/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* polkit's text agent (pkttyagent), so that a user who may act after typing a password is asked for
 * it on the terminal rather than refused. */
#pragma once

/* Starts the agent when it can be of use: a password may be asked (no --no-ask-password), the bus is
 * local (no --host), stdin is a terminal, and we are not root (upkeepd authorizes root without polkit).
 * Failing to start it is not an error: the call then simply needs no password, or is refused. */
void polkit_agent_open_if_enabled(void);
void polkit_agent_close(void);
