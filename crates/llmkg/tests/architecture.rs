//! `docs/ARCHITECTURE.md`'s dependency table against the workspace's `Cargo.toml` files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Our crates and the directory of each, relative to the workspace root.
const CRATES: [(&str, &str); 12] = [
    ("llmkg-core", "crates/llmkg-core"),
    ("llmkg-filefmt", "crates/llmkg-filefmt"),
    ("llmkg-exception", "crates/llmkg-exception"),
    ("llmkg-exception-store", "crates/llmkg-exception-store"),
    ("llmkg-detect", "crates/llmkg-detect"),
    ("llmkg-learn", "crates/llmkg-learn"),
    ("llmkg-optimize", "crates/llmkg-optimize"),
    ("llmkg-counting-alloc", "crates/llmkg-counting-alloc"),
    ("llmkg", "crates/llmkg"),
    ("bench-scorecard", "bench-scorecard"),
    ("bench-harness", "bench-harness"),
    ("xtask", "xtask"),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The crates of ours in a manifest's `[dependencies]` section (not dev or build ones).
fn declared_dependencies(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if !in_dependencies {
            continue;
        }
        let name = line
            .split(['.', '=', ' '])
            .next()
            .unwrap_or_default()
            .trim();
        if CRATES.iter().any(|(ours, _)| *ours == name) {
            found.push(name.to_owned());
        }
    }
    found.sort();
    found
}

/// The rows of the document's dependency table: `| `crate` | `dep`, `dep` |`.
fn documented_dependencies(document: &str) -> BTreeMap<String, Vec<String>> {
    let mut table = BTreeMap::new();
    for line in document.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, name, dependencies, _] = cells.as_slice() else {
            continue;
        };
        let name = name.trim_matches('`');
        if !CRATES.iter().any(|(ours, _)| *ours == name) {
            continue;
        }
        let mut dependencies: Vec<String> = dependencies
            .split(',')
            .map(|dependency| dependency.trim().trim_matches('`').to_owned())
            .filter(|dependency| !dependency.is_empty() && dependency != "—")
            .collect();
        dependencies.sort();
        table.insert(name.to_owned(), dependencies);
    }
    table
}

#[test]
fn the_documented_crate_graph_is_the_declared_one() {
    let root = workspace_root();
    let document = fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("the document");
    let documented = documented_dependencies(&document);
    for (name, directory) in CRATES {
        let manifest =
            fs::read_to_string(root.join(directory).join("Cargo.toml")).expect("a manifest");
        assert_eq!(
            documented.get(name),
            Some(&declared_dependencies(&manifest)),
            "docs/ARCHITECTURE.md's row for {name} differs from {directory}/Cargo.toml"
        );
    }
}

#[test]
fn the_engines_depend_only_on_the_core_the_vocabulary_and_the_file_layer() {
    let root = workspace_root();
    for engine in [
        "llmkg-exception-store",
        "llmkg-detect",
        "llmkg-learn",
        "llmkg-optimize",
    ] {
        let manifest = fs::read_to_string(root.join("crates").join(engine).join("Cargo.toml"))
            .expect("a manifest");
        let dependencies = declared_dependencies(&manifest);
        assert!(
            dependencies
                .iter()
                .all(|name| ["llmkg-core", "llmkg-exception", "llmkg-filefmt"]
                    .contains(&name.as_str())),
            "{engine}: {dependencies:?}"
        );
    }
    // The file layer is a leaf: it depends on none of ours, so the engines stay siblings.
    let manifest =
        fs::read_to_string(root.join("crates/llmkg-filefmt/Cargo.toml")).expect("a manifest");
    assert_eq!(declared_dependencies(&manifest), Vec::<String>::new());
}
