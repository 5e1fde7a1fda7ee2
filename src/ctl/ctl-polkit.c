/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs pkttyagent beside upkeepctl for as long as a call may need authorization. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "ctl-polkit.h"
#include "ctl.h"

#define POLKIT_AGENT_BINARY "/usr/bin/pkttyagent"
#define POLKIT_AGENT_NOTIFY_FD 3

/* The agent's pid. File-local rather than passed around: there is one agent per process, and main()
 * must be able to stop it whatever verb started it. */
static pid_t agent_pid;

static void polkit_agent_exec(int notify_fd, pid_t parent) {
        char fd_str[16], pid_str[32];

        /* dup2() onto the fixed number clears O_CLOEXEC; when the pipe already has that number,
         * clear it by hand. */
        if (notify_fd == POLKIT_AGENT_NOTIFY_FD) {
                if (fcntl(notify_fd, F_SETFD, 0) < 0)
                        _exit(EXIT_FAILURE);
        } else if (dup2(notify_fd, POLKIT_AGENT_NOTIFY_FD) < 0)
                _exit(EXIT_FAILURE);

        (void) snprintf(fd_str, sizeof fd_str, "%d", POLKIT_AGENT_NOTIFY_FD);
        (void) snprintf(pid_str, sizeof pid_str, "%d", (int) parent);

        /* --fallback: a graphical agent already registered for the session keeps precedence. */
        execl(POLKIT_AGENT_BINARY, POLKIT_AGENT_BINARY,
              "--notify-fd", fd_str, "--fallback", "--process", pid_str, (char *) NULL);
        _exit(EXIT_FAILURE);
}

void polkit_agent_open_if_enabled(void) {
        int pipe_fds[2];
        pid_t parent = getpid(), pid;
        char c;

        if (agent_pid > 0 || !arg_ask_password || arg_host || geteuid() == 0 || !isatty(STDIN_FILENO))
                return;

        if (access(POLKIT_AGENT_BINARY, X_OK) < 0) {
                log_debug_errno(errno, "Cannot run %s, continuing without polkit agent: %m",
                                POLKIT_AGENT_BINARY);
                return;
        }

        if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
                log_debug_errno(errno, "Failed to create pipe for polkit agent, ignoring: %m");
                return;
        }

        pid = fork();
        if (pid < 0) {
                log_debug_errno(errno, "Failed to fork polkit agent, ignoring: %m");
                (void) close(pipe_fds[0]);
                (void) close(pipe_fds[1]);
                return;
        }
        if (pid == 0)
                polkit_agent_exec(pipe_fds[1], parent);

        agent_pid = pid;
        (void) close(pipe_fds[1]);

        /* The agent closes the notify fd once it is registered with polkit (or exits when it cannot
         * be): only then will polkit find it for the call that follows. */
        while (read(pipe_fds[0], &c, 1) < 0 && errno == EINTR)
                ;
        (void) close(pipe_fds[0]);
}

void polkit_agent_close(void) {
        if (agent_pid <= 0)
                return;

        (void) kill(agent_pid, SIGTERM);
        (void) kill(agent_pid, SIGCONT);
        while (waitpid(agent_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        agent_pid = 0;
}
