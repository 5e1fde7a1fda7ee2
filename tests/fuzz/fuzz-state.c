/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: state.json of arbitrary bytes, as a corrupted disk or a crash could leave it.
 * app_state_from_json() must never crash or leak, and whatever it accepts must be written back by
 * app_state_to_json() and read again to the same JSON: a state that loads is a state that saves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tests.h"
#include "macro.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(app_state_freep) AppState *s = NULL, *again = NULL;
        _cleanup_free_ char *text = NULL, *json = NULL, *json_again = NULL;
        int r;

        if (size > STATE_MAX_SIZE)
                return 0;

        text = strndup((const char *) data, size);
        ASSERT_NOT_NULL(text);

        r = app_state_from_json(text, &s);
        if (r < 0) {
                ASSERT_NULL(s);
                return 0;
        }

        ASSERT_LE(s->n_history, STATE_HISTORY_MAX);
        ASSERT_OK(app_state_to_json(s, &json));
        ASSERT_OK(app_state_from_json(json, &again));
        ASSERT_OK(app_state_to_json(again, &json_again));
        ASSERT_STREQ(json, json_again);

        return 0;
}
