// Nothing to import: the target only defines jemalloc's `malloc_conf` (see options.c), which
// the linker puts into every executable that depends on it.
