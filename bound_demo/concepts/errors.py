"""What goes wrong in the Rust a program stands for, as teaching errors.

`run()` never raises for these: it records a `TraceError` and stops, keeping every step
before it. Each constructor names the Rust rule in plain words and, where there is one, the
fix. Kinds (format v1): `compile_error`, `panic`, `abort`, `deadlock`, `unsound`, plus this
project's `exception` (a Python exception such as IndexError reaching Rust as a `PyErr`) and,
on free-threaded builds, `hang` (a stop-the-world pause that never completes).
"""

from __future__ import annotations


class TraceError:
    """Why a program stopped: `.kind`, `.op_path`, `.message`, and `.step` (its index)."""

    def __init__(self, kind, op_path, message, step=None):
        self.kind, self.op_path, self.message, self.step = kind, op_path, message, step

    def to_dict(self):
        return {"kind": self.kind, "op_path": self.op_path, "message": self.message, "step": self.step}

    def __repr__(self):
        return f"TraceError({self.kind!r}, {self.op_path!r}, {self.message!r})"


class RustError(Exception):
    """Raised inside the interpreter; turned into `trace.error`."""

    def __init__(self, kind, message, code=None):
        super().__init__(message)
        self.kind, self.message, self.code = kind, message, code


def compile_error(message, code=None):
    prefix = f"error[{code}]: " if code else "compile error: "
    return RustError("compile_error", prefix + message, code)


def use_after_move(name, where):
    return compile_error(
        f"use of moved value `{name}`. `{name}` was moved at {where} (Rust moves an owned "
        f"handle when you pass it by value). Fix: clone it first (`{name}.clone()`, or "
        f"`clone_ref(py)` for a Py) or pass a reference (`&{name}`).", "E0382")


def borrow_outlived(name, src, where):
    return compile_error(
        f"`{name}` borrows from `{src}`, but `{src}` was moved or dropped at {where} while the "
        f"borrow was still in use (a borrow cannot outlive what it borrows from). Fix: keep "
        f"`{src}` alive while `{name}` is used, or take an owned handle (`.to_owned()`, "
        f"`.clone()`).", "E0505")


def lifetime_escape(name, kind, block):
    """A handle tied to `'py` leaving its block. rustc words it by how the block is written
    (checked in witness/compile_fail/): a value returned from a closure (`with_gil`, `attach`,
    `with_pool`) is "lifetime may not live long enough", with no error code; a GIL ref taken
    from the pool of `new_pool` borrows that `GILPool` guard, so it is E0597."""
    fix = (f"Fix: return an owned, GIL-independent `Py<T>` instead (`.unbind()`, or "
           f"`.into()`/`into_py(py)` for a GIL ref) and re-bind it later with `.bind(py)`.")
    if block == "new_pool":
        return compile_error(
            f"`pool` does not live long enough: `{name}` is a {kind} that borrows the `GILPool` "
            f"created by `new_pool`, and the pool is dropped at the end of its block while "
            f"`{name}` would still be in use. {fix}", "E0597")
    return compile_error(
        f"lifetime may not live long enough: `{name}` is a {kind} tied to the `'py` lifetime "
        f"of this `{block}` closure, so the closure cannot return it. {fix}")


def not_send(name, kind, where):
    return compile_error(
        f"`{name}` is a {kind}, which is not `Send`: it is tied to a thread that holds the GIL, "
        f"so it cannot be used inside `{where}`. Fix: turn it into a `Py<T>` first "
        f"(`.unbind()` / `into_py(py)`), move that in, and bind it again where the GIL is "
        f"held.", "E0277")


def no_token(what):
    return compile_error(
        f"`{what}` needs a `Python<'py>` token, and there is none here (no GIL is held by this "
        f"code: outside `with_gil`/`attach`, or inside `allow_threads`/`detach`). Fix: wrap "
        f"the code in `Python::with_gil(|py| ...)` (0.26+: `Python::attach`).", "E0425")


def need_token(r, what):
    """Code that needs `py` (`what`) may only run where a `Python<'py>` token is in scope."""
    if r.cur.token is None:
        raise no_token(what)


def absent(api, pyo3, fix):
    return compile_error(f"`{api}` does not exist in PyO3 {pyo3}. Fix: {fix}", "E0599")


def not_sent(name, thread):
    return compile_error(
        f"`{name}` belongs to another thread; thread `{thread}` can only use what was moved "
        f"into its closure. Fix: add a `send` op (`move` the `Py<T>` into the thread's "
        f"closure) before the thread block.", "E0373")


def py_clone_panic(word):
    what = "the thread being attached" if word == "attached" else "the GIL being held"
    return RustError(
        "panic",
        f"panicked: Cannot clone pointer into Python heap without {what}. With the "
        f"`py-clone` feature, `Py::clone` increments the refcount at once and may only run "
        f"while the GIL is held (deferred increfs were removed in 0.22 as unsound). Fix: "
        f"clone inside `with_gil`/`attach` with `clone_ref(py)`, or share an `Arc<Py<T>>`.")


def abort_without_pool():
    return RustError(
        "abort",
        "aborted: a `Py<T>` was dropped without the GIL, and this build has no reference pool "
        "(`--cfg pyo3_disable_reference_pool`), so PyO3 cannot defer the decref and aborts "
        "the process. Fix: drop it while the GIL is held (`drop_ref(py)`, or drop inside "
        "`with_gil`/`attach`), or build with `--cfg pyo3_leak_on_drop_without_reference_pool` "
        "to leak instead.")


def leak_drop_never_returns():
    return RustError(
        "hang",
        "never returns: a `Py<T>` was dropped without the thread being attached, in a PyO3 "
        "0.30.1 build with `--cfg pyo3_disable_reference_pool` and "
        "`--cfg pyo3_leak_on_drop_without_reference_pool`. There `register_decref` receives "
        "the `Py<T>` itself and, with nothing to do, drops it, which calls `register_decref` "
        "again: the recursion never ends (an optimised build spins for ever). Fix: drop it "
        "while attached (`drop_ref(py)`, or drop inside `attach`), keep the reference pool, or "
        "pass it to `std::mem::forget` to leak it on purpose.")


def deadlock(thread, holder):
    return RustError(
        "deadlock",
        f"deadlock: thread `{thread}` waits for the GIL, which thread `{holder}` holds while "
        f"it waits for `{thread}` to finish. Fix: release the GIL in `{holder}` while it "
        f"waits (`py.allow_threads(|| handle.join())`, 0.26+: `py.detach`).")


def hang(thread, what, blocked):
    """A stop-the-world pause on a free-threaded build that a blocked, attached thread never
    lets finish. `blocked` names those threads."""
    who = ", ".join(f"`{b}`" for b in blocked)
    return RustError(
        "hang",
        f"hang: thread `{thread}` {what}, which stops the world: it waits until every other "
        f"attached thread detaches or reaches a safe point. Thread {who} is attached and blocked "
        f"in Rust waiting for `{thread}` to finish (joining it), so it never does. There is no "
        f"GIL to deadlock on; the pause itself waits forever. Fix: detach around the wait in "
        f"{who} (`py.detach(|| handle.join())`).")


def use_after_free(name, oid):
    return RustError(
        "unsound",
        f"undefined behaviour: `{name}` points at {oid}, which has already been freed (a "
        f"dangling GIL ref). Only `unsafe` code such as out-of-order `new_pool` drops can get "
        f"here.")


def index_error(index, length, typ):
    return RustError(
        "exception",
        f"IndexError: {typ} index {index} out of range (length {length}); `get_item` "
        f"returned `Err(PyErr)`, which `?` propagates. Fix: check `len()` first.")
