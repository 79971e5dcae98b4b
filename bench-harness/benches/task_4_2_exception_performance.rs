//! The exception-performance suite (being written).
fn main() {}
