//! A counting global allocator, to report the bytes and allocations one call costs.
//!
//! A bench binary installs it and measures with [`per_call`]:
//!
//! ```
//! #[global_allocator]
//! static ALLOC: card_bench::alloc::CountingAlloc = card_bench::alloc::CountingAlloc;
//!
//! fn main() {
//!     let stats = card_bench::alloc::per_call(100, || drop(std::hint::black_box(vec![0u8; 24])));
//!     let stats = stats.expect("installed above");
//!     assert_eq!((stats.allocations, stats.bytes), (1.0, 24.0));
//! }
//! ```
//! Counting is off except on the thread running [`per_call`], and
//! only while it runs, so the timed benchmarks pay one thread-local read per allocation and no
//! atomic. "Bytes" is the sum of the sizes asked for: a `realloc` counts as one allocation of its
//! new size, and nothing is subtracted for frees.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// [`System`], counting the allocations made on a thread while [`per_call`] measures it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // `const`-initialised and without a destructor: reading it never allocates, which matters
    // inside an allocator.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

#[inline]
fn record(size: usize) {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// addition is bookkeeping that neither allocates nor touches the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded as received; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: `ptr` came from `System` through this allocator, with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations per call, averaged over a loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllocStats {
    /// Heap allocations (and reallocations) per call.
    pub allocations: f64,
    /// Bytes asked for per call.
    pub bytes: f64,
}

impl std::fmt::Display for AllocStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} allocations, {:.0} bytes",
            self.allocations, self.bytes
        )
    }
}

/// Run `call` `calls` times on this thread and average the allocations it made. `None` when
/// [`CountingAlloc`] is not the global allocator of this binary.
pub fn per_call(calls: u64, mut call: impl FnMut()) -> Option<AllocStats> {
    if !installed() {
        return None;
    }
    let (allocations, bytes) = counted(|| {
        for _ in 0..calls {
            call();
        }
    });
    Some(AllocStats {
        allocations: allocations as f64 / calls as f64,
        bytes: bytes as f64 / calls as f64,
    })
}

/// Run `batch`, which makes `calls` calls, on this thread and average the allocations it made
/// (for async calls: one `block_on` around the whole loop). `None` when [`CountingAlloc`] is
/// not the global allocator of this binary.
pub fn per_call_in(calls: u64, batch: impl FnOnce()) -> Option<AllocStats> {
    if !installed() {
        return None;
    }
    let (allocations, bytes) = counted(batch);
    Some(AllocStats {
        allocations: allocations as f64 / calls as f64,
        bytes: bytes as f64 / calls as f64,
    })
}

/// The allocations and bytes `f` made on this thread.
fn counted(f: impl FnOnce()) -> (u64, u64) {
    let before = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    COUNTING.set(true);
    f();
    COUNTING.set(false);
    (
        ALLOCATIONS.load(Ordering::Relaxed) - before.0,
        BYTES.load(Ordering::Relaxed) - before.1,
    )
}

/// Whether [`CountingAlloc`] is this binary's global allocator.
pub fn installed() -> bool {
    let (allocations, _) = counted(|| drop(std::hint::black_box(Box::new(0u64))));
    allocations > 0
}
