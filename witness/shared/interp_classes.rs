//! The interpreter's ops on declared `#[pyclass]` objects (issue 13): `new` with a class, the
//! field ops, `gc_collect` and the six borrow ops. A child module of interp.rs.
//!
//! Mirrors: `#[pyclass]` field access through `borrow_mut()` (`a.borrow_mut().next = ...`,
//! `.take()`), `PyRef`/`PyRefMut` (`borrow`, `borrow_mut`, `try_borrow`, `try_borrow_mut`),
//! `PyClassGuard`/`PyClassGuardMut` (0.26+), and Python's `gc.collect()`. The PyO3 calls are in
//! `crate::rel` (spelled per release); the collection is called through the raw C API
//! (`PyImport_ImportModule`, `PyObject_GetAttrString`, `PyObject_CallObject`), the same in
//! every release, so every build runs the very same `gc.collect()`.

use super::*;

/// The borrow ops, with the handle kind each makes.
const BORROWS: &[(&str, &str)] = &[
    ("borrow", "pyref"),
    ("try_borrow", "pyref"),
    ("borrow_mut", "pyrefmut"),
    ("try_borrow_mut", "pyrefmut"),
    ("guard", "guard"),
    ("guard_mut", "guard_mut"),
];

pub fn is_borrow_kind(kind: &str) -> bool {
    BORROWS.iter().any(|(_, k)| *k == kind)
}

/// What the interpreter knows of one declared-class object: the declaration and its Rust type.
#[derive(Clone, Copy)]
pub struct ClassOf {
    pub decl: usize,
    pub kind: &'static str,
}

/// Calls `gc.<name>()` and returns its integer result (0 for None). Needs the GIL.
pub unsafe fn gc_call(name: &str) -> Result<isize, String> {
    let module = ffi::PyImport_ImportModule(b"gc\0".as_ptr().cast());
    if module.is_null() {
        return Err(blocks::fetch_error_message());
    }
    let fname = std::ffi::CString::new(name).expect("no NUL in a gc function name");
    let func = ffi::PyObject_GetAttrString(module, fname.as_ptr());
    ffi::Py_DECREF(module);
    if func.is_null() {
        return Err(blocks::fetch_error_message());
    }
    let out = ffi::PyObject_CallObject(func, std::ptr::null_mut());
    ffi::Py_DECREF(func);
    if out.is_null() {
        return Err(blocks::fetch_error_message());
    }
    let n = if out == ffi::Py_None() { 0 } else { ffi::PyLong_AsSsize_t(out) };
    ffi::Py_DECREF(out);
    Ok(n)
}

/// Whether any op of the program (at any depth) is `gc_collect`.
pub fn uses_gc(ops: &[Op]) -> bool {
    ops.iter().any(|o| o.op == "gc_collect" || uses_gc(&o.body))
}

/// Brackets a run that collects: `gc.freeze()` before it moves every object that exists already
/// (the test process's, and earlier programs' leaked cycles) out of the collector's sight, so
/// `gc.collect()` finds only this program's garbage; `gc.unfreeze()` after it gives them back.
/// Needs the GIL.
pub fn gc_bracket(ops: &[Op], start: bool) {
    if uses_gc(ops) {
        // Neither call can fail on CPython 3.7+; a failure would show as a count mismatch.
        let _ = unsafe { gc_call(if start { "freeze" } else { "unfreeze" }) };
    }
}

impl Interp {
    /// Routes the class ops; `None` when `op` is not one of them.
    pub(super) fn class_op(&mut self, op: &Op, name: &str) -> Option<R<()>> {
        Some(match op.op.as_str() {
            "new" if op.class.is_some() => self.new_class_object(op, name),
            "set_field" => self.set_field(op),
            "clear_field" => self.set_field(op),
            "take_field" => self.take_field(op, name),
            "gc_collect" => self.collect_cycles(),
            k if BORROWS.iter().any(|(b, _)| *b == k) => self.borrow_op(op, name),
            _ => return None,
        })
    }

    fn new_class_object(&mut self, op: &Op, name: &str) -> R<()> {
        let cname = op.class.as_deref().unwrap();
        let decl = self.classes.iter().position(|d| d.name == cname).expect("parser checked the class");
        let kind = rel::classes::kind_of(&self.classes[decl])?;
        let (py, tid) = self.need_py("new")?;
        let api = op.api.as_deref().unwrap();
        let fields = self.classes[decl].fields.clone();
        let sub = self.classes[decl].subclass_holds_instance;
        let (val, slot) = guard(|| rel::new_class_object(py, kind, api, &fields, sub))?;
        self.obj_class.insert(slot, ClassOf { decl, kind });
        let tok = if val.kind() == "py" { None } else { Some(tid) };
        let h = self.new_handle(name, val, Some(slot), tok, None);
        self.introduce(h);
        Ok(())
    }

    /// A handle that may stand where an object is expected (not a `PyRef` or guard).
    pub(super) fn value_handle(&self, name: &str) -> R<usize> {
        let id = self.lookup(name)?;
        let kind = self.handles[id].kind;
        if is_borrow_kind(kind) {
            return compile(format!(
                "E0308: mismatched types: `{name}` is a {kind} (a borrow of the Rust struct inside the object), not a Python object handle; use the handle it borrows from"
            ));
        }
        Ok(id)
    }

    /// The declared class of the object a handle refers to, and the field the op names.
    fn field_target(&self, id: usize, field: &str) -> R<ClassOf> {
        let h = &self.handles[id];
        let class = h.obj.and_then(|s| self.obj_class.get(&s)).copied().ok_or_else(|| {
            Fail::Compile(format!("E0609: no field `{field}` on `{}`: it is not an object of a declared #[pyclass]", h.name))
        })?;
        let decl = &self.classes[class.decl];
        if !decl.fields.iter().any(|f| f == field) {
            return compile(format!("E0609: no field `{field}` on type `{}` (its fields: {:?})", decl.name, decl.fields));
        }
        Ok(class)
    }

    /// `set_field` (`a.borrow_mut().f = Some(v.clone().unbind())`, +1 on the value, the old
    /// value released) and `clear_field` / `set_field` with a null value (`= None`).
    fn set_field(&mut self, op: &Op) -> R<()> {
        let (py, _) = self.need_py(&op.op)?;
        let field = op.field.as_deref().unwrap();
        let src = self.value_handle(op.src.as_deref().unwrap())?;
        let class = self.field_target(src, field)?;
        let value = match op.value.as_deref().filter(|_| op.op == "set_field") {
            Some(v) => Some(self.value_handle(v)?),
            None => None,
        };
        let (sv, vv) = (self.handles[src].val.as_ref().unwrap(), value.map(|v| self.handles[v].val.as_ref().unwrap()));
        guard(|| rel::set_field(py, class.kind, sv, field, vv))
    }

    /// `take_field`: `a.borrow_mut().f.take().unwrap()`, a `Py<PyAny>` handle (no refcount
    /// change); an empty field makes the `unwrap` panic.
    fn take_field(&mut self, op: &Op, name: &str) -> R<()> {
        let (py, _) = self.need_py("take_field")?;
        let field = op.field.as_deref().unwrap();
        let src = self.value_handle(op.src.as_deref().unwrap())?;
        let class = self.field_target(src, field)?;
        let sv = self.handles[src].val.as_ref().unwrap();
        let val = guard(|| rel::take_field(py, class.kind, sv, field).map(Option::unwrap))?;
        let obj = observe::slot_of(val.ptr());
        let h = self.new_handle(name, val, obj, None, None);
        self.introduce(h);
        Ok(())
    }

    /// The Rust type to borrow through: a declared class, `Obj` for a plain object.
    fn borrow_kind(&self, id: usize, what: &str) -> R<&'static str> {
        let h = &self.handles[id];
        let slot = h.obj.filter(|&s| observe::type_of(s) == Some("object"));
        match slot {
            Some(s) => Ok(self.obj_class.get(&s).map_or("Obj", |c| c.kind)),
            None => compile(format!("E0599: no method `{what}` on `{}`: borrows are for #[pyclass] objects", h.name)),
        }
    }

    /// `borrow` ... `guard_mut`: a `PyRef`/`PyRefMut` (owning from 0.21) or a guard (a borrowed
    /// pointer; it borrows the handle it came from, as rustc sees it).
    fn borrow_op(&mut self, op: &Op, name: &str) -> R<()> {
        let (py, tid) = self.need_py(&op.op)?;
        let src = self.value_handle(op.src.as_deref().unwrap())?;
        let kind = self.borrow_kind(src, &op.op)?;
        let sv = self.handles[src].val.as_ref().unwrap();
        let val = guard(|| rel::borrow(py, kind, &op.op, sv))?;
        let sh = &self.handles[src];
        let owned_src = matches!(sh.kind, "bound" | "py");
        let borrows = if rel::borrow_owns(val.kind()) {
            None
        } else if owned_src {
            Some(src)
        } else {
            sh.borrows
        };
        let obj = sh.obj;
        let h = self.new_handle(name, val, obj, Some(tid), borrows);
        self.introduce(h);
        Ok(())
    }

    /// `gc.collect()`: records what it returned, which program objects it freed, and the texts
    /// of the panics raised inside `__traverse__` meanwhile; a probe reports the last one.
    fn collect_cycles(&mut self) -> R<()> {
        self.need_py("gc_collect")?;
        let _ = observe::take_traverse_panics();
        let before = observe::alive();
        let n = unsafe { gc_call("collect") }.map_err(Fail::Exception)?;
        let after = observe::alive();
        let freed: Vec<String> =
            (0..before.len()).filter(|&i| before[i] && !after.get(i).copied().unwrap_or(true)).map(|i| i.to_string()).collect();
        let panics: Vec<String> = observe::take_traverse_panics().iter().map(|t| esc(t)).collect();
        self.last_gc = Some(format!(
            "{{\"returned\":{n},\"freed\":[{}],\"traverse_panics\":[{}]}}",
            freed.join(","),
            panics.join(",")
        ));
        Ok(())
    }
}
