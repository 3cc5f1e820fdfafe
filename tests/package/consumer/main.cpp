#include <ditto/ditto.hpp>

#include <cstdio>

int main() {
    const auto a = ditto::word_shingler<>(2)(ditto::normalize("Die STRASSE ist lang"));
    const auto b = ditto::word_shingler<>(2)(ditto::normalize("die Straße ist lang"));
    std::printf("ditto %s: %zu shingles, equal: %s\n", DITTO_VERSION_STRING, a.size(), a == b ? "yes" : "no");
    return a == b && a.size() == 3 ? 0 : 1;
}
