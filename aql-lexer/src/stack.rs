//! Deeply nested queries must not overflow the stack of whatever thread
//! parses them: the emulator parses on async worker threads (2 MiB stacks),
//! and one level of subquery nesting costs tens of KiB of stack in a debug
//! build. The recursive steps of the parser and of the tree walks go
//! through [`grow`], which moves onto a fresh heap-allocated stack segment
//! when the current one runs low (the `stacker` crate), so the depth caps
//! (`MAX_DEPTH` in each walk) are the only limits, whatever the thread.

/// Stack that must remain before a recursive step runs on the current
/// stack. It must exceed what one step uses until the next [`grow`]: about
/// 40 KiB for a subquery level in a debug build (measured: 50 nested
/// subqueries needed 2 MiB of stack before this module existed;
/// `tests/deep_nesting.rs` parses every kind of nesting on 128 KiB).
const RED_ZONE: usize = 256 * 1024;

/// Size of each new stack segment.
const SEGMENT: usize = 2 * 1024 * 1024;

/// Runs `step` on the current stack, or on a new segment when fewer than
/// [`RED_ZONE`] bytes remain.
pub(crate) fn grow<R>(step: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, step)
}
