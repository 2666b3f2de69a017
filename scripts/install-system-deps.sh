#!/usr/bin/env bash
# Debian packages the tests need: graphviz (the `dot` binary) and chromium (browser tests).
# As root we install what is missing; otherwise we say what to install. In CI a missing
# tool is a failure, never a skip.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "bound_demo: missing Debian packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
  [ "${CI:-}" = true ] && exit 1
fi
