//! Non-disturbing observation of program objects: liveness and raw refcounts.
//!
//! Mirrors no PyO3 API; it uses only `pyo3::ffi` items that are identical in every release the
//! witness is built for (`Py_REFCNT`, `PyList_Type`, `PyDict_Type`, `PyTuple_Type`, `destructor`,
//! `PyType_IS_GC`).
//!
//! * `#[pyclass]` objects carry a slot number; their Rust `Drop` (run by PyO3's `tp_dealloc`)
//!   marks the slot freed. This needs no Python API call at all.
//! * Lists, dicts and tuples cannot hold weak references, and a Python subclass would not be the
//!   object the PyO3 API under test creates. Instead the `tp_dealloc` slot of the three built-in
//!   types is wrapped once per process: the wrapper looks the pointer up in this module's table of
//!   live program containers, marks it freed, and calls the original deallocator. Every other
//!   object of those types pays one atomic load (the table is empty between runs) or one lock.
//!   Several witness modules in one process chain their wrappers, each checking its own table.
//! * Refcounts are read with `ffi::Py_REFCNT` only for objects known to be alive. The read is a
//!   plain memory load: it neither attaches to the interpreter nor touches PyO3's reference pool,
//!   so it is taken even on a thread that is not attached (a Simplification: all other program
//!   threads are parked while one runs, so no program thread writes the count concurrently).

use pyo3::ffi;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};

pub struct Entry {
    pub ty: &'static str,
    pub ptr: usize,
    pub alive: bool,
    /// For an object of a declared `#[pyclass]`: the address of its field table inside the
    /// object (valid while `alive`), else 0.
    pub fields: usize,
    /// Borrows of a declared pyclass object that real PyO3 granted and that are still held:
    /// the shared count, or -1 for the exclusive one.
    pub borrow: i64,
    /// A shared singleton (CPython hands out one empty tuple): its count and life are not the
    /// program's, so it is reported as unobservable.
    pub shared: bool,
}

struct Registry {
    /// Increases with every run, so objects of an earlier run that die late are ignored.
    run: u64,
    entries: Vec<Entry>,
    /// Live program containers (list, dict, tuple) by address.
    containers: BTreeMap<usize, usize>,
}

static REG: Mutex<Registry> = Mutex::new(Registry { run: 0, entries: Vec::new(), containers: BTreeMap::new() });
/// Number of entries in `containers`; lets the dealloc wrappers skip the lock almost always.
static TRACKED: AtomicUsize = AtomicUsize::new(0);

fn reg() -> std::sync::MutexGuard<'static, Registry> {
    REG.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts a new run: forgets every earlier object. Returns the run id.
pub fn reset() -> u64 {
    let mut r = reg();
    r.run += 1;
    r.entries.clear();
    r.containers.clear();
    TRACKED.store(0, Ordering::SeqCst);
    r.run
}

/// Reserves the slot of the next program object (so a `#[pyclass]` value can carry it).
pub fn next_slot() -> (u64, usize) {
    let r = reg();
    (r.run, r.entries.len())
}

/// Records a just-created program object; returns its slot (object id = slot + 1).
pub fn register(ty: &'static str, ptr: *mut ffi::PyObject) -> usize {
    register_with(ty, ptr, 1)
}

/// `register` for a fresh object that already has `refs` references (a Python subclass's
/// instance is also held by its class attribute, #6269's program).
pub fn register_with(ty: &'static str, ptr: *mut ffi::PyObject, refs: isize) -> usize {
    let mut r = reg();
    let slot = r.entries.len();
    // A fresh object has exactly the references its creator made; anything else is a
    // singleton CPython reuses (the empty tuple), which never dies.
    let shared = unsafe { ffi::Py_REFCNT(ptr) } as isize != refs;
    r.entries.push(Entry { ty, ptr: ptr as usize, alive: true, shared, fields: 0, borrow: 0 });
    if ty != "object" && !shared {
        r.containers.insert(ptr as usize, slot);
        TRACKED.fetch_add(1, Ordering::SeqCst);
    }
    slot
}

/// Called from the `#[pyclass]` value's `Drop`.
pub fn pyclass_dropped(run: u64, slot: usize) {
    let mut r = reg();
    if r.run == run {
        if let Some(e) = r.entries.get_mut(slot) {
            e.alive = false;
        }
    }
}

/// Records where a declared pyclass object keeps its fields (read by `snapshot`).
pub fn set_fields(slot: usize, fields: *const crate::rel::classes::Fields) {
    if let Some(e) = reg().entries.get_mut(slot) {
        e.fields = fields as usize;
    }
}

/// A borrow real PyO3 granted (`exclusive`: `borrow_mut`, `try_borrow_mut`, `guard_mut`).
pub fn borrow_taken(slot: usize, exclusive: bool) {
    if let Some(e) = reg().entries.get_mut(slot) {
        e.borrow = if exclusive { -1 } else { e.borrow + 1 };
    }
}

/// The handle of a granted borrow is dropped (PyO3 releases the flag in the same drop).
pub fn borrow_released(slot: usize, exclusive: bool) {
    if let Some(e) = reg().entries.get_mut(slot) {
        e.borrow = if exclusive { 0 } else { e.borrow - 1 };
    }
}

/// Whether each program object is alive, in slot order (for what a collection freed).
pub fn alive() -> Vec<bool> {
    reg().entries.iter().map(|e| e.alive).collect()
}

/// Texts of the panics raised inside `__traverse__` since the last `take_traverse_panics`.
static TRAVERSE_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub fn traverse_panic(text: String) {
    TRAVERSE_PANICS.lock().unwrap_or_else(|p| p.into_inner()).push(text);
}

pub fn take_traverse_panics() -> Vec<String> {
    std::mem::take(&mut *TRAVERSE_PANICS.lock().unwrap_or_else(|p| p.into_inner()))
}

/// The type of the program object in a slot (`"object"`, `"list"`, ...).
pub fn type_of(slot: usize) -> Option<&'static str> {
    reg().entries.get(slot).map(|e| e.ty)
}

/// Slot of a live program object at this address, if any.
pub fn slot_of(ptr: *mut ffi::PyObject) -> Option<usize> {
    let r = reg();
    r.entries.iter().rposition(|e| e.alive && e.ptr == ptr as usize)
}

/// What a probe records for one object.
pub struct Seen {
    pub ty: &'static str,
    /// None for a shared singleton.
    pub alive: Option<bool>,
    pub refcount: Option<isize>,
    /// For a live list or tuple: the slot of each item (None for an item that is not a live
    /// program object).
    pub items: Vec<Option<usize>>,
    /// For a live `#[pyclass]` object (a declared class or the plain `Obj`).
    pub class: Option<ClassSeen>,
}

/// What a probe records of a `#[pyclass]` object.
pub struct ClassSeen {
    /// For a declared class, each field in declaration order: `None` when empty, else the slot
    /// it points at (`None` inside when that is not a live program object). `None` for `Obj`.
    pub fields: Option<Vec<(String, Option<Option<usize>>)>>,
    /// `Py_TPFLAGS_HAVE_GC` on its type: whether the collector tracks it.
    pub gc: bool,
    pub borrow: i64,
}

/// One probe, in creation order. Item pointers are read with the non-API accessors
/// (`PyList_GET_ITEM` and friends): plain loads, no reference taken.
pub fn snapshot() -> Vec<Seen> {
    let r = reg();
    // An item that is the shared empty tuple cannot be told apart from other empty tuples, so
    // it is reported as unknown.
    let slot_at = |p: *mut ffi::PyObject| {
        r.entries.iter().rposition(|e| e.alive && e.ptr == p as usize).filter(|&k| !r.entries[k].shared)
    };
    r.entries
        .iter()
        .map(|e| {
            if e.shared {
                return Seen { ty: e.ty, alive: None, refcount: None, items: Vec::new(), class: None };
            }
            if !e.alive {
                return Seen { ty: e.ty, alive: Some(false), refcount: None, items: Vec::new(), class: None };
            }
            let o = e.ptr as *mut ffi::PyObject;
            // SAFETY: the object is alive (its dealloc has not run), so its memory is readable.
            let items = unsafe {
                match e.ty {
                    "list" => (0..ffi::PyList_GET_SIZE(o)).map(|i| slot_at(ffi::PyList_GET_ITEM(o, i))).collect(),
                    "tuple" => (0..ffi::PyTuple_GET_SIZE(o)).map(|i| slot_at(ffi::PyTuple_GET_ITEM(o, i))).collect(),
                    _ => Vec::new(),
                }
            };
            let class = (e.ty == "object").then(|| class_seen(e, o, &slot_at));
            Seen { ty: e.ty, alive: Some(true), refcount: Some(unsafe { ffi::Py_REFCNT(o) } as isize), items, class }
        })
        .collect()
}

/// Reads a live pyclass object's fields and type flag. SAFETY of the loads: the object is alive,
/// so its field table is; Simplification: the table is read with plain loads while a
/// `PyRefMut` may be held, which is sound only because no program code runs during a probe.
fn class_seen(e: &Entry, o: *mut ffi::PyObject, slot_at: &dyn Fn(*mut ffi::PyObject) -> Option<usize>) -> ClassSeen {
    let fields = (e.fields != 0).then(|| {
        let table = unsafe { &*(e.fields as *const crate::rel::classes::Fields) };
        table.0.iter().map(|(n, v)| (n.clone(), v.as_ref().map(|p| slot_at(p.as_ptr())))).collect()
    });
    let gc = unsafe { ffi::PyType_IS_GC(ffi::Py_TYPE(o)) } != 0;
    ClassSeen { fields, gc, borrow: e.borrow }
}

fn container_freed(ptr: *mut ffi::PyObject) {
    if TRACKED.load(Ordering::SeqCst) == 0 {
        return;
    }
    let mut r = reg();
    if let Some(slot) = r.containers.remove(&(ptr as usize)) {
        TRACKED.fetch_sub(1, Ordering::SeqCst);
        r.entries[slot].alive = false;
    }
}

// The original deallocators, written once by `install_hooks` before any wrapper can run.
static ORIG_LIST: OnceLock<ffi::destructor> = OnceLock::new();
static ORIG_DICT: OnceLock<ffi::destructor> = OnceLock::new();
static ORIG_TUPLE: OnceLock<ffi::destructor> = OnceLock::new();

// The wrappers release the registry lock before calling the original deallocator, because
// freeing a container decrefs its items and may free further tracked objects re-entrantly.
unsafe extern "C" fn list_dealloc(o: *mut ffi::PyObject) {
    container_freed(o);
    (ORIG_LIST.get().expect("hooks installed"))(o)
}
unsafe extern "C" fn dict_dealloc(o: *mut ffi::PyObject) {
    container_freed(o);
    (ORIG_DICT.get().expect("hooks installed"))(o)
}
unsafe extern "C" fn tuple_dealloc(o: *mut ffi::PyObject) {
    container_freed(o);
    (ORIG_TUPLE.get().expect("hooks installed"))(o)
}

static HOOKS: Once = Once::new();

/// Wraps the three deallocators. Must be called with the GIL held (module init).
pub fn install_hooks() {
    HOOKS.call_once(|| unsafe {
        let list = std::ptr::addr_of_mut!(ffi::PyList_Type);
        let dict = std::ptr::addr_of_mut!(ffi::PyDict_Type);
        let tuple = std::ptr::addr_of_mut!(ffi::PyTuple_Type);
        let _ = ORIG_LIST.set((*list).tp_dealloc.expect("list has a deallocator"));
        let _ = ORIG_DICT.set((*dict).tp_dealloc.expect("dict has a deallocator"));
        let _ = ORIG_TUPLE.set((*tuple).tp_dealloc.expect("tuple has a deallocator"));
        (*list).tp_dealloc = Some(list_dealloc);
        (*dict).tp_dealloc = Some(dict_dealloc);
        (*tuple).tp_dealloc = Some(tuple_dealloc);
    });
}
