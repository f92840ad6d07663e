//! The transpiler benchmarks of `transpile.rs` with mimalloc as the global allocator, as
//! in the `mlpy` binary: what `mlpy transpile` costs a user (checking and emitting are
//! many small allocations, so the allocator matters). Same variables and output.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "transpile.rs"]
mod transpile;

fn main() {
    transpile::main();
}
