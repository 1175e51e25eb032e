// CPU hints Swift has no spelling for: software prefetch (the gradient-boosting histogram loops,
// BoostedTreeGrower) and the spin-wait pause (WorkerTeam). Header-only, so there is nothing to
// compile or link.
#ifndef RAPPI_CPU_HINTS_H
#define RAPPI_CPU_HINTS_H

/// Asks the CPU to start loading the cache line at `address` for reading; never faults.
static inline __attribute__((always_inline)) void rappi_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Tells the CPU this thread is spinning on a memory location: it backs off briefly, saving
/// power and leaving the core's resources to its sibling hyperthread.
static inline __attribute__((always_inline)) void rappi_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
