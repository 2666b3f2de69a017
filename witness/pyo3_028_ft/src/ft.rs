// What the free-threaded witness adds to the shared interpreter (a child module of `interp`,
// so it sees the interpreter's private state; included by build.rs's edit of interp.rs).
use super::*;

impl Interp {
    /// On a free-threaded interpreter attaching never waits for another thread's GIL: there is
    /// none. Whether the program finishes is left to the real interpreter.
    pub(super) fn check_gil_free(&self) -> R<()> {
        Ok(())
    }

    /// `gc_collect`: the program's Rust runs `gc.collect()` on this thread, which needs `py`
    /// (`py.import("gc")?.call_method0("collect")`). CPython stops the world for it: it waits
    /// until every other attached thread detaches or reaches a safe point. The call is made with
    /// the raw C API, common to every release, so that no PyO3 pool or count is involved.
    #[allow(dead_code)]
    pub(super) fn gc_collect(&mut self, op: &Op) -> Result<(), (Fail, String)> {
        let _py = self.need_py("gc.collect()").map_err(|f| (f, op.path.clone()))?;
        let failed = unsafe {
            let gc = ffi::PyImport_ImportModule(c"gc".as_ptr());
            if gc.is_null() {
                true
            } else {
                let r = ffi::PyObject_CallMethod(gc, c"collect".as_ptr(), std::ptr::null());
                ffi::Py_DECREF(gc);
                if r.is_null() {
                    true
                } else {
                    ffi::Py_DECREF(r);
                    false
                }
            }
        };
        if failed {
            let msg = unsafe { blocks_fetch_error() };
            return Err((Fail::Exception(msg), op.path.clone()));
        }
        Ok(())
    }
}

unsafe fn blocks_fetch_error() -> String {
    super::blocks::fetch_error_message()
}
