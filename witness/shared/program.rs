//! Parsing of program format v1 (`bound_demo.program/1`) into an op tree.
//!
//! Mirrors no PyO3 item: it is the release-independent front end shared by every witness build.
//! It only checks the *shape* of a program (known op, required keys, key types); whether the Rust
//! the program stands for would compile is decided while interpreting, per release.

use serde_json::Value;

/// One op of a program, with every key the format defines (absent keys are `None`/empty).
#[derive(Debug, Clone)]
pub struct Op {
    pub op: String,
    /// Index path of this op, e.g. `ops[2].body[0]`, used in every message.
    pub path: String,
    pub as_: Option<String>,
    pub src: Option<String>,
    pub item: Option<String>,
    pub to: Option<String>,
    pub label: Option<String>,
    pub name: Option<String>,
    pub ty: Option<String>,
    pub api: Option<String>,
    /// `new`: the declared `#[pyclass]` (from the program's `classes`), if any.
    pub class: Option<String>,
    /// `set_field`, `take_field`, `clear_field`: the field's name.
    pub field: Option<String>,
    /// `set_field`: the handle stored in the field (`None`: the op clears it).
    pub value: Option<String>,
    pub items: Vec<String>,
    pub index: i64,
    pub times: u64,
    pub body: Vec<Op>,
}

/// Ops that open a scope and therefore must carry a `body` list.
const BLOCKS: &[&str] = &[
    "gil", "nogil", "with_gil", "attach", "allow_threads", "detach", "pyfunction", "new_pool", "with_pool",
    "repeat", "thread",
];

/// Required string keys per value op (besides `op`).
fn required(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "new" => &["as", "type", "api"],
        "clone" | "clone_ref" | "unbind" | "into_bound" | "bind" | "bind_borrowed"
        | "as_borrowed" | "to_owned" | "into_gil_ref" | "as_gil_ref" | "into_py" | "into_ref"
        | "as_ref" => &["src", "as"],
        "drop" | "drop_ref" | "return" | "py_del" => &["src"],
        "append" => &["src", "item"],
        "get_item" | "get_borrowed_item" => &["src", "as"],
        "send" => &["src", "to"],
        "probe" => &["label"],
        "with_gil" | "attach" | "allow_threads" | "detach" | "pyfunction" | "new_pool"
        | "with_pool" | "gil" | "nogil" => &[],
        "repeat" => &[],
        "thread" => &["name"],
        "set_field" | "clear_field" => &["src", "field"],
        "take_field" => &["src", "field", "as"],
        "gc_collect" => &[],
        "borrow" | "borrow_mut" | "try_borrow" | "try_borrow_mut" | "guard" | "guard_mut" => &["src", "as"],
        _ => return None,
    })
}

fn get_str(obj: &serde_json::Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{path}: key \"{key}\" must be a string")),
    }
}

fn parse_op(v: &Value, path: String) -> Result<Op, String> {
    let obj = v.as_object().ok_or_else(|| format!("{path}: an op must be a JSON object"))?;
    let name = match obj.get("op") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(format!("{path}: missing string key \"op\"")),
    };
    let req = required(&name).ok_or_else(|| format!("{path}: unknown op \"{name}\""))?;
    for key in req {
        if get_str(obj, key, &path)?.is_none() {
            return Err(format!("{path}: op \"{name}\" needs key \"{key}\""));
        }
    }
    let items = match obj.get("items") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("{path}: \"items\" must be a list of names"))?,
        Some(_) => return Err(format!("{path}: \"items\" must be a list of names")),
    };
    let index = match obj.get("index") {
        None | Some(Value::Null) if name.contains("get_") => {
            return Err(format!("{path}: op \"{name}\" needs integer key \"index\""))
        }
        None | Some(Value::Null) => 0,
        Some(x) => x.as_i64().ok_or_else(|| format!("{path}: \"index\" must be an integer"))?,
    };
    let times = match obj.get("times") {
        None | Some(Value::Null) if name == "repeat" => {
            return Err(format!("{path}: op \"repeat\" needs integer key \"times\""))
        }
        None | Some(Value::Null) => 0,
        Some(x) => x.as_u64().ok_or_else(|| format!("{path}: \"times\" must be a non-negative integer"))?,
    };
    let is_block = BLOCKS.contains(&name.as_str());
    let body = match obj.get("body") {
        Some(Value::Array(a)) if is_block => parse_list(a, &format!("{path}.body"))?,
        None if is_block => return Err(format!("{path}: op \"{name}\" needs a list \"body\"")),
        Some(_) if is_block => return Err(format!("{path}: \"body\" must be a list of ops")),
        _ => Vec::new(),
    };
    let ty = get_str(obj, "type", &path)?;
    if let Some(t) = &ty {
        if name == "new" && !["object", "list", "dict", "tuple"].contains(&t.as_str()) {
            return Err(format!("{path}: unknown type \"{t}\""));
        }
    }
    let api = get_str(obj, "api", &path)?;
    if let Some(a) = &api {
        if !["gil_ref", "bound", "py"].contains(&a.as_str()) {
            return Err(format!("{path}: unknown api \"{a}\""));
        }
    }
    let (class, field, value) = (get_str(obj, "class", &path)?, get_str(obj, "field", &path)?, get_str(obj, "value", &path)?);
    Ok(Op {
        path,
        as_: get_str(obj, "as", "")?,
        src: get_str(obj, "src", "")?,
        item: get_str(obj, "item", "")?,
        to: get_str(obj, "to", "")?,
        label: get_str(obj, "label", "")?,
        name: get_str(obj, "name", "")?,
        ty,
        api,
        class,
        field,
        value,
        items,
        index,
        times,
        body,
        op: name,
    })
}

fn parse_list(a: &[Value], prefix: &str) -> Result<Vec<Op>, String> {
    a.iter().enumerate().map(|(i, v)| parse_op(v, format!("{prefix}[{i}]"))).collect()
}

/// Static checks that need no release: every name a value op reads was introduced earlier in
/// an enclosing body (lexically, as Rust resolves names), `return` ends a non-loop body, a block
/// with `as` returns something, `py_del` names a Python variable some earlier pyfunction set.
/// These make a program malformed (the same contract as the model's parser), not a Rust error.
struct Checker<'a> {
    scopes: Vec<Vec<String>>,
    py_vars: Vec<String>,
    classes: &'a [ClassDecl],
}

impl Checker<'_> {
    fn visible(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.iter().any(|n| n == name))
    }

    fn body(&mut self, ops: &[Op], in_repeat: bool) -> Result<(), String> {
        self.scopes.push(Vec::new());
        for (i, op) in ops.iter().enumerate() {
            self.op(op, i + 1 == ops.len(), in_repeat)?;
        }
        self.scopes.pop();
        Ok(())
    }

    fn op(&mut self, op: &Op, last: bool, in_repeat: bool) -> Result<(), String> {
        let (p, k) = (&op.path, op.op.as_str());
        for name in [&op.as_, &op.src, &op.item, &op.to, &op.label, &op.name, &op.field, &op.value].into_iter().flatten() {
            if name.is_empty() || name.chars().count() > 80 {
                return Err(format!("{p}: names must have 1 to 80 characters"));
            }
        }
        if k == "py_del" {
            let v = op.src.as_deref().unwrap();
            if !self.py_vars.iter().any(|n| n == v) {
                return Err(format!("{p}: py_del: unknown Python variable {v:?}"));
            }
        } else {
            for (key, name) in [("src", &op.src), ("item", &op.item), ("value", &op.value)] {
                if let Some(n) = name {
                    if !self.visible(n) {
                        return Err(format!("{p}: {k}: unknown handle {n:?} ('{key}' names no variable in scope)"));
                    }
                }
            }
        }
        if k == "new" {
            let ty = op.ty.as_deref().unwrap();
            if let Some(c) = &op.class {
                if ty != "object" {
                    return Err(format!("{p}: new: 'class' names a #[pyclass]: type must be 'object'"));
                }
                if !self.classes.iter().any(|d| &d.name == c) {
                    return Err(format!("{p}: new: unknown class {c:?} (declare it in the program's \"classes\")"));
                }
            }
            if op.api.as_deref() == Some("py") && ty != "object" {
                return Err(format!("{p}: new: api 'py' (Py::new) takes a #[pyclass] value: type must be 'object'"));
            }
            if !op.items.is_empty() && ty != "list" && ty != "tuple" {
                return Err(format!("{p}: new: 'items' is for lists and tuples"));
            }
            for (j, it) in op.items.iter().enumerate() {
                if !self.visible(it) {
                    return Err(format!("{p}.items[{j}]: unknown handle {it:?}"));
                }
            }
        }
        if (k == "get_item" || k == "get_borrowed_item") && op.index < 0 {
            return Err(format!("{p}: {k}: 'index' must be >= 0 (Rust takes a usize)"));
        }
        if k == "return" {
            if !last {
                return Err(format!("{p}: 'return' must be the last op of a body"));
            }
            if in_repeat {
                return Err(format!("{p}: 'return' cannot end a repeat body (a for loop yields no value)"));
            }
        }
        if !op.body.is_empty() || BLOCKS.contains(&k) {
            self.body(&op.body, k == "repeat")?;
            let returns = op.body.last().map_or(false, |o| o.op == "return");
            if op.as_.is_some() && !returns && k != "pyfunction" {
                return Err(format!("{p}: {k}: 'as' names the block's result, but its body has no 'return'"));
            }
            if let Some(a) = &op.as_ {
                if k == "pyfunction" {
                    self.py_vars.push(a.clone());
                } else {
                    self.scopes.last_mut().unwrap().push(a.clone());
                }
            }
        } else if let Some(a) = &op.as_ {
            self.scopes.last_mut().unwrap().push(a.clone());
        }
        Ok(())
    }
}

/// One `#[pyclass]` a program declares (issue 13): its `Option<Py<PyAny>>` fields and which GC
/// methods it implements. The witness has one real Rust type per combination (see classes.rs).
#[derive(Debug, Clone)]
pub struct ClassDecl {
    pub name: String,
    pub fields: Vec<String>,
    pub traverse: bool,
    pub clear: bool,
    pub traverse_attaches: bool,
    /// #6269's program: each instance is made by a fresh Python subclass whose `me` holds it.
    pub subclass_holds_instance: bool,
}

fn flag(obj: &serde_json::Map<String, Value>, key: &str, path: &str) -> Result<bool, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{path}: \"{key}\" must be true or false")),
    }
}

fn field_names(obj: &serde_json::Map<String, Value>, path: &str) -> Result<Vec<String>, String> {
    let bad = || format!("{path}: \"fields\" must be a list of distinct names (1 to 80 characters)");
    let list = match obj.get("fields") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad()),
    };
    let names: Vec<String> = list.iter().map(|x| x.as_str().map(str::to_owned)).collect::<Option<_>>().ok_or_else(bad)?;
    let distinct = names.iter().enumerate().all(|(i, n)| !names[..i].contains(n));
    let sized = names.iter().all(|n| !n.is_empty() && n.chars().count() <= 80);
    if distinct && sized { Ok(names) } else { Err(bad()) }
}

fn parse_class(name: &str, v: &Value) -> Result<ClassDecl, String> {
    let path = format!("classes.{name}");
    let obj = v.as_object().ok_or_else(|| format!("{path}: a class must be a JSON object"))?;
    Ok(ClassDecl {
        name: name.to_owned(),
        fields: field_names(obj, &path)?,
        traverse: flag(obj, "traverse", &path)?,
        clear: flag(obj, "clear", &path)?,
        traverse_attaches: flag(obj, "traverse_attaches", &path)?,
        subclass_holds_instance: flag(obj, "subclass_holds_instance", &path)?,
    })
}

/// The program's top-level `classes` (absent: none).
fn parse_classes(v: &Value) -> Result<Vec<ClassDecl>, String> {
    match v.get("classes") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) => m.iter().map(|(k, c)| parse_class(k, c)).collect(),
        Some(_) => Err("classes: must be an object mapping class names to declarations".into()),
    }
}

/// A parsed program: its ops and the classes it declares.
pub struct Program {
    pub ops: Vec<Op>,
    pub classes: Vec<ClassDecl>,
}

/// Parses a whole program; the error string names the op path and what is wrong.
pub fn parse(text: &str) -> Result<Program, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("program is not JSON: {e}"))?;
    let ops = v
        .get("ops")
        .and_then(Value::as_array)
        .ok_or_else(|| "program needs a list \"ops\"".to_owned())?;
    match v.get("format").and_then(Value::as_str) {
        Some("bound_demo.program/1") => {}
        other => return Err(format!("format: expected \"bound_demo.program/1\", got {other:?}")),
    }
    let ops = parse_list(ops, "ops")?;
    let classes = parse_classes(&v)?;
    Checker { scopes: Vec::new(), py_vars: Vec::new(), classes: &classes }.body(&ops, false)?;
    Ok(Program { ops, classes })
}
