// Writes small valid stored indexes (every slot width, with and without documents) to a folder,
// as the seed corpus of the index reader's fuzz target.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <ditto/exact_duplicates.hpp>
#include <ditto/store/index.hpp>
#include <ditto/store/index_writer.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FOLDER\n", argv[0]);
        return 2;
    }
    const std::string folder = argv[1];
    int written = 0;
    for (const std::uint32_t bits : {16u, 32u, 64u}) {
        for (std::uint32_t documents = 0; documents <= 3; ++documents) {
            ditto::index_parameters p;
            p.slots = 4;
            p.slot_bits = bits;
            p.lsh = {2, 2};
            ditto::index_builder builder(p);
            const std::string text = "some text of a source";
            builder.add_source({"corpus.jsonl", text.size(), ditto::hash128(text)});
            for (std::uint32_t d = 0; d < documents; ++d) {
                std::vector<std::uint64_t> slots(p.slots);
                const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
                for (std::uint32_t s = 0; s < p.slots; ++s)
                    slots[s] = d == 2 ? mask : ditto::mix64(d * 16 + s, 1) & (mask - 1);
                builder.add_document({0, d, 5, ditto::hash128(text.substr(d, 5)), "id" + std::to_string(d)}, slots);
            }
            const std::string path = folder + "/seed-" + std::to_string(bits) + "-" + std::to_string(documents);
            ditto::write_index(path, std::move(builder).finish());
            ++written;
        }
    }
    std::printf("%d seeds in %s\n", written, folder.c_str());
    return 0;
}
