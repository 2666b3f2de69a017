#!/usr/bin/env bash
# Builds every witness extension module (real PyO3 releases, see witness/README.md) with maturin
# and installs it into .venv. Idempotent: a module whose sources, lockfile, flags and toolchain
# are unchanged since its last install is skipped. Without Rust: a loud message and exit 0 (the
# witness tests then skip loudly); in CI (CI=true) a missing toolchain or a failed build fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python

fail() {
  echo "build-witness: $*" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "build-witness: WITNESS NOT BUILT - tests/witness will be skipped." >&2
  exit 0
}

command -v cargo >/dev/null 2>&1 || fail "cargo not found (install Rust from rustup to build the real-PyO3 witness)"
[ -x "$PY" ] || fail ".venv missing (run scripts/venv.sh)"
"$PY" -m maturin --version >/dev/null 2>&1 || fail "maturin missing in .venv (pip install -r requirements-dev.txt)"

export PYO3_PYTHON=$PY
mkdir -p .build/stamps .build/wheels
toolchain=$(rustc --version)

# directory  module  target dir  extra RUSTFLAGS (the rest of the row; "-" for none). A different
# RUSTFLAGS gets its own target dir, to avoid rebuild churn.
BUILDS=(
  "pyo3_020 bd_witness_020 target -"
  "pyo3_021 bd_witness_021 target -"
  "pyo3_022_gilrefs bd_witness_022_gilrefs target -"
  "pyo3_022_pyclone bd_witness_022_pyclone target -"
  "pyo3_023 bd_witness_023 target -"
  "pyo3_024 bd_witness_024 target -"
  "pyo3_025 bd_witness_025 target -"
  "pyo3_026 bd_witness_026 target -"
  "pyo3_027 bd_witness_027 target -"
  "pyo3_028 bd_witness_028 target -"
  "pyo3_029 bd_witness_029 target -"
  "pyo3_030 bd_witness_030 target -"
  "pyo3_022_nopool bd_witness_022_nopool target-nopool --cfg=pyo3_disable_reference_pool"
  "pyo3_029_nopool bd_witness_029_nopool target-nopool --cfg=pyo3_disable_reference_pool"
  "pyo3_029_leak bd_witness_029_leak target-leak --cfg=pyo3_disable_reference_pool --cfg=pyo3_leak_on_drop_without_reference_pool"
  "pyo3_030_nopool bd_witness_030_nopool target-nopool --cfg=pyo3_disable_reference_pool"
  "pyo3_030_leak bd_witness_030_leak target-leak --cfg=pyo3_disable_reference_pool --cfg=pyo3_leak_on_drop_without_reference_pool"
)

# Arguments, if any, name the directories to build (`scripts/build-witness.sh pyo3_030 pyo3_030_leak`),
# so one release can be rebuilt without visiting the others; no argument builds every row.
wanted=" $* "
for row in "${BUILDS[@]}"; do
  read -r dir module tdir flags <<<"$row"
  [ -d "witness/$dir" ] || continue
  [ "$wanted" = "  " ] || [[ "$wanted" == *" $dir "* ]] || continue
  [ "$flags" = - ] && flags=""
  # The stamp covers everything the module is built from (Cargo.lock once it exists: a fresh
  # crate gets one from its first build, so it is stamped after the build).
  stamp_sum() {
    { echo "$toolchain $flags"; cat witness/shared/*.rs witness/"$dir"/Cargo.toml witness/"$dir"/src/*.rs
      [ -f witness/"$dir"/Cargo.lock ] && cat witness/"$dir"/Cargo.lock; true; } | sha256sum | cut -d' ' -f1
  }
  sum=$(stamp_sum)
  stamp=.build/stamps/$module
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && "$PY" -c "import $module" 2>/dev/null; then
    continue
  fi
  echo "build-witness: building $module (witness/$dir)"
  start=$(date +%s)
  rm -rf ".build/wheels/$module"
  if ! CARGO_TARGET_DIR=$ROOT/.build/$tdir RUSTFLAGS="$flags" "$PY" -m maturin build --release -j 2 --quiet \
        -i "$PY" -m "witness/$dir/Cargo.toml" -o ".build/wheels/$module" >".build/$module.log" 2>&1; then
    tail -30 ".build/$module.log" >&2
    fail "building $module failed (log: .build/$module.log)"
  fi
  "$PY" -m pip install -q --no-deps --force-reinstall .build/wheels/"$module"/*.whl || fail "installing $module failed"
  stamp_sum >"$stamp"
  echo "build-witness: $module built in $(( $(date +%s) - start ))s"
done
