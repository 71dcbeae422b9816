//! The CPU time the current thread has used, to tell a call's CPU cost from its waiting.
#![allow(unsafe_code)]

use std::time::Duration;

/// CPU time used by the calling thread so far, or `None` where the platform has no per-thread
/// CPU clock.
#[cfg(unix)]
pub fn thread_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable `timespec` that outlives the call, and the clock id is
    // a constant the platform defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (rc == 0).then(|| Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

/// CPU time used by the calling thread so far, or `None` where the platform has no per-thread
/// CPU clock.
#[cfg(not(unix))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
}
