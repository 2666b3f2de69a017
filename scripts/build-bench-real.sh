#!/usr/bin/env bash
# Builds the real-PyO3 benchmark extensions (bench_real/pyo3_*) in release mode and installs them
# into .venv with maturin. Idempotent: a crate is rebuilt only when its sources, its lock file or
# the venv's Python changed, so a second run takes about a second.
# In CI (CI=true) a missing toolchain or a failed build fails the run; elsewhere it warns loudly
# and exits 0, and tests/bench_real skips with the same message.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${BENCH_REAL_JOBS:-2}          # the machine has 2 cores shared with other builds
target=.build/target-bench          # one target dir for all versions; pyo3 versions never clash
py=.venv/bin/python

fail() {
  echo "bound_demo bench_real: $*" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "bound_demo bench_real: NOT BUILT - tests/bench_real will be skipped" >&2
  exit 0
}

command -v cargo >/dev/null 2>&1 || fail "cargo not found (install Rust to build bench_real)"
[ -x "$py" ] || fail ".venv missing (run scripts/venv.sh first)"
maturin=.venv/bin/maturin
[ -x "$maturin" ] || maturin=$(command -v maturin || true)
[ -n "$maturin" ] || fail "maturin not found"

mkdir -p "$target"
pyver=$("$py" -c 'import sys; print(sys.version)')
# Everything that decides the binary: sources (including the shared GIL-ref file), manifests,
# lock file, the interpreter it is built for.
inputs_sum() {
  { cat "$1/Cargo.toml" "$1/pyproject.toml" "$1"/src/*.rs bench_real/*.rs
    [ -f "$1/Cargo.lock" ] && cat "$1/Cargo.lock"
    echo "$pyver"; } | sha256sum | cut -d' ' -f1
}
for dir in bench_real/pyo3_*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  mod=bench_$name
  sum=$(inputs_sum "$dir")
  stamp=$target/stamp-$name
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && "$py" -c "import $mod" 2>/dev/null; then
    continue
  fi
  echo "bench_real: building $name (release, -j $jobs)"
  locked=()
  [ -f "$dir/Cargo.lock" ] && locked=(--locked)   # the committed lock pins every dependency
  if ! VIRTUAL_ENV="$PWD/.venv" "$maturin" develop --release -q -j "$jobs" "${locked[@]}" \
        --target-dir "$target" -m "$dir/Cargo.toml" >"$target/build-$name.log" 2>&1; then
    tail -n 30 "$target/build-$name.log" >&2
    fail "build of $name failed (log: $target/build-$name.log)"
  fi
  inputs_sum "$dir" > "$stamp"   # after the build: a first build writes Cargo.lock
done
