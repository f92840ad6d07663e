//! The parse benchmark of `parse.rs` with mimalloc as the global allocator, as in the
//! `mlpy` binary: a syntax tree is millions of small allocations, so the allocator
//! matters.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

fn main() {
    common::run("mimalloc");
}
