/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the unit tests share, for the files they work on (linked into every unit test). They fail
 * the test (tests.h) rather than return errors. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tests.h"

/* Removes the directory at path (a test's mkdtemp() one) with everything in it, read-only trees
 * too. */
void test_tmpdir_remove(const char *path);

/* Creates parent/name, a directory that must not exist yet, and returns it opened. */
int test_open_fresh_dir(const char *parent, const char *name);

/* The number of entries in a directory, "." and ".." not counted. */
size_t test_count_entries(int dir_fd);

/* size bytes of deterministic, incompressible-looking content, different per seed, followed by a
 * NUL (not counted). Free it. */
char *test_make_content(size_t size, uint64_t seed);

/* Waits for the child pid and returns its exit status; a child killed by a signal (one whose
 * assertion failed: SIGABRT) fails the test, naming the signal. */
int test_wait_child(pid_t pid);

/* Waits for the child pid that ran the current case (test_case()): it passes with exit status 0, and
 * the case is skipped, saying why, when the child exited with EXIT_TEST_SKIP (test_skip_case() counts
 * in the test's own file, hence inline). */
static inline void test_wait_child_case(pid_t pid, const char *skip_reason) {
        int status = test_wait_child(pid);

        if (status == EXIT_TEST_SKIP) {
                test_skip_case("%s", skip_reason);
                return;
        }
        ASSERT_OK_ZERO(status);
}
