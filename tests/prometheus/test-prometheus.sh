#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeep.prom passes promtool's lint, and the alerting rules parse and pass their unit tests.
#   test-prometheus.sh METRICS-SAMPLE RULES RULES-TEST
set -euo pipefail
sample=$1 rules=$2 rules_test=$3

if ! command -v promtool >/dev/null; then
        echo "skipped: promtool not found (Debian: prometheus)"
        exit 77
fi

echo "== promtool check metrics (upkeep.prom as upkeepd writes it)"
text=$("$sample")
# promtool exits 0 when it only has lint remarks: any output is a failure here.
lint=$(promtool check metrics <<<"$text" 2>&1) || { echo "$lint"; exit 1; }
if [ -n "$lint" ]; then
        echo "$lint"
        exit 1
fi
echo "no remarks on $(grep -c '^upkeep_' <<<"$text") samples"

echo "== promtool check rules"
promtool check rules "$rules"

# rule_files in the test file are relative to it: the rules in the source tree.
echo "== promtool test rules"
promtool test rules "$rules_test"
