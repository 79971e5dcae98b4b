//! `cargo xtask`: the project's automation entry point.
fn main() {}
