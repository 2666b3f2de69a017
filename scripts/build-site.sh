#!/usr/bin/env bash
# Builds the site into site/ exactly as CI publishes it: strict (any warning fails), notebooks
# executed with the cache off. Run scripts/compile-examples.sh first to have the harness
# figures on "How this site is checked".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
export NO_MKDOCS_2_WARNING=1
unset BD_NOTEBOOK_CACHE
exec .venv/bin/mkdocs build --strict -d site "$@"
