//! No import circles between the modules of a crate: reads each source file's paths into other
//! modules (`crate::a::b`, `super::x`, `self::y`, `child::z`) and fails on any cycle.
//!
//! The crate root (`lib.rs`, or `main.rs` without one) is left out: it declares every module and
//! re-exports the crate's face, so it sits above them all. A path to an item the root re-exports
//! (`pub use world::World`) counts as a path to the module it comes from, and a module's
//! re-export of its own children (`pub use vcd::*` in `ffi`) is its face, not a use. Test modules
//! (`#[cfg(test)]` onwards) are left out too: they import their own file through `super`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

struct Crate {
    /// Module path -> source text (test modules and comments cut).
    modules: BTreeMap<ModPath, String>,
    /// Item name the root re-exports -> the module it comes from.
    root_reexports: BTreeMap<String, ModPath>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            // `//` inside a string (a URL) is rare next to a path; cutting the rest of the line is safe.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn load(src: &Path) -> Crate {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let has_lib = src.join("lib.rs").exists();
    let mut modules = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let last = parts.pop().unwrap();
        match last.as_str() {
            "lib.rs" if parts.is_empty() => {}
            "main.rs" if parts.is_empty() && has_lib => continue, // a separate crate (the binary)
            "main.rs" if parts.is_empty() => {}
            "mod.rs" => {}
            other => parts.push(other.trim_end_matches(".rs").to_string()),
        }
        let text = std::fs::read_to_string(&file).unwrap();
        modules.insert(parts, code_of(&text));
    }
    let root = modules.get(&Vec::new()).cloned().unwrap_or_default();
    let mut root_reexports = BTreeMap::new();
    for line in root.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("pub use ").or_else(|| line.strip_prefix("pub(crate) use ")) else { continue };
        for path in expand(rest.trim_end_matches(';')) {
            if let (Some(first), Some(name)) = (path.first(), path.last()) {
                if modules.contains_key(&vec![first.clone()]) {
                    root_reexports.insert(name.clone(), vec![first.clone()]);
                }
            }
        }
    }
    Crate { modules, root_reexports }
}

/// `a::{b, c::{d, e}}` -> [[a,b], [a,c,d], [a,c,e]]; `self` in a group names the prefix.
fn expand(path: &str) -> Vec<Vec<String>> {
    let path = path.trim();
    let Some(open) = path.find('{') else {
        let segs: Vec<String> = path
            .split("::")
            .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
            .filter(|s| !s.is_empty() && s != "*" && s != "self")
            .collect();
        return vec![segs];
    };
    let prefix: Vec<String> = path[..open].split("::").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    let mut out = Vec::new();
    for item in items.into_iter().filter(|i| !i.trim().is_empty()) {
        for tail in expand(item) {
            let mut p = prefix.clone();
            p.extend(tail);
            out.push(p);
        }
    }
    out
}

/// The path text after `crate::` (or `super::`, ...): identifiers and `::`, or a `{...}` group.
fn path_at(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut depth = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            if depth == 0 {
                break;
            }
            depth -= 1;
            if depth == 0 {
                i += 1;
                break;
            }
        } else if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':' || c == '*') {
            break;
        }
        i += 1;
    }
    &text[..i]
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The modules each module's code reaches.
fn edges(krate: &Crate) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mut out: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, code) in &krate.modules {
        if module.is_empty() {
            continue;
        }
        let parent: ModPath = module[..module.len() - 1].to_vec();
        let children: BTreeSet<String> = krate
            .modules
            .keys()
            .filter(|k| k.len() == module.len() + 1 && k.starts_with(module))
            .map(|k| k.last().unwrap().clone())
            .collect();
        // A module presenting its children's items (`pub use child::Item`) is its face, not a use.
        let code: String = code
            .lines()
            .filter(|l| {
                let l = l.trim_start();
                let rest = l.strip_prefix("pub use ").or_else(|| l.strip_prefix("pub(crate) use "));
                !rest.is_some_and(|r| children.iter().any(|c| r.starts_with(&format!("{c}::"))))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut targets = BTreeSet::new();
        let mut i = 0;
        while i < code.len() {
            let rest = &code[i..];
            let boundary = i == 0 || !code[..i].ends_with(|c: char| is_ident_char(c) || c == ':');
            let word_end = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
            if !boundary || word_end == 0 {
                i += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let word = &rest[..word_end];
            if rest[word_end..].starts_with("::") {
                let base: Option<ModPath> = match word {
                    "crate" => Some(Vec::new()),
                    "super" => Some(parent.clone()),
                    "self" => Some(module.clone()),
                    w if children.contains(w) => Some({
                        let mut m = module.clone();
                        m.push(w.to_string());
                        m
                    }),
                    _ => None,
                };
                if let Some(base) = base {
                    let after = &rest[word_end + 2..];
                    for tail in expand(path_at(after)) {
                        let mut full = base.clone();
                        full.extend(tail);
                        if let Some(target) = resolve(krate, &full) {
                            if &target != module {
                                targets.insert(target);
                            }
                        }
                    }
                }
            }
            i += word_end.max(1);
        }
        out.insert(module.clone(), targets);
    }
    out
}

/// The module file a full path lands in: its longest prefix that is a module, or for an item of
/// the root, the module the root re-exports it from. `None` for the root itself.
fn resolve(krate: &Crate, full: &[String]) -> Option<ModPath> {
    for n in (1..=full.len()).rev() {
        if krate.modules.contains_key(&full[..n].to_vec()) {
            return Some(full[..n].to_vec());
        }
    }
    full.first().and_then(|name| krate.root_reexports.get(name).cloned())
}

fn cycles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<String>> {
    // A module is on a cycle when it reaches itself; report each such path once per start.
    let mut found = Vec::new();
    for start in graph.keys() {
        let mut stack = vec![(start.clone(), vec![start.join("::")])];
        let mut seen = BTreeSet::new();
        while let Some((node, trail)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let mut t = trail.clone();
                    t.push(start.join("::"));
                    found.push(t);
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.join("::"));
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    found
}

fn check(dir: &str) -> (usize, Vec<Vec<String>>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let krate = load(&src);
    let graph = edges(&krate);
    let count = graph.values().map(BTreeSet::len).sum();
    (count, cycles(&graph))
}

#[test]
fn no_module_imports_itself_through_others() {
    for dir in ["src", "emulator/src", "cli/src", "bench/src"] {
        let (edges, cycles) = check(dir);
        assert!(cycles.is_empty(), "{dir}: import circles:\n{}", cycles.iter().map(|c| c.join(" -> ")).collect::<Vec<_>>().join("\n"));
        if dir == "src" || dir == "emulator/src" {
            assert!(edges > 3, "{dir}: found only {edges} imports between modules; the reader is broken");
        }
    }
}

#[test]
fn the_reader_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("lib.rs", "mod a;\nmod b;\nmod c;\npub use c::Thing;\n");
    write("a.rs", "use crate::{b::{self, B}, x};\n");
    write("b.rs", "pub struct B;\nfn f() { let _ = crate::Thing; }\n");
    write("c.rs", "pub struct Thing;\n// crate::a::nothing\nfn g() { super::a::run(); }\n#[cfg(test)]\nmod tests { use crate::b::B; }\n");
    let krate = load(dir.path());
    let graph = edges(&krate);
    let names = |m: &str| graph[&vec![m.to_string()]].iter().map(|p| p.join("::")).collect::<Vec<_>>();
    assert_eq!(names("a"), ["b"]);
    assert_eq!(names("b"), ["c"]);
    assert_eq!(names("c"), ["a"]);
    let found = cycles(&graph);
    assert!(found.iter().any(|c| c.join(" -> ") == "a -> b -> c -> a"), "{found:?}");
}
