#pragma once
// DITTO_ALWAYS_INLINE: for the few small functions a long scanning loop calls once per token or
// shingle. In a large translation unit GCC's inliner can run out of budget for the loop and call
// them instead, which also puts the loop's state in memory; the attribute keeps the loop whole.

#if defined(__GNUC__) || defined(__clang__)
#define DITTO_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define DITTO_ALWAYS_INLINE inline
#endif
