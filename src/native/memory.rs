//! Process-wide memory settings for the native tools (the CLI and `cargo bench`).
//!
//! The core is pure and leaves allocation to the process; a long-running native
//! driver calls [`keep_freed_memory`] once at start-up.

/// Tells glibc's malloc to keep freed memory for reuse instead of giving it back.
///
/// The simulator allocates and frees a segment's payload and a read's buffer for
/// every packet and call: up to 64 KiB and 1 MiB on a loopback-sized link. With
/// glibc's defaults (trim above 128 KiB free at the heap top, mmap from 128 KiB up)
/// every such buffer returned its pages to the kernel and faulted them back in:
/// `perf stat` on 64 MiB over `tcp_bulk_lo` counted 15,619 page faults and 90% of
/// the time in the kernel (44 ms); with these thresholds, 1,108 faults and 5 ms.
/// The wasm allocator never returns memory, so the page is not affected.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    // 256 MiB of free heap is kept; buffers up to 32 MiB come from the heap.
    const TRIM_THRESHOLD: libc::c_int = 256 << 20;
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    // SAFETY: mallopt only sets allocator parameters; it is called before any
    // other thread exists and its failure (0) leaves the defaults, which is harmless.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// Other allocators need no tuning here.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}
