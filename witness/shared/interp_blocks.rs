//! The interpreter's side effects on the interpreter state: Python code running (`del`, the
//! `#[pyfunction]` call), GIL bookkeeping and deadlock detection, probes, blocks, threads, and
//! the JSON result. A child module of interp.rs, so it shares its private types.
//!
//! Mirrors no PyO3 API directly: every PyO3 call goes through `crate::rel`; only raw `pyo3::ffi`
//! items common to all releases are used (`PyGILState_Ensure`/`Release`, `Py_DECREF`,
//! `PyErr_Fetch`, `PyObject_Str`, `PyUnicode_AsUTF8AndSize`).

use super::*;

thread_local! {
    /// The interpreter that the `#[pyfunction]` trampoline re-enters, set around each call. Per
    /// thread: the trampoline runs on the thread that made the call, and program threads are
    /// real OS threads, so a process-wide slot could hand one thread another's interpreter.
    static CURRENT: std::cell::Cell<*mut Interp> = const { std::cell::Cell::new(std::ptr::null_mut()) };
}

impl Interp {
    pub(super) fn py_del(&mut self, name: &str) -> R<()> {
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
    pub(super) fn as_python<T>(&mut self, f: impl FnOnce() -> T) -> R<T> {
        let g = self.enter_python()?;
        let out = f();
        self.leave_python(g);
        Ok(out)
    }

    pub(super) fn enter_python(&mut self) -> R<Option<ffi::PyGILState_STATE>> {
        if self.threads[self.cur].holds_gil {
            return Ok(None);
        }
        self.check_gil_free()?;
        self.gil_owner = Some(self.cur);
        self.threads[self.cur].holds_gil = true;
        Ok(Some(unsafe { ffi::PyGILState_Ensure() }))
    }

    pub(super) fn leave_python(&mut self, g: Option<ffi::PyGILState_STATE>) {
        if let Some(g) = g {
            unsafe { ffi::PyGILState_Release(g) };
            self.threads[self.cur].holds_gil = false;
            self.gil_owner = None;
        }
    }

    pub(super) fn check_gil_free(&self) -> R<()> {
        match self.gil_owner {
            Some(o) if o != self.cur => Err(Fail::Deadlock(format!(
                "thread `{}` waits for the GIL, which thread `{}` holds while it waits for `{}` to finish",
                self.threads[self.cur].name, self.threads[o].name, self.threads[self.cur].name
            ))),
            _ => Ok(()),
        }
    }

    pub(super) fn probe(&mut self, label: &str) {
        let objs = observe::snapshot();
        // Whether CPython says this thread holds the GIL: `PyGILState_Check` only reads the
        // thread state, it neither takes the GIL nor touches PyO3's counters.
        let holds = unsafe { ffi::PyGILState_Check() } == 1;
        let mut s = format!(
            "{{\"label\":{},\"thread\":{},\"holds_gil\":{holds},\"objects\":[",
            esc(label),
            esc(&self.threads[self.cur].name)
        );
        for (i, o) in objs.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let alive = o.alive.map_or("null".to_owned(), |a| a.to_string());
            let rc = o.refcount.map_or("null".to_owned(), |r| r.to_string());
            let items: Vec<String> = o.items.iter().map(|x| x.map_or("null".to_owned(), |k| k.to_string())).collect();
            let class = o.class.as_ref().map_or("null".to_owned(), class_json);
            s.push_str(&format!("[\"{}\",{alive},{rc},[{}],{class}]", o.ty, items.join(",")));
        }
        s.push_str(&format!("],\"last_gc\":{}}}", self.last_gc.as_deref().unwrap_or("null")));
        if self.stream {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "P {s}");
            let _ = out.flush();
        }
        self.probes.push(s);
    }

    // ----- blocks -------------------------------------------------------------------------

    pub(super) fn block(&mut self, op: &Op) -> Result<(), (Fail, String)> {
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

    pub(super) fn thread_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.threads.iter().position(|t| t.name == name) {
            return i;
        }
        self.threads.push(ThreadInfo { name: name.to_owned(), holds_gil: false, worker: None, inbox: Vec::new() });
        self.threads.len() - 1
    }

    pub(super) fn on_thread<T>(&mut self, t: usize, job: impl FnOnce(&mut Interp) -> T) -> T {
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

    pub(super) fn thread(&mut self, op: &Op) -> Result<(), (Fail, String)> {
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
    pub(super) fn pyfunction(&mut self, op: &Op) -> Result<(), (Fail, String)> {
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
        let saved = CURRENT.with(|c| c.replace(self as *mut Interp));
        let out = unsafe { rel::call_pyfunction() };
        CURRENT.with(|c| c.set(saved));
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

    pub(super) fn shutdown(&mut self) {
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

/// A pyclass object in a probe: `{"fields": [[name, slot | null | "?"]] | null, "gc": bool,
/// "borrow": shared count or -1 (exclusive)}`; a field is null when empty, "?" when it holds an
/// object that is not one of the program's; `fields` is null for the plain `Obj`.
fn class_json(c: &observe::ClassSeen) -> String {
    let Some(fields) = &c.fields else {
        return format!("{{\"fields\":null,\"gc\":{},\"borrow\":{}}}", c.gc, c.borrow);
    };
    let fields: Vec<String> = fields
        .iter()
        .map(|(n, v)| {
            let v = match v {
                None => "null".to_owned(),
                Some(None) => "\"?\"".to_owned(),
                Some(Some(k)) => k.to_string(),
            };
            format!("[{},{v}]", esc(n))
        })
        .collect();
    format!("{{\"fields\":[{}],\"gc\":{},\"borrow\":{}}}", fields.join(","), c.gc, c.borrow)
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
    let me = unsafe { &mut *CURRENT.with(|c| c.get()) };
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
