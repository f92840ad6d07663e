//! The transpiler benchmarks of `transpile.rs` with mimalloc as the global allocator,
//! configured as `mlpy transpile` configures it: what `mlpy transpile` costs a user (checking and emitting are
//! many small allocations, so the allocator matters). Same variables and output.

#[global_allocator]
static GLOBAL: mlpy_allocator::MiMalloc = mlpy_allocator::MiMalloc;

#[path = "transpile.rs"]
mod transpile;

fn main() {
    mlpy_allocator::for_command_that_ends_soon();
    transpile::main();
}
