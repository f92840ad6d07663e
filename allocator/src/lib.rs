//! The global allocator of the `mlpy` binary (mimalloc) and what its commands tell it;
//! the benchmarks use the same, so that they measure what a user's process costs.
//!
//! Syntax trees are millions of small allocations: mimalloc is markedly faster at that
//! than the system allocator. How long freed memory is held, and whether huge pages back
//! it, depends on how long the process lives: [`for_command_that_ends_soon`] for the
//! commands that exit after their work, [`avoid_huge_pages`],
//! [`release_freed_memory`] and [`purge_freed_memory_after`] for the language server.

use std::ffi::{c_int, c_long};

pub use mimalloc::MiMalloc;

extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
    fn mi_collect(force: bool);
}

/// `mi_option_purge_delay`, the same in mimalloc 2 and 3.
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// For a process that exits once its work is done (`mlpy check`, `fmt`, `transpile`, the
/// benchmarks): freed memory is kept for the next allocations. Given back to the system,
/// it is only faulted in and zeroed again by them: a third of the CPU time of a check of
/// 10,000 modules, 7 % of formatting a 20 MB file.
pub fn for_command_that_ends_soon() {
    purge_freed_memory_after(None);
}

/// Keeps the kernel from backing this process's memory with transparent huge pages from
/// now on. mimalloc asks for them (`madvise`) on its arenas: a 2 MiB page is then
/// resident as a whole as soon as one byte of it is used, and a process that keeps much
/// memory for long in many small objects, scattered once parts of it are freed (the
/// language server), holds 10–15 % more than it uses (10,000 modules: 161–167 MiB
/// against 146 MiB). Commands that exit soon keep them (fewer page faults).
pub fn avoid_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointer; it only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// How long freed memory is kept before it is given back to the system: `None` never
/// (a command that exits soon: see [`for_command_that_ends_soon`]), `Some(0)` at once
/// (the language server: a long session should hold what it uses, not what it once
/// used).
pub fn purge_freed_memory_after(ms: Option<u32>) {
    let value = ms.map_or(-1, c_long::from);
    // SAFETY: mi_option_set takes no pointer; options may be set at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, value) }
}

/// Gives the memory that is free but still held back to the system now.
pub fn release_freed_memory() {
    // SAFETY: mi_collect takes no pointer and may be called from any thread at any time.
    unsafe { mi_collect(true) }
}

#[cfg(test)]
mod tests {
    #[global_allocator]
    static GLOBAL: super::MiMalloc = super::MiMalloc;

    #[test]
    fn the_options_can_be_set_and_memory_released_at_any_time() {
        let held: Vec<Vec<u8>> = (0..1000).map(|i| vec![1; 64 + i]).collect();
        super::for_command_that_ends_soon();
        drop(held);
        super::release_freed_memory();
        super::purge_freed_memory_after(Some(0));
        let again: Vec<u8> = vec![2; 1 << 20];
        assert_eq!(
            again.iter().map(|&b| usize::from(b)).sum::<usize>(),
            2 << 20
        );
    }
}
