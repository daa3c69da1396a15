// jemalloc reads its options from this global at start-up, before `main` (MALLOC_CONF in the
// environment still wins, for an operator who wants otherwise).
//
// thp:always — jemalloc asks the kernel for transparent huge pages (madvise) for its memory: a
// fresh server's heap grows by every order its writer caches (a state cache of 100,000 streams
// fills over the first 100,000 orders), and each 4 KiB page of that growth was a page fault —
// ~90,000 faults per 100,000 in-process orders, ~6 % of the writer thread. With 2 MiB pages a
// tenth as many. Measured (README, journal): server CPU per HTTP order −1–3 %, in-process
// orders +1.5–2 %, a full rebuild +1.5–3.5 %. Where the kernel's THP is off it changes nothing.
const char *malloc_conf = "thp:always,metadata_thp:always";
