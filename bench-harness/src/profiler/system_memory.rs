//! Live heap bytes from the system allocator's own statistics, for binaries that install no
//! counting allocator (the seed's benches as the user wrote them).
//!
//! On Linux with glibc this is `mallinfo2()`: `uordblks` (bytes in chunks handed out by
//! `malloc` across all arenas) plus `hblkhd` (bytes in chunks served by `mmap`). The figures
//! include malloc's per-chunk overhead and rounding, so they read a little higher than the
//! counting allocator's requested bytes. glibc keeps no peak, so callers take the highest
//! reading they made. Elsewhere there is no reading.
//!
//! This module holds the harness's only `unsafe` code: one call into glibc, allowed for this
//! module alone where `profiler.rs` declares it.

/// Live heap bytes of the whole process according to the system allocator, if it reports them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(super) fn live_heap_bytes() -> Option<usize> {
    // SAFETY: `mallinfo2` takes no arguments, reads the allocator's statistics under the
    // allocator's own locks and returns a plain struct of integers by value; it has no
    // preconditions and is in every glibc since 2.33 (the build links against it).
    let info = unsafe { libc::mallinfo2() };
    Some(info.uordblks.saturating_add(info.hblkhd))
}

/// Live heap bytes of the whole process according to the system allocator, if it reports them.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn live_heap_bytes() -> Option<usize> {
    None
}
