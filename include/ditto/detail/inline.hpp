#pragma once
// DITTO_ALWAYS_INLINE (before a function) and DITTO_LAMBDA_ALWAYS_INLINE (after a lambda's
// parameter list): for the few small functions a long scanning loop calls once per token or
// shingle, and for the loop itself when it is a lambda. In a large translation unit GCC's inliner
// can run out of budget and call them instead, which also puts the loop's state in memory behind
// the lambda's captures; the attribute keeps the loop whole.

#if defined(__GNUC__) || defined(__clang__)
#define DITTO_ALWAYS_INLINE [[gnu::always_inline]] inline
#define DITTO_LAMBDA_ALWAYS_INLINE __attribute__((always_inline))
#else
#define DITTO_ALWAYS_INLINE inline
#define DITTO_LAMBDA_ALWAYS_INLINE
#endif
