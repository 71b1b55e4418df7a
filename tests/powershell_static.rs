//! The PowerShell module checked where pwsh cannot run: every script parses with the tree-sitter
//! PowerShell grammar, the manifest's exports are defined, every cmdlet of the reference exists
//! with its parameters, and every native call the module makes exists in the C# interop and the
//! C header.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tree_sitter::{Node, Parser, Tree};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn parse(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_powershell::LANGUAGE.into()).expect("the PowerShell grammar loads");
    parser.parse(text, None).expect("tree-sitter returns a tree")
}

fn scripts() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["powershell", "tests/powershell"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if matches!(p.extension().and_then(|x| x.to_str()), Some("ps1" | "psm1" | "psd1")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn problems(node: Node, text: &str, out: &mut Vec<String>) {
    if node.is_error() || node.is_missing() {
        let line = node.start_position().row + 1;
        let snippet: String = text[node.byte_range()].chars().take(60).collect();
        out.push(format!("line {line}: {} `{snippet}`", if node.is_missing() { "missing" } else { "syntax error" }));
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        problems(child, text, out);
    }
}

#[test]
fn every_script_parses() {
    let files = scripts();
    assert!(files.len() >= 3, "found {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let tree = parse(&text);
        let mut found = Vec::new();
        problems(tree.root_node(), &text, &mut found);
        for p in found {
            failures.push(format!("{}: {p}", f.display()));
        }
    }
    assert!(failures.is_empty(), "syntax errors:\n{}", failures.join("\n"));
}

#[test]
fn the_parser_catches_syntax_errors() {
    let bad = "function Get-X {\n  param([string] $Name\n  if ($Name) { 'x' \n}";
    let mut found = Vec::new();
    problems(parse(bad).root_node(), bad, &mut found);
    assert!(!found.is_empty(), "a broken script must be reported");
}

/// Function name -> the text of its definition.
fn functions(text: &str) -> Vec<(String, String)> {
    let tree = parse(text);
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "function_statement" {
            let mut cursor = node.walk();
            let name = node
                .children(&mut cursor)
                .find(|c| c.kind() == "function_name")
                .map(|c| text[c.byte_range()].to_string())
                .unwrap_or_default();
            out.push((name, text[node.byte_range()].to_string()));
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    out
}

/// The `$Name`s declared in a function's first `param(...)` block.
fn parameters(function_text: &str) -> BTreeSet<String> {
    let start = function_text.find("param(").expect("an advanced function has a param block") + "param(".len();
    let mut depth = 1;
    let mut end = start;
    for (i, c) in function_text[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = start + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let block = &function_text[start..end];
    let mut names = BTreeSet::new();
    let bytes: Vec<char> = block.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == '$' {
            let name: String = bytes[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if !name.is_empty() && name != "true" && name != "false" && name != "null" {
                names.insert(name.to_lowercase());
            }
            i += 1;
        }
        i += 1;
    }
    names
}

fn manifest_exports() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("powershell/VcsNative.psd1")).unwrap();
    let start = text.find("FunctionsToExport").unwrap();
    let open = start + text[start..].find("@(").unwrap() + 2;
    let close = open + text[open..].find(')').unwrap();
    text[open..close]
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|s| s.trim_matches('\''))
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn manifest_exports_are_defined_and_exported() {
    let psm1 = std::fs::read_to_string(root().join("powershell/VcsNative.psm1")).unwrap();
    let defined: BTreeSet<String> = functions(&psm1).into_iter().map(|(n, _)| n).collect();
    let exports = manifest_exports();
    assert_eq!(exports.len(), 18, "{exports:?}");
    for vcd in ["Connect-Vcd", "Disconnect-Vcd", "Get-VcdUser", "New-VcdUser", "Set-VcdUser", "Remove-VcdUser", "Get-VcdRole"] {
        assert!(exports.iter().any(|e| e == vcd), "{vcd} is not exported");
    }
    for e in &exports {
        assert!(defined.contains(e), "{e} is exported by the manifest but not defined in VcsNative.psm1");
        assert!(psm1.contains(&format!("'{e}'")), "{e} is missing from Export-ModuleMember");
    }
    let manifest = std::fs::read_to_string(root().join("powershell/VcsNative.psd1")).unwrap();
    for file in ["VcsNative.Format.ps1xml", "VcsNative.Types.ps1xml", "VcsNative.psm1"] {
        assert!(manifest.contains(file) && root().join("powershell").join(file).exists(), "{file}");
    }
    assert!(manifest.contains("CompatiblePSEditions = @('Core')") && manifest.contains("PowerShellVersion    = '7.2'"));
}

/// The cmdlets and parameters of section 1.2 of the reference, read from the reference itself.
fn reference_cmdlets() -> Option<Vec<(String, BTreeSet<String>)>> {
    let path = root().join("../shared/reference/csp-api.md");
    let text = std::fs::read_to_string(path).ok()?;
    let common = ["whatif", "confirm", "progressaction", "erroraction", "verbose"];
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("| **") else { continue };
        let Some((name, rest)) = rest.split_once("** |") else { continue };
        let params_column = rest.split(" | ").next().unwrap_or_default();
        // Examples quote other cmdlets' parameters; only the syntax before them counts.
        let params_column = params_column.split("xample").next().unwrap_or_default();
        let mut params = BTreeSet::new();
        let chars: Vec<char> = params_column.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if *c == '-' && i + 1 < chars.len() && chars[i + 1].is_ascii_uppercase() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
                let p: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric()).collect();
                // "(not `-VcsOAuthSecurityContext`)", "No `-ClientId/-ClientSecret`": names it does not have.
                let before: String = chars[i.saturating_sub(24)..i].iter().collect();
                let negated = before.ends_with("not `") || before.ends_with("No `") || (before.ends_with('/') && before.contains("No `"));
                if !negated && !common.contains(&p.to_lowercase().as_str()) {
                    params.insert(p.to_lowercase());
                }
            }
        }
        out.push((name.to_string(), params));
    }
    Some(out)
}

#[test]
fn every_cmdlet_of_the_reference_exists_with_its_parameters() {
    let Some(reference) = reference_cmdlets() else {
        println!("skipped: ../shared/reference/csp-api.md not found");
        return;
    };
    assert!(reference.len() >= 11, "{reference:?}");
    let psm1 = std::fs::read_to_string(root().join("powershell/VcsNative.psm1")).unwrap();
    let defined = functions(&psm1);
    for (cmdlet, params) in reference {
        let (_, body) = defined.iter().find(|(n, _)| *n == cmdlet).unwrap_or_else(|| panic!("{cmdlet} is not defined"));
        let have = parameters(body);
        for p in &params {
            assert!(have.contains(p), "{cmdlet} lacks -{p} (has {have:?})");
        }
        if cmdlet.starts_with("Remove-") || cmdlet.starts_with("New-VcsUser") {
            assert!(body.contains("SupportsShouldProcess"), "{cmdlet} must support -WhatIf/-Confirm");
        }
    }
}

#[test]
fn every_native_call_exists_in_the_interop_and_the_header() {
    let psm1 = std::fs::read_to_string(root().join("powershell/VcsNative.psm1")).unwrap();
    let cs = std::fs::read_to_string(root().join("powershell/VcsNative.cs")).unwrap();
    let header = std::fs::read_to_string(root().join("include/vcs_native.h")).unwrap();
    for class in ["Vcs", "Vcd"] {
        let mut called = BTreeSet::new();
        for part in psm1.split(&format!("[VcsNative.{class}]::")).skip(1) {
            called.insert(part.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>());
        }
        assert!(called.len() >= 6, "{class}: {called:?}");
        let body = &cs[cs.find(&format!("public static class {class}")).unwrap_or_else(|| panic!("no class {class}"))..];
        for m in &called {
            assert!(body.contains(&format!(" {m}(")), "the module calls [VcsNative.{class}]::{m}, which VcsNative.cs does not define");
        }
    }
    let mut imported = BTreeSet::new();
    for part in cs.split("extern ").skip(1) {
        let decl: String = part.chars().take_while(|c| *c != '(').collect();
        imported.insert(decl.split_whitespace().last().unwrap_or_default().to_string());
    }
    assert!(imported.len() >= 22, "{imported:?}");
    for f in imported {
        assert!(
            header.contains(&format!(" {f}(")) || header.contains(&format!("*{f}(")),
            "VcsNative.cs imports {f}, which include/vcs_native.h does not declare"
        );
    }
}
