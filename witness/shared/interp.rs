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

#[path = "interp_blocks.rs"]
mod blocks;
pub use blocks::{pyfunction_body, quiet_panics, result_json};
#[path = "interp_classes.rs"]
mod class_ops;
pub use class_ops::gc_bracket;

use crate::observe;
use crate::program::{ClassDecl, Op};
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
    pub fn kind(&self) -> &'static str {
        match self {
            Fail::Compile(_) => "compile_error",
            Fail::Panic(_) => "panic",
            Fail::Exception(_) => "exception",
            Fail::Deadlock(_) => "deadlock",
        }
    }
    pub fn message(&self) -> &str {
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
    /// The `#[pyclass]` types the program declares (set by `rel::run` before `run`).
    pub classes: Vec<ClassDecl>,
    /// Declared class of each object created from one, by slot.
    obj_class: std::collections::HashMap<usize, class_ops::ClassOf>,
    /// The last `gc_collect`, as the JSON object a probe reports.
    last_gc: Option<String>,
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    panic_text(&*p)
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
pub fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
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
            classes: Vec::new(),
            obj_class: std::collections::HashMap::new(),
            last_gc: None,
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
            if class_ops::is_borrow_kind(h.kind) {
                // Simplification: PyO3 can convert a PyRef into the returned object; the witness
                // does not model that conversion, so it refuses the program instead.
                return compile(format!("E0515: cannot return `{}` ({}): return the object handle it borrows from", h.name, h.kind));
            }
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
        if let Some(r) = self.class_op(op, &name) {
            return r;
        }
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
                    item_ids.push(self.value_handle(it)?);
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
                let l = self.value_handle(op.src.as_deref().unwrap())?;
                let i = self.value_handle(op.item.as_deref().unwrap())?;
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

}
