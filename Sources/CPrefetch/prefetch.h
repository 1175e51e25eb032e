// Software prefetch for the gradient-boosting histogram loops (BoostedTreeGrower): Swift has no
// prefetch of its own. Header-only, so there is nothing to compile or link.
#ifndef RAPPI_PREFETCH_H
#define RAPPI_PREFETCH_H

/// Asks the CPU to start loading the cache line at `address` for reading; never faults.
static inline __attribute__((always_inline)) void rappi_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
