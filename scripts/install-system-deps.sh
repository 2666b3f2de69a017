#!/usr/bin/env bash
# Debian packages the tests need: graphviz (the `dot` binary), chromium (browser tests), and what
# building the free-threaded CPython needs.
# As root we install what is missing; otherwise we say what to install. In CI a missing
# tool is a failure, never a skip.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The free-threaded CPython build (scripts/build-free-threaded.sh): `apt-get source` unpacks with
# dpkg-source, and CPython's configure needs a compiler and the headers of its core modules.
command -v dpkg-source >/dev/null 2>&1 || need+=(dpkg-dev)
command -v gcc >/dev/null 2>&1 || need+=(build-essential)
for h in ffi.h zlib.h openssl/ssl.h; do
  [ -e "/usr/include/$h" ] || [ -n "$(find /usr/include -path "*/$h" -print -quit 2>/dev/null)" ] || case $h in
    ffi.h) need+=(libffi-dev) ;; zlib.h) need+=(zlib1g-dev) ;; openssl/ssl.h) need+=(libssl-dev) ;;
  esac
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "bound_demo: missing Debian packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
  [ "${CI:-}" = true ] && exit 1
fi
