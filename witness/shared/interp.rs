//! The release-independent part of the witness interpreter: scopes, handles, Rust drop order,
//! the compile-time rules a program must obey, threads, the `#[pyfunction]` round trip, probes.
//!
//! Every call into PyO3 goes through `crate::rel`, the module that spells each op with the exact
//! API of one release (`Python::with_gil` / `Python::attach`, `PyCell::new` / `Bound::new`, ...).
//! This file only calls `pyo3::ffi` items that exist unchanged in every release: the raw
//! `PyGILState_Ensure`/`PyGILState_Release` pair that stands for "Python code runs here",
//! `PyObject_CallObject` for "Python calls the #[pyfunction]", `Py_DECREF` for `del name`.
//!
//! Lifetimes. Handles live in a `Vec<Box<Handle>>` arena with `'static` lifetimes (see `rel`,
//! where each transmute is documented). That is sound only because this interpreter enforces
//! what rustc would: a handle is used only while live and in scope, a value tied to a `'py`
//! token never leaves the block that made the token, borrows end before their source moves,
//! non-`Send` handles never cross `allow_threads`/`detach` or a thread boundary. A program that
//! breaks a rule stops with a `compile_error` before the offending PyO3 call runs.

use crate::observe;
use crate::program::Op;
use crate::rel::{self, Tok, Val};
use pyo3::ffi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

#[derive(Debug)]
pub enum Fail {
    Compile(String),
    Panic(String),
    Exception(String),
    Deadlock(String),
}

impl Fail {
    fn kind(&self) -> &'static str {
        match self {
            Fail::Compile(_) => "compile_error",
            Fail::Panic(_) => "panic",
            Fail::Exception(_) => "exception",
            Fail::Deadlock(_) => "deadlock",
        }
    }
    fn message(&self) -> &str {
        match self {
            Fail::Compile(m) | Fail::Panic(m) | Fail::Exception(m) | Fail::Deadlock(m) => m,
        }
    }
}

pub type R<T> = Result<T, Fail>;

pub fn compile<T>(msg: impl Into<String>) -> R<T> {
    Err(Fail::Compile(msg.into()))
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Status {
    Live,
    Moved,
    Dropped,
}

/// One Rust variable of the program.
pub struct Handle {
    name: String,
    val: Option<Val>,
    kind: &'static str,
    /// Registry slot of the object it refers to (object id = slot + 1).
    obj: Option<usize>,
    /// Id of the `py` token whose `'py` lifetime bounds this value (None: `'static`, e.g. Py).
    tok: Option<usize>,
    /// Arena index of the handle this value borrows from (`bind`, `as_gil_ref`, ...).
    borrows: Option<usize>,
    status: Status,
    /// Depth of the scope that introduced it.
    depth: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Boundary {
    /// `repeat` iterations and the top level.
    Plain,
    /// A closure or pool that makes a new `py` token with this id (with_gil, attach, with_pool,
    /// new_pool, pyfunction).
    Token(usize),
    /// `allow_threads` / `detach`: the closure must be `Ungil` (`Send` in default builds).
    Ungil,
    /// A thread's closure: `Send + 'static`; only values moved in with `send` are visible.
    Thread,
}

struct Scope {
    introduced: Vec<usize>,
    tok: Option<(Tok, usize)>,
    boundary: Boundary,
    pyfunction: bool,
    /// The closure must be `Ungil` although it makes a token (`with_pool` in 0.20-0.22).
    ungil: bool,
}

struct Worker {
    jobs: mpsc::Sender<Box<dyn FnOnce() + Send>>,
    join: std::thread::JoinHandle<()>,
}

struct ThreadInfo {
    name: String,
    holds_gil: bool,
    worker: Option<Worker>,
    /// Values moved in with `send`, introduced at the start of the thread's next body.
    inbox: Vec<Box<Handle>>,
}

/// Wrapper that lets a pointer or value cross to a worker thread. Sound here because the
/// sending thread blocks until the worker is done, so only one thread touches the data.
struct AssertSend<T>(T);
unsafe impl<T> Send for AssertSend<T> {}

pub struct Interp {
    handles: Vec<Box<Handle>>,
    scopes: Vec<Scope>,
    threads: Vec<ThreadInfo>,
    cur: usize,
    gil_owner: Option<usize>,
    next_tok: usize,
    py_vars: Vec<(String, usize)>,
    pub probes: Vec<String>,
    pub fail: Option<(String, String, String)>,
    stream: bool,
    /// Body of the pyfunction being called, for the trampoline to pick up.
    pending_call: Option<*const Op>,
    /// Why the pyfunction body stopped, handed back across the Python call.
    call_error: Option<(Fail, String)>,
}

/// The interpreter that the `#[pyfunction]` trampoline re-enters (set around each call).
static mut CURRENT: *mut Interp = std::ptr::null_mut();

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}

/// Runs one PyO3 call, turning a Rust panic into `Fail::Panic` (the program's panic).
pub fn guard<T>(f: impl FnOnce() -> R<T>) -> R<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(Fail::Panic(panic_message(p))),
    }
}

/// Attaches the op path to a failure.
fn at<T>(op: &Op, r: R<T>) -> Result<T, (Fail, String)> {
    r.map_err(|f| (f, op.path.clone()))
}

fn esc(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

impl Interp {
    pub fn new(stream: bool) -> Self {
        Interp {
            handles: Vec::new(),
            scopes: Vec::new(),
            threads: vec![ThreadInfo { name: "main".into(), holds_gil: false, worker: None, inbox: Vec::new() }],
            cur: 0,
            gil_owner: None,
            next_tok: 1,
            py_vars: Vec::new(),
            probes: Vec::new(),
            fail: None,
            stream,
            pending_call: None,
            call_error: None,
        }
    }

    /// Runs the whole program on the calling thread, which must not hold the GIL and must have
    /// PyO3's GIL count at 0 (the module entry point runs this inside `allow_threads`/`detach`).
    pub fn run(&mut self, ops: &[Op]) {
        let scope = Scope { introduced: Vec::new(), tok: None, boundary: Boundary::Plain, pyfunction: false, ungil: false };
        if let Err((f, path)) = self.run_scope(ops, scope).map(|_| ()) {
            self.fail = Some((f.kind().into(), path, f.message().into()));
        }
        self.shutdown();
    }


    // ----- scopes and handles -------------------------------------------------------------

    /// Runs a body in a new scope; returns the handle named by a final `return`, if any.
    fn run_scope(&mut self, ops: &[Op], scope: Scope) -> Result<Option<Box<Handle>>, (Fail, String)> {
        self.scopes.push(scope);
        let depth = self.scopes.len() - 1;
        // Values sent to this thread are the closure's captures: introduced first, dropped last.
        if self.scopes[depth].boundary == Boundary::Thread {
            let inbox = std::mem::take(&mut self.threads[self.cur].inbox);
            for mut h in inbox {
                h.depth = depth;
                self.introduce(h);
            }
        }
        let mut result = Ok(None);
        for (i, op) in ops.iter().enumerate() {
            if op.op == "return" {
                if i + 1 != ops.len() {
                    result = Err((Fail::Compile("`return` must be the last op of a body".into()), op.path.clone()));
                } else {
                    result = self.take_return(op, depth).map(Some);
                }
                break;
            }
            if let Err(e) = self.step(op) {
                result = Err(e);
                break;
            }
        }
        // Rust drop order: every still-owned handle of this scope, newest first.
        let ids = std::mem::take(&mut self.scopes[depth].introduced);
        for &id in ids.iter().rev() {
            if let Err(f) = self.drop_at_scope_end(id) {
                if result.is_ok() {
                    result = Err((f, format!("end of scope {}", ops.first().map(|o| o.path.as_str()).unwrap_or("?"))));
                }
            }
        }
        self.scopes.pop();
        result
    }

    fn drop_at_scope_end(&mut self, id: usize) -> R<()> {
        let h = &mut self.handles[id];
        if h.status != Status::Live {
            return Ok(());
        }
        h.status = Status::Dropped;
        match h.val.take() {
            Some(v) => guard(|| rel::drop_value(v)),
            None => Ok(()),
        }
    }

    fn introduce(&mut self, h: Box<Handle>) -> usize {
        let id = self.handles.len();
        self.handles.push(h);
        self.scopes.last_mut().unwrap().introduced.push(id);
        id
    }

    fn new_handle(&self, name: &str, val: Val, obj: Option<usize>, tok: Option<usize>, borrows: Option<usize>) -> Box<Handle> {
        Box::new(Handle {
            name: name.to_owned(),
            kind: val.kind(),
            val: Some(val),
            obj,
            tok,
            borrows,
            status: Status::Live,
            depth: self.scopes.len() - 1,
        })
    }

    /// Finds a handle by name as Rust name resolution would, and checks it may be used here.
    fn lookup(&self, name: &str) -> R<usize> {
        let mut crossed_ungil = false;
        for scope in self.scopes.iter().rev() {
            for &id in scope.introduced.iter().rev() {
                let h = &self.handles[id];
                if h.name != name {
                    continue;
                }
                if h.status != Status::Live {
                    return compile(format!(
                        "E0382: use of moved value `{name}`: it was moved or dropped earlier (clone it first if both uses are needed)"
                    ));
                }
                if crossed_ungil && !rel::is_send(h.kind) {
                    return compile(format!(
                        "E0277: `{name}` ({}) cannot be used inside allow_threads/detach: it is tied to the GIL and is not Send/Ungil; unbind it to a Py<T> first",
                        h.kind
                    ));
                }
                if let Some(b) = h.borrows {
                    if self.handles[b].status != Status::Live {
                        return compile(format!(
                            "E0505: `{name}` borrows from `{}`, which was moved or dropped while the borrow was still in use",
                            self.handles[b].name
                        ));
                    }
                }
                return Ok(id);
            }
            match scope.boundary {
                Boundary::Thread => break,
                Boundary::Ungil => crossed_ungil = true,
                _ if scope.ungil => crossed_ungil = true,
                _ => {}
            }
        }
        let in_thread = self.scopes.iter().any(|s| s.boundary == Boundary::Thread);
        let hint = if in_thread { " (a thread body sees only values moved into it with `send`)" } else { "" };
        compile(format!("E0425: cannot find value `{name}` in this scope{hint}"))
    }

    fn tok(&self) -> Option<(Tok, usize)> {
        self.scopes.last().and_then(|s| s.tok)
    }

    fn need_py(&self, what: &str) -> R<(Tok, usize)> {
        self.tok().ok_or_else(|| {
            Fail::Compile(format!(
                "E0425: cannot find value `py` in this scope: `{what}` needs a Python<'py> token; run it inside with_gil/attach"
            ))
        })
    }

    /// Marks a handle moved (or dropped); later uses of it or of borrows from it are errors.
    fn consume(&mut self, id: usize, status: Status) {
        let h = &mut self.handles[id];
        if h.val.is_none() || !rel::is_copy(h.kind) {
            h.status = status;
        }
    }

    fn take_return(&mut self, op: &Op, depth: usize) -> Result<Box<Handle>, (Fail, String)> {
        let r = (|| -> R<Box<Handle>> {
            let id = self.lookup(op.src.as_deref().unwrap())?;
            let scope = &self.scopes[depth];
            let h = &self.handles[id];
            if let Some(b) = h.borrows {
                if self.handles[b].depth >= depth {
                    return compile(format!(
                        "E0515: cannot return `{}`: it borrows from `{}`, a value owned by this block",
                        h.name, self.handles[b].name
                    ));
                }
            }
            match scope.boundary {
                Boundary::Token(t) => {
                    let escapes = h.tok.map_or(false, |ht| ht >= t);
                    // A #[pyfunction] may return anything tied to its own `'py` (its return
                    // type names that lifetime); what borrows a local was rejected above.
                    let allowed = scope.pyfunction;
                    if escapes && !allowed {
                        return compile(format!(
                            "lifetime may not live long enough: `{}` ({}) is tied to this block's `py` token and cannot leave it; return a Py<T> (unbind) instead",
                            h.name, h.kind
                        ));
                    }
                }
                Boundary::Ungil | Boundary::Thread => {
                    if !rel::is_send(h.kind) {
                        return compile(format!(
                            "E0277: `{}` ({}) cannot leave allow_threads/detach or a thread: it is not Send/Ungil",
                            h.name, h.kind
                        ));
                    }
                }
                Boundary::Plain => return compile("`return` is only meaningful at the end of a block body"),
            }
            let h = &mut self.handles[id];
            let val = h.val.take();
            let moved = Box::new(Handle {
                name: String::new(),
                kind: h.kind,
                val,
                obj: h.obj,
                tok: h.tok,
                borrows: h.borrows,
                status: Status::Live,
                depth: 0,
            });
            h.status = Status::Moved;
            if rel::is_copy(h.kind) {
                // A copy leaves the original usable; give it back its value.
                h.status = Status::Live;
                h.val = moved.val.as_ref().map(rel::copy_of);
            }
            Ok(moved)
        })();
        at(op, r)
    }

    /// Binds a block's returned value to its `as` name, or drops it as a temporary.
    fn bind_result(&mut self, op: &Op, ret: Option<Box<Handle>>) -> R<()> {
        if let Some(mut h) = ret {
            match &op.as_ {
                Some(name) => {
                    h.name = name.clone();
                    h.depth = self.scopes.len() - 1;
                    self.introduce(h);
                }
                None => {
                    if let Some(v) = h.val.take() {
                        guard(|| rel::drop_value(v))?;
                    }
                }
            }
        }
        Ok(())
    }

    // ----- ops ----------------------------------------------------------------------------

    fn step(&mut self, op: &Op) -> Result<(), (Fail, String)> {
        if self.stream {
            // A child-process run reports each op before it runs, so that an abort inside an op
            // can be attributed to it.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "O {}", op.path);
            let _ = out.flush();
        }
        let r = match op.op.as_str() {
            "probe" => {
                self.probe(op.label.as_deref().unwrap());
                Ok(())
            }
            "with_gil" | "attach" | "allow_threads" | "detach" | "new_pool" | "with_pool" | "gil" | "nogil" => {
                return self.block(op)
            }
            "repeat" => {
                for _ in 0..op.times {
                    let tok = self.tok();
                    let scope = Scope { introduced: Vec::new(), tok, boundary: Boundary::Plain, pyfunction: false, ungil: false };
                    if let Some(_ret) = self.run_scope(&op.body, scope)? {
                        return Err((Fail::Compile("`return` inside a repeat body".into()), op.path.clone()));
                    }
                }
                Ok(())
            }
            "thread" => return self.thread(op),
            "pyfunction" => return self.pyfunction(op),
            _ => self.value_op(op),
        };
        at(op, r)
    }

    fn value_op(&mut self, op: &Op) -> R<()> {
        let name = op.as_.clone().unwrap_or_default();
        match op.op.as_str() {
            "new" => {
                let ty: &'static str = match op.ty.as_deref().unwrap() {
                    "object" => "object",
                    "list" => "list",
                    "dict" => "dict",
                    _ => "tuple",
                };
                let (py, tid) = self.need_py("new")?;
                let mut item_ids = Vec::new();
                for it in &op.items {
                    item_ids.push(self.lookup(it)?);
                }
                let items: Vec<&Val> = item_ids.iter().map(|&i| self.handles[i].val.as_ref().unwrap()).collect();
                let api = op.api.as_deref().unwrap();
                let (val, slot) = guard(|| rel::new_object(py, ty, api, &items))?;
                let tok = if val.kind() == "py" { None } else { Some(tid) };
                let h = self.new_handle(&name, val, Some(slot), tok, None);
                self.introduce(h);
                Ok(())
            }
            "drop" | "drop_ref" => {
                let id = self.lookup(op.src.as_deref().unwrap())?;
                let py = self.tok().map(|t| t.0);
                let kind = self.handles[id].kind;
                if op.op == "drop_ref" {
                    let py = self.need_py("drop_ref")?.0;
                    let v = self.take_for(id, kind)?;
                    guard(|| rel::drop_ref(py, v))?;
                } else if rel::is_copy(kind) {
                    // `drop` of a Copy value drops a copy; the variable stays usable.
                } else {
                    let v = self.take_for(id, kind)?;
                    let _ = py;
                    guard(|| rel::drop_value(v))?;
                }
                self.consume(id, Status::Dropped);
                Ok(())
            }
            "append" => {
                let l = self.lookup(op.src.as_deref().unwrap())?;
                let i = self.lookup(op.item.as_deref().unwrap())?;
                let (lv, iv) = (self.handles[l].val.as_ref().unwrap(), self.handles[i].val.as_ref().unwrap());
                guard(|| rel::append(lv, iv))
            }
            "get_item" | "get_borrowed_item" => {
                let s = self.lookup(op.src.as_deref().unwrap())?;
                let borrowed = op.op == "get_borrowed_item";
                let sv = self.handles[s].val.as_ref().unwrap();
                let val = guard(|| rel::get_item(sv, op.index, borrowed))?;
                let obj = observe::slot_of(val.ptr());
                let sh = &self.handles[s];
                // A borrowed item borrows the tuple handle; a GIL-ref item lives as long as the
                // reference it was read through (`&self`), so it keeps that reference's borrow.
                let borrows = match val.kind() {
                    "borrowed" if sh.kind == "bound" || sh.kind == "py" => Some(s),
                    "borrowed" | "gil_ref" => sh.borrows,
                    _ => None,
                };
                let tok = sh.tok;
                let h = self.new_handle(&name, val, obj, tok, borrows);
                self.introduce(h);
                Ok(())
            }
            "send" => {
                let id = self.lookup(op.src.as_deref().unwrap())?;
                let to = op.to.clone().unwrap();
                let h = &self.handles[id];
                if !rel::is_send(h.kind) {
                    return compile(format!(
                        "E0277: `{}` ({}) cannot be sent between threads safely; unbind it to a Py<T> first",
                        h.name, h.kind
                    ));
                }
                let t = self.thread_index(&to);
                let h = &mut self.handles[id];
                let moved = Box::new(Handle {
                    name: h.name.clone(),
                    kind: h.kind,
                    val: h.val.take(),
                    obj: h.obj,
                    tok: h.tok,
                    borrows: None,
                    status: Status::Live,
                    depth: 0,
                });
                h.status = Status::Moved;
                self.threads[t].inbox.push(moved);
                Ok(())
            }
            "py_del" => self.py_del(op.src.as_deref().unwrap()),
            _ => self.unary(op, &name),
        }
    }

    fn take_for(&mut self, id: usize, _kind: &str) -> R<Val> {
        self.handles[id].val.take().ok_or_else(|| Fail::Compile("E0382: use of moved value".into()))
    }

    /// clone, clone_ref, unbind, into_bound, bind, bind_borrowed, as_borrowed, to_owned,
    /// into_gil_ref, as_gil_ref, into_py, into_ref, as_ref.
    fn unary(&mut self, op: &Op, name: &str) -> R<()> {
        let id = self.lookup(op.src.as_deref().unwrap())?;
        let needs_py = matches!(op.op.as_str(), "clone_ref" | "into_bound" | "bind" | "bind_borrowed" | "into_py" | "into_ref" | "as_ref");
        let tok = if needs_py { Some(self.need_py(&op.op)?) } else { self.tok() };
        let kind = self.handles[id].kind;
        // The op works on the handle's own storage (a stable Box), so a borrow such as
        // `p.bind(py)` points at the real `Py<T>` and an ownership move takes it out.
        let slot = &mut self.handles[id].val;
        let res = guard(|| rel::unary(&op.op, tok.map(|t| t.0), slot));
        let moved = self.handles[id].val.is_none();
        let out = res?;
        let src = &self.handles[id];
        let out_kind = out.kind();
        // Which `'py` lifetime and which borrow the result carries, as rustc would see it.
        let rtok = match out_kind {
            "py" => None,
            _ if needs_py => tok.map(|t| t.1),
            _ => src.tok.or(tok.map(|t| t.1)),
        };
        // What the result borrows from, as rustc sees it: a borrowing op borrows its source
        // (or, when the source is itself a reference, whatever that borrows); a copied
        // reference keeps its source's borrow; owned results borrow nothing.
        let borrowing = matches!(op.op.as_str(), "bind" | "bind_borrowed" | "as_borrowed" | "as_gil_ref" | "as_ref");
        let owned_src = kind == "bound" || kind == "py";
        let borrows = if borrowing {
            if owned_src { Some(id) } else { src.borrows }
        } else if rel::is_copy(out_kind) && rel::is_copy(kind) {
            src.borrows
        } else {
            None
        };
        let obj = src.obj;
        if moved {
            self.consume(id, Status::Moved);
        }
        let h = self.new_handle(name, out, obj, rtok, borrows);
        self.introduce(h);
        Ok(())
    }

    fn py_del(&mut self, name: &str) -> R<()> {
        let pos = self
            .py_vars
            .iter()
            .rposition(|(n, _)| n == name)
            .ok_or_else(|| Fail::Exception(format!("NameError: name '{name}' is not defined")))?;
        let (_, ptr) = self.py_vars.remove(pos);
        self.as_python(|| unsafe { ffi::Py_DECREF(ptr as *mut ffi::PyObject) })
    }

    /// Runs `f` as Python code on the current thread: takes the GIL with the raw C API (which
    /// leaves PyO3's own GIL count alone) unless this thread already holds it.
    fn as_python<T>(&mut self, f: impl FnOnce() -> T) -> R<T> {
        let g = self.enter_python()?;
        let out = f();
        self.leave_python(g);
        Ok(out)
    }

    fn enter_python(&mut self) -> R<Option<ffi::PyGILState_STATE>> {
        if self.threads[self.cur].holds_gil {
            return Ok(None);
        }
        self.check_gil_free()?;
        self.gil_owner = Some(self.cur);
        self.threads[self.cur].holds_gil = true;
        Ok(Some(unsafe { ffi::PyGILState_Ensure() }))
    }

    fn leave_python(&mut self, g: Option<ffi::PyGILState_STATE>) {
        if let Some(g) = g {
            unsafe { ffi::PyGILState_Release(g) };
            self.threads[self.cur].holds_gil = false;
            self.gil_owner = None;
        }
    }

    fn check_gil_free(&self) -> R<()> {
        match self.gil_owner {
            Some(o) if o != self.cur => Err(Fail::Deadlock(format!(
                "thread `{}` waits for the GIL, which thread `{}` holds while it waits for `{}` to finish",
                self.threads[self.cur].name, self.threads[o].name, self.threads[self.cur].name
            ))),
            _ => Ok(()),
        }
    }

    fn probe(&mut self, label: &str) {
        let objs = observe::snapshot();
        let mut s = format!("{{\"label\":{},\"thread\":{},\"objects\":[", esc(label), esc(&self.threads[self.cur].name));
        for (i, o) in objs.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let alive = o.alive.map_or("null".to_owned(), |a| a.to_string());
            let rc = o.refcount.map_or("null".to_owned(), |r| r.to_string());
            let items: Vec<String> = o.items.iter().map(|x| x.map_or("null".to_owned(), |k| k.to_string())).collect();
            s.push_str(&format!("[\"{}\",{alive},{rc},[{}]]", o.ty, items.join(",")));
        }
        s.push_str("]}");
        if self.stream {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "P {s}");
            let _ = out.flush();
        }
        self.probes.push(s);
    }

    // ----- blocks -------------------------------------------------------------------------

    fn block(&mut self, op: &Op) -> Result<(), (Fail, String)> {
        // `gil`/`nogil` are the release-neutral spellings (with_gil/attach, allow_threads/detach).
        let kind = match op.op.as_str() {
            "gil" => rel::GIL,
            "nogil" => rel::NOGIL,
            k => k,
        };
        let releases = matches!(kind, "allow_threads" | "detach");
        let acquires = matches!(kind, "with_gil" | "attach");
        let py = if acquires { None } else { Some(at(op, self.need_py(kind))?.0) };
        let holds_before = self.threads[self.cur].holds_gil;
        if acquires && !holds_before {
            at(op, self.check_gil_free())?;
        }
        let me: *mut Interp = self;
        let mut inner: Option<Result<Option<Box<Handle>>, (Fail, String)>> = None;
        let mut body = |tok: Option<Tok>| {
            // SAFETY: `self` is not used by the caller while the PyO3 block runs this closure.
            let me = unsafe { &mut *me };
            let cur = me.cur;
            if releases {
                me.threads[cur].holds_gil = false;
                me.gil_owner = None;
            } else if !holds_before {
                me.threads[cur].holds_gil = true;
                me.gil_owner = Some(cur);
            }
            let scope = match tok {
                Some(t) => {
                    let id = me.next_tok;
                    me.next_tok += 1;
                    Scope { introduced: Vec::new(), tok: Some((t, id)), boundary: Boundary::Token(id), pyfunction: false, ungil: kind == "with_pool" }
                }
                None => Scope { introduced: Vec::new(), tok: None, boundary: Boundary::Ungil, pyfunction: false, ungil: false },
            };
            inner = Some(me.run_scope(&op.body, scope));
            if releases {
                me.threads[cur].holds_gil = true;
                me.gil_owner = Some(cur);
            } else if !holds_before {
                me.threads[cur].holds_gil = false;
                me.gil_owner = None;
            }
        };
        let entered = guard(|| rel::enter(kind, py, &mut body));
        match (entered, inner) {
            (Err(f), None) => Err((f, op.path.clone())),
            (Err(f), Some(Ok(ret))) => {
                // The block itself panicked after its body (e.g. while re-attaching).
                drop(ret);
                Err((f, op.path.clone()))
            }
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(ret))) => at(op, self.bind_result(op, ret)),
            (Ok(()), None) => Err((Fail::Compile("block body did not run".into()), op.path.clone())),
        }
    }

    fn thread_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.threads.iter().position(|t| t.name == name) {
            return i;
        }
        self.threads.push(ThreadInfo { name: name.to_owned(), holds_gil: false, worker: None, inbox: Vec::new() });
        self.threads.len() - 1
    }

    fn on_thread<T>(&mut self, t: usize, job: impl FnOnce(&mut Interp) -> T) -> T {
        if self.threads[t].worker.is_none() {
            let (tx, rx) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
            let join = std::thread::Builder::new()
                .name(format!("bd-{}", self.threads[t].name))
                .spawn(move || {
                    for job in rx {
                        job();
                    }
                })
                .expect("spawn witness thread");
            self.threads[t].worker = Some(Worker { jobs: tx, join });
        }
        let (dtx, drx) = mpsc::channel::<AssertSend<T>>();
        let me = AssertSend(self as *mut Interp);
        let job = AssertSend(job);
        let f: Box<dyn FnOnce() + Send + '_> = Box::new(move || {
            let (me, job) = (me, job);
            // SAFETY: the enclosing thread is blocked on `drx.recv()` until this job ends.
            let me = unsafe { &mut *me.0 };
            let out = (job.0)(me);
            let _ = dtx.send(AssertSend(out));
        });
        // SAFETY: the job borrows nothing past this call, because this call waits for it below.
        let f: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(f) };
        self.threads[t].worker.as_ref().unwrap().jobs.send(f).expect("witness thread alive");
        drx.recv().expect("witness thread finished the job").0
    }

    fn thread(&mut self, op: &Op) -> Result<(), (Fail, String)> {
        let t = self.thread_index(op.name.as_deref().unwrap());
        if t == self.cur {
            // A thread block naming the thread it is already on runs right here, as a closure
            // that sees only what was sent to it (the model does the same).
            let scope = Scope { introduced: Vec::new(), tok: None, boundary: Boundary::Thread, pyfunction: false, ungil: false };
            let held = self.threads[t].holds_gil;
            self.threads[t].holds_gil = false;
            let ret = self.run_scope(&op.body, scope);
            self.threads[t].holds_gil = held;
            return at(op, self.bind_result(op, ret?));
        }
        let body: *const Op = op;
        let ret = self.on_thread(t, move |me| {
            let prev = me.cur;
            me.cur = t;
            let scope = Scope { introduced: Vec::new(), tok: None, boundary: Boundary::Thread, pyfunction: false, ungil: false };
            // SAFETY: `op` outlives this call (the caller waits for it).
            let r = me.run_scope(unsafe { &(*body).body }, scope);
            me.cur = prev;
            r
        })?;
        at(op, self.bind_result(op, ret))
    }

    /// Python calls the module's `#[pyfunction]`, whose body is `op.body` (see `pyfunction_body`).
    fn pyfunction(&mut self, op: &Op) -> Result<(), (Fail, String)> {
        // Python can call the function from the program's top level (Python code itself), or
        // from Rust that holds a `py` token; Rust that gave the GIL up, or a thread body that
        // never had it, has no way to run Python code.
        let top_level = self.scopes.iter().all(|s| s.boundary == Boundary::Plain);
        if self.tok().is_none() && !top_level {
            return Err((
                Fail::Compile(
                    "E0425: calling into Python (a #[pyfunction], through Python code) needs the GIL, which this code gave up or never had; call it inside with_gil/attach".into(),
                ),
                op.path.clone(),
            ));
        }
        let g = at(op, self.enter_python())?;
        self.pending_call = Some(op as *const Op);
        self.call_error = None;
        let out = unsafe {
            let saved = CURRENT;
            CURRENT = self;
            let out = rel::call_pyfunction();
            CURRENT = saved;
            out
        };
        let err = self.call_error.take();
        let msg = if out.is_null() { unsafe { fetch_error_message() } } else { String::new() };
        if !out.is_null() && (err.is_some() || op.as_.is_none()) {
            // Python discards the call's result.
            unsafe { ffi::Py_DECREF(out) };
        }
        self.leave_python(g);
        if let Some(e) = err {
            return Err(e);
        }
        if out.is_null() {
            return Err((Fail::Exception(msg), op.path.clone()));
        }
        if let Some(n) = &op.as_ {
            // Python rebinding a name drops its old value.
            if let Some(pos) = self.py_vars.iter().position(|(m, _)| m == n) {
                let (_, old) = self.py_vars.remove(pos);
                let _ = self.as_python(|| unsafe { ffi::Py_DECREF(old as *mut ffi::PyObject) });
            }
            self.py_vars.push((n.clone(), out as usize));
        }
        Ok(())
    }

    fn shutdown(&mut self) {
        // Values sent to a thread whose body never ran again are dropped there when it ends.
        for t in 1..self.threads.len() {
            if !self.threads[t].inbox.is_empty() {
                let inbox = std::mem::take(&mut self.threads[t].inbox);
                let inbox = AssertSend(inbox);
                self.on_thread(t, move |_| {
                    let inbox = inbox;
                    for mut h in inbox.0 {
                        if let Some(v) = h.val.take() {
                            let _ = guard(|| rel::drop_value(v));
                        }
                    }
                });
            }
        }
        for t in self.threads.iter_mut() {
            if let Some(w) = t.worker.take() {
                drop(w.jobs);
                let _ = w.join.join();
            }
        }
        // Python-side variables go away with the run (after every probe was taken).
        let vars = std::mem::take(&mut self.py_vars);
        if !vars.is_empty() {
            unsafe {
                let g = ffi::PyGILState_Ensure();
                for (_, p) in vars {
                    ffi::Py_DECREF(p as *mut ffi::PyObject);
                }
                ffi::PyGILState_Release(g);
            }
        }
    }
}

/// Message of the pending Python exception (cleared), read with the raw C API so that no PyO3
/// pool or reference is involved. The caller holds the GIL.
pub unsafe fn fetch_error_message() -> String {
    let (mut t, mut v, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
    #[allow(deprecated)]
    ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
    ffi::PyErr_NormalizeException(&mut t, &mut v, &mut tb);
    let mut msg = String::from("exception");
    if !t.is_null() {
        let name = ffi::PyObject_GetAttrString(t, b"__name__\0".as_ptr().cast());
        let text = if v.is_null() { std::ptr::null_mut() } else { ffi::PyObject_Str(v) };
        let as_string = |o: *mut ffi::PyObject| {
            if o.is_null() {
                return String::new();
            }
            let mut n = 0;
            let p = ffi::PyUnicode_AsUTF8AndSize(o, &mut n);
            if p.is_null() { String::new() } else { String::from_utf8_lossy(std::slice::from_raw_parts(p as *const u8, n as usize)).into_owned() }
        };
        msg = format!("{}: {}", as_string(name), as_string(text));
        for o in [name, text, t, v, tb] {
            if !o.is_null() {
                ffi::Py_DECREF(o);
            }
        }
        ffi::PyErr_Clear();
    }
    msg
}

/// The JSON result of a run: every probe, then the error (or null).
pub fn result_json(it: &Interp) -> String {
    let err = match &it.fail {
        None => "null".to_owned(),
        Some((k, p, m)) => format!("{{\"kind\":{},\"op_path\":{},\"message\":{}}}", esc(k), esc(p), esc(m)),
    };
    format!("{{\"probes\":[{}],\"error\":{}}}", it.probes.join(","), err)
}

/// Silences the default panic printout: program panics are results, reported as such.
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("BD_WITNESS_DEBUG").is_none() {
            std::panic::set_hook(Box::new(|_| {}));
        }
    });
}

/// Called by each release's `#[pyfunction]` with its `py` token: runs the pending body in a
/// scope that owns that token and hands back the value the body returns, if any.
pub fn pyfunction_body(py: Tok) -> Option<Val> {
    // SAFETY: set by `Interp::pyfunction` right around the Python call that lands here.
    let me = unsafe { &mut *CURRENT };
    let op = unsafe { &*me.pending_call.take().expect("pyfunction called outside a program") };
    let id = me.next_tok;
    me.next_tok += 1;
    let scope = Scope { introduced: Vec::new(), tok: Some((py, id)), boundary: Boundary::Token(id), pyfunction: true, ungil: false };
    match me.run_scope(&op.body, scope) {
        Ok(Some(mut h)) => h.val.take(),
        Ok(None) => None,
        Err(e) => {
            me.call_error = Some(e);
            None
        }
    }
}
