#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// The scan behind every JSON string the program reads or writes (PlainRun in CanonicalJSON):
// stored records are mostly long plain strings — hashes, ids, sealed base64 — and a rebuild's
// reading thread spent a fifth of its instructions here (callgrind, 2026-11-28). In C because
// Swift's SIMD16<UInt8> comparisons compiled to a byte-at-a-time loop through the stack; SSE2 is
// part of every x86-64, so no feature check is needed; other targets take the SWAR loop.
// `static inline` in the header, so that Swift inlines it at each call like its own code (most
// strings are short: a call would cost more than the scan).

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The index of the first byte at or after `start` that a JSON string cannot hold as it is (a
/// quote, a backslash or a control byte below 0x20), or `count`; `*ascii` is set to whether every
/// byte before it is below 0x80. `bytes` may be NULL only when `count` is 0.
static inline size_t orderlog_plain_run_end(const uint8_t *bytes, size_t start, size_t count, bool *ascii) {
    size_t i = start;
    uint8_t seen = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i below = _mm_set1_epi8(0x1F);
    __m128i seenWide = _mm_setzero_si128();
    while (i + 16 <= count) {
        const __m128i chunk = _mm_loadu_si128((const __m128i *)(bytes + i));
        // A byte is below 0x20 exactly when max(byte, 0x1F) is 0x1F (unsigned).
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(chunk, below), below);
        const __m128i special =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)), control);
        const int mask = _mm_movemask_epi8(special);
        if (mask != 0) {
            const int offset = __builtin_ctz((unsigned)mask);
            // Only the bytes before the special one count for `ascii`.
            const int before = _mm_movemask_epi8(chunk) & ((1 << offset) - 1);
            *ascii = _mm_movemask_epi8(seenWide) == 0 && before == 0;
            return i + (size_t)offset;
        }
        seenWide = _mm_or_si128(seenWide, chunk);
        i += 16;
    }
    if (_mm_movemask_epi8(seenWide) != 0) seen = 0x80;
#endif
    // Eight bytes at a time (SWAR) for a short string or a long one's tail: (x - 0x01…) & ~x has
    // a high bit set where a byte of x is zero (Hacker's Delight 6-1); with 0x20… it flags bytes
    // below 0x20. A flagged word is finished byte by byte, so borrows cannot mislead.
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t seenWord = 0;
    while (i + 8 <= count) {
        uint64_t word;
        memcpy(&word, bytes + i, sizeof word);
        const uint64_t quoteBytes = word ^ (ones * '"');
        const uint64_t backslashBytes = word ^ (ones * '\\');
        const uint64_t special = ((quoteBytes - ones) & ~quoteBytes) | ((backslashBytes - ones) & ~backslashBytes) |
                                 ((word - ones * 0x20) & ~word);
        if ((special & highs) != 0) break;
        seenWord |= word;
        i += 8;
    }
    if ((seenWord & highs) != 0) seen = 0x80;
    while (i < count) {
        const uint8_t byte = bytes[i];
        if (byte == '"' || byte == '\\' || byte < 0x20) break;
        seen |= byte;
        i += 1;
    }
    *ascii = (seen & 0x80) == 0;
    return i;
}
