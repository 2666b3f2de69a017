//! The build script of both free-threaded crates (pyo3_028_ft, pyo3_023_ft). It derives the
//! free-threaded interpreter from the shared one (witness/shared, left unchanged):
//! each file is copied into OUT_DIR with a few named edits, and every edit must apply exactly
//! once, so a change in the shared code that breaks an edit fails this build loudly.
//!
//! The edits: the class ops' module is included from OUT_DIR like the blocks module, and
//! ft.rs beside them is a child module of the interpreter; the GIL build's deadlock rule ("a thread waits for the
//! GIL another thread holds") is dropped, because on a free-threaded interpreter attaching does
//! not exclude other threads: the real interpreter decides, and a real hang is caught by the
//! caller's timeout. Inner doc comments are removed because `include!` does not allow them.
use std::{env, fs, path::Path};

fn edit(text: &str, file: &str, from: &str, to: &str) -> String {
    let n = text.matches(from).count();
    if n != 1 {
        panic!("build.rs: edit of {file} expects {from:?} exactly once, found {n}");
    }
    text.replacen(from, to, 1)
}

fn strip_inner_docs(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//!")).collect::<Vec<_>>().join("\n")
}

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let out = env::var("OUT_DIR").unwrap();
    let read = |f: &str| {
        println!("cargo:rerun-if-changed={}", shared.join(f).display());
        strip_inner_docs(&fs::read_to_string(shared.join(f)).unwrap())
    };
    let program = read("program.rs");
    let classes = read("interp_classes.rs");
    let interp = read("interp.rs");
    let interp = edit(&interp, "interp.rs", "#[path = \"interp_classes.rs\"]\nmod class_ops;",
        "mod class_ops { include!(concat!(env!(\"OUT_DIR\"), \"/interp_classes.rs\")); }");
    let interp = edit(&interp, "interp.rs", "#[path = \"interp_blocks.rs\"]\nmod blocks;",
        "mod blocks { include!(concat!(env!(\"OUT_DIR\"), \"/interp_blocks.rs\")); }\n\
         mod ft { include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../shared/ft.rs\")); }");
    // The shared parser and class ops (interp_classes.rs) know `gc_collect`: a collection is
    // recorded (what it returned and freed) as on the GIL builds.
    let blocks = edit(&read("interp_blocks.rs"), "interp_blocks.rs",
        "pub(super) fn check_gil_free(&self) -> R<()> {",
        "#[allow(dead_code)]\n    pub(super) fn check_gil_free_gil_build(&self) -> R<()> {");
    for (name, text) in [("program.rs", program), ("interp.rs", interp), ("interp_blocks.rs", blocks), ("interp_classes.rs", classes)] {
        fs::write(Path::new(&out).join(name), text).unwrap();
    }
    println!("cargo:rerun-if-changed=../shared/ft.rs");
}
