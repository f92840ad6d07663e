//! What the commands tell the binary's global allocator (mimalloc, linked in by the
//! `mimalloc` crate; `main.rs` makes it the global allocator).

use std::ffi::{c_int, c_long};

extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    fn mi_collect(force: bool);
}

/// `mi_option_purge_delay`, the same in mimalloc 2 and 3.
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// Keeps the kernel from backing this process's memory with transparent huge pages from
/// now on. mimalloc asks for them (`madvise`) on its arenas: a 2 MiB page is then
/// resident as a whole as soon as one byte of it is used, and a process that keeps much
/// memory for long in many small objects, scattered once parts of it are freed (the
/// language server), holds 10–15 % more than it uses (10,000 modules: 161–167 MiB
/// against 146 MiB). Commands that exit soon keep them (fewer page faults).
pub(crate) fn avoid_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointer; it only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// How long freed memory is kept before it is given back to the system: `None` never
/// (a command that exits soon: memory given back is only faulted in and zeroed again by
/// the next allocations), `Some(0)` at once (the language server: a long session should
/// hold what it uses, not what it once used).
pub(crate) fn purge_freed_memory_after(ms: Option<u32>) {
    let value = ms.map_or(-1, c_long::from);
    // SAFETY: mi_option_set takes no pointer; options may be set at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, value) }
}

/// Gives the memory that is free but still held back to the system now.
pub(crate) fn release_freed_memory() {
    // SAFETY: mi_collect takes no pointer and may be called from any thread at any time.
    unsafe { mi_collect(true) }
}
