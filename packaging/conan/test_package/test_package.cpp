// Smoke test of an installed ditto: the version header, normalization, shingles, a sketch, and the
// thread pool. Exits 0 only if two copies that differ in case and spelling of ß compare equal.
#include <ditto/ditto.hpp>

#include <cstdio>

int main() {
    const auto a = ditto::word_shingler<>(2)(ditto::normalize("Die STRASSE ist lang"));
    const auto b = ditto::word_shingler<>(2)(ditto::normalize("die Straße ist lang"));
    const ditto::minhash_signature<64> sa = ditto::make_signature<64>(a), sb = ditto::make_signature<64>(b);
    std::printf("ditto %s: %zu shingles, similarity %.2f\n", DITTO_VERSION_STRING, a.size(), ditto::similarity(sa, sb));
    return a == b && a.size() == 3 && ditto::similarity(sa, sb) == 1.0 ? 0 : 1;
}
