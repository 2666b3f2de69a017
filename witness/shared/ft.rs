// What the free-threaded witness adds to the shared interpreter (a child module of `interp`,
// so it sees the interpreter's private state; included by ft_build.rs's edit of interp.rs, for
// both free-threaded crates).
use super::*;

impl Interp {
    /// On a free-threaded interpreter attaching never waits for another thread's GIL: there is
    /// none. Whether the program finishes is left to the real interpreter.
    pub(super) fn check_gil_free(&self) -> R<()> {
        Ok(())
    }
}
