//! How the process asks the kernel for memory.
//!
//! mimalloc marks the arenas it reserves for transparent huge pages, where the system leaves
//! that to each process (`madvise`, Debian's default). A workload that allocates and frees
//! large payloads makes mimalloc return idle memory to the kernel and take it back soon after;
//! with huge pages every such fault zeroes two megabytes. Profiled on the 250 KB-payload bench
//! through the server, zeroing pages took a third of the server's time; with huge pages off it
//! took under a tenth, the server used about 15% less CPU for the same work and peaked about
//! 30% lower in memory.
//!
//! So huge pages are turned off for the process at start, as mimalloc does itself when
//! `MIMALLOC_ALLOW_THP=0` is set. Setting `MIMALLOC_ALLOW_THP` (to anything) leaves the choice
//! to mimalloc and the system.

/// Turns transparent huge pages off for this process unless `MIMALLOC_ALLOW_THP` is set.
pub fn prefer_small_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        // An old kernel or a sandbox without prctl: the process runs as before.
        tracing::debug!(error = %e, "could not turn transparent huge pages off");
    }
}
