#!/usr/bin/env bash
# Builds the site (notebooks executed) and serves it on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
exec .venv/bin/mkdocs serve -a 127.0.0.1:8000
