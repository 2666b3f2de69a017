#!/usr/bin/env bash
# Builds a free-threaded CPython (3.13.5, ./configure --disable-gil) from Debian trixie's
# python3.13 source package, fetched with the ordinary client (`apt-get source`), because no
# package registry ships a free-threaded binary. The build is cached under the user cache
# directory, keyed by the version and the configure flags, so a second run only checks it.
# Prints one progress line per phase. Then it builds the free-threaded witness (witness/pyo3_028_ft,
# PyO3 0.28.3 for cp313t) into a venv made from that interpreter (.build/ft-venv), and beside it
# witness/pyo3_028_ft_gil_used (a module declared `gil_used = true`: the GIL-enabled warning) and
# witness/pyo3_023_ft (PyO3 0.23.5, the first release that builds for a free-threaded Python).
# Without root or apt (outside CI): a loud message and exit 0 (the free-threaded witness tests then
# skip loudly). In CI (CI=true) any failure is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

VERSION=3.13.5
SUITE=trixie
CONFIGURE_FLAGS="--disable-gil --without-ensurepip"
KEY=$(printf '%s %s %s\n' "$VERSION" "$SUITE" "$CONFIGURE_FLAGS" | sha256sum | cut -c1-12)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bound_demo/cpython-${VERSION}t-$KEY
PREFIX=$CACHE/install
FT_PY=$PREFIX/bin/python3.13t
FT_VENV=$ROOT/.build/ft-venv

fail() {
  echo "build-free-threaded: $*" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "build-free-threaded: FREE-THREADED WITNESS NOT BUILT - tests/witness_ft will be skipped." >&2
  exit 0
}

phase_start=$(date +%s)
phase() { # Ends the previous phase (with its time) and names the next one.
  local now; now=$(date +%s)
  echo "build-free-threaded: [$(( now - phase_start ))s] $*"
  phase_start=$now
}
total_start=$(date +%s)

interpreter_ok() {
  [ -x "$FT_PY" ] && "$FT_PY" -c 'import sys, sysconfig
assert sys.version.startswith("'"$VERSION"'"), sys.version
assert sysconfig.get_config_var("Py_GIL_DISABLED") == 1
assert not sys._is_gil_enabled()' 2>/dev/null
}

fetch_source() {
  # Debian keeps the source of trixie's python3.13 in its archive; a deb-src line for that
  # suite is all `apt-get source` needs. The line is added once (as root).
  local list=/etc/apt/sources.list.d/bound-demo-trixie-src.sources
  if [ ! -f "$list" ]; then
    [ "$(id -u)" = 0 ] || fail "need root once to add a deb-src line for $SUITE ($list)"
    command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (a Debian-based system is needed)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$SUITE" >"$list"
    phase "apt-get update (added $list)"
    apt-get update -qq || fail "apt-get update failed"
  fi
  command -v dpkg-source >/dev/null 2>&1 || fail "dpkg-source missing (apt-get install dpkg-dev)"
  phase "apt-get source python3.13 ($VERSION, $SUITE) into $CACHE/src"
  rm -rf "$CACHE/src" && mkdir -p "$CACHE/src"
  # apt drops to its _apt user to download; the cache dir may not be writable by it, and
  # that only costs a warning, so downloads run unsandboxed.
  if ! (cd "$CACHE/src" && apt-get source -qq -o APT::Sandbox::User=root "python3.13/$SUITE" >../source.log 2>&1); then
    tail -20 "$CACHE/source.log" >&2
    fail "apt-get source python3.13 failed (log: $CACHE/source.log)"
  fi
  local dir; dir=$(find "$CACHE/src" -maxdepth 1 -type d -name "python3.13-*" | head -1)
  [ -n "$dir" ] && [ -f "$dir/configure" ] || fail "no python3.13 source tree in $CACHE/src"
  grep -q "PY_VERSION *\"$VERSION\"" "$dir/Include/patchlevel.h" || fail "source in $dir is not CPython $VERSION"
  echo "$dir" >"$CACHE/srcdir"
}

build_interpreter() {
  local dir; dir=$(cat "$CACHE/srcdir")
  mkdir -p "$CACHE/build"
  phase "configure $CONFIGURE_FLAGS --prefix=$PREFIX"
  (cd "$CACHE/build" && "$dir/configure" $CONFIGURE_FLAGS --prefix="$PREFIX" >../configure.log 2>&1) \
    || { tail -20 "$CACHE/configure.log" >&2; fail "configure failed (log: $CACHE/configure.log)"; }
  phase "make -j2"
  (cd "$CACHE/build" && nice -n 10 make -j2 >../make.log 2>&1) \
    || { tail -30 "$CACHE/make.log" >&2; fail "make failed (log: $CACHE/make.log)"; }
  phase "make install"
  (cd "$CACHE/build" && make install >../install.log 2>&1) \
    || { tail -20 "$CACHE/install.log" >&2; fail "make install failed (log: $CACHE/install.log)"; }
  interpreter_ok || fail "$FT_PY is not a free-threaded $VERSION"
  # The source and build trees are only needed for the build; the install is what we keep.
  rm -rf "$CACHE/build" "$CACHE/src"
}

if interpreter_ok; then
  phase "cached: $FT_PY"
else
  fetch_source
  build_interpreter
fi

# --- the free-threaded witness: PyO3 0.28.3 built for cp313t, installed in .build/ft-venv ---
command -v cargo >/dev/null 2>&1 || fail "cargo not found (install Rust to build the free-threaded witness)"
if [ ! -x "$FT_VENV/bin/python" ] || [ "$("$FT_VENV/bin/python" -c 'import sys; print(sys.base_prefix)')" != "$PREFIX" ]; then
  phase "venv $FT_VENV from $FT_PY"
  rm -rf "$FT_VENV"
  "$FT_PY" -m venv --without-pip "$FT_VENV" || fail "venv failed"
fi
MATURIN=$ROOT/.venv/bin/maturin
[ -x "$MATURIN" ] || fail ".venv/bin/maturin missing (run scripts/venv.sh)"
toolchain=$(rustc --version)
mkdir -p .build/stamps .build/wheels
stamp_sum() { # $1: the crate's directory under witness/
  { echo "$toolchain $FT_PY $KEY"; cat witness/shared/*.rs witness/$1/Cargo.toml witness/$1/src/*.rs
    [ -f witness/$1/build.rs ] && cat witness/$1/build.rs
    [ -f witness/$1/Cargo.lock ] && cat witness/$1/Cargo.lock; true; } | sha256sum | cut -d' ' -f1
}
build_module() { # $1: crate directory under witness/, $2: the Python module it builds
  local dir=$1 module=$2 stamp=.build/stamps/$2
  # Importing a `gil_used = true` module warns; the checks below only ask whether it imports.
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(stamp_sum "$dir")" ] && "$FT_VENV/bin/python" -W ignore -c "import $module" 2>/dev/null; then
    phase "cached: $module"
    return
  fi
  phase "maturin build $module (witness/$dir) for $FT_PY"
  rm -rf ".build/wheels/$module"
  if ! PYO3_PYTHON=$FT_PY CARGO_TARGET_DIR=$ROOT/.build/target-ft "$MATURIN" build --release -j 2 --quiet \
        -i "$FT_PY" -m "witness/$dir/Cargo.toml" -o ".build/wheels/$module" >".build/$module.log" 2>&1; then
    tail -30 ".build/$module.log" >&2
    fail "building $module failed (log: .build/$module.log)"
  fi
  # The venv has no pip; a wheel is a zip whose contents go straight into site-packages. Debian's
  # patched site.py looks in lib/python3.13/site-packages (no "t"), not where sysconfig says, so
  # the directory is the one `site` puts on sys.path.
  local site; site=$("$FT_VENV/bin/python" -c 'import site; print(site.getsitepackages()[0])')
  mkdir -p "$site"
  "$FT_PY" -m zipfile -e .build/wheels/$module/*.whl "$site" || fail "installing $module failed"
  "$FT_VENV/bin/python" -W ignore -c "import $module" || fail "$module does not import"
  stamp_sum "$dir" >"$stamp"
}
# The programs' witness (gil_used = false), and the module that shows what gil_used = true does.
build_module pyo3_028_ft bd_witness_028_ft
build_module pyo3_028_ft_gil_used bd_ft_gil_used
# PyO3 0.23.5, the first release that builds for a free-threaded Python.
build_module pyo3_023_ft bd_witness_023_ft
# The bound_demo package itself is pure Python: the runner puts the repository on sys.path.
phase "done in $(( $(date +%s) - total_start ))s: $FT_VENV/bin/python ($("$FT_VENV/bin/python" -c 'import sys; print(sys.version.split()[0], "GIL", "on" if sys._is_gil_enabled() else "off")'))"
