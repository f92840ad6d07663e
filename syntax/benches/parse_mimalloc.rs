//! The parse benchmark of `parse.rs` with mimalloc as the global allocator, configured as
//! in the `mlpy` binary's commands that exit after their work (`mlpy check`, `fmt`): a
//! syntax tree is millions of small allocations, so the allocator matters.

#[global_allocator]
static GLOBAL: mlpy_allocator::MiMalloc = mlpy_allocator::MiMalloc;

mod common;

fn main() {
    mlpy_allocator::for_command_that_ends_soon();
    common::run("mimalloc");
}
