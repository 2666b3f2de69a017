#!/usr/bin/env bash
# Build stage: compile every Rust example of the site against the PyO3 release it names, and
# every API-timeline probe on both sides of its dates (tools/rustcheck). Writes
# .build/rustcheck/report.json for tests/site. Without cargo this is a loud skip, or, in CI
# (CI=true), a failure. Extra arguments go to the harness (--bless, --only v0.21.2, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m tools.rustcheck "$@"
