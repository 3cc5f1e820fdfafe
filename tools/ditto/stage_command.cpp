// `ditto group`: which task each document of a run split over tasks goes to; and the files
// between the stages (stage_files.hpp).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <cstdio>
#include <cstring>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/cluster.hpp>
#include <ditto/dedup.hpp>
#include <ditto/io/jsonl.hpp>
#include <ditto/io/jsonl_chunks.hpp>
#include <ditto/parallel.hpp>
#include <ditto/store/crc32c.hpp>
#include <ditto/store/dedup_against.hpp>
#include <ditto/store/format.hpp>
#include <ditto/store/parameters.hpp>

#include "cli.hpp"
#include "input_files.hpp"
#include "sketch_file.hpp"
#include "stage_files.hpp"

namespace ditto_cli {

namespace {

using ditto::detail::get_u16;
using ditto::detail::get_u32;
using ditto::detail::get_u64;
using ditto::detail::put_u16;
using ditto::detail::put_u32;
using ditto::detail::put_u64;

constexpr std::string_view groups_magic{"DITTOGRP", 8}, groups_end{"GROUPEND", 8};
constexpr std::string_view task_magic{"DITTOTSK", 8}, task_end{"TASKDONE", 8};
constexpr std::uint16_t stage_major = 1, stage_minor = 0;
constexpr std::size_t groups_header_bytes = 128, task_header_bytes = 112;

// Reads exactly n bytes at offset, or throws a data_error naming the file.
void read_exactly(int fd, const std::string& name, std::uint64_t offset, char* p, std::size_t n) {
    const std::ptrdiff_t got = read_at(fd, offset, p, n);
    if (got < 0) throw data_error("cannot read " + name + ": " + std::strerror(errno));
    if (static_cast<std::size_t>(got) != n) throw data_error(name + " is not a complete groups file: too short");
}

// A stage file's first bytes (head) and last 8 (tail): its magic, its end marker (a file cut
// short lacks it) and its major version. kind names it ("groups file").
void check_ends(const std::string& name, const std::string& kind, std::string_view magic, std::string_view end,
                const unsigned char* head, const unsigned char* tail) {
    const std::string complete = name + " is not a complete " + kind + ": it does not ";
    if (std::memcmp(head, magic.data(), 8) != 0) throw data_error(complete + "start with " + std::string(magic));
    if (std::memcmp(tail, end.data(), 8) != 0) throw data_error(complete + "end with " + std::string(end) + " (cut short?)");
    if (get_u16(head + 8) != stage_major)
        throw data_error(name + " is a " + kind + " of version " + std::to_string(get_u16(head + 8)) + "." +
                         std::to_string(get_u16(head + 10)) + "; this ditto reads version " + std::to_string(stage_major));
}

std::uint32_t crc_of(const char* p, std::size_t n) {
    ditto::crc32c c;
    c.update(std::string_view(p, n));
    return c.value();
}

}  // namespace

file_descriptor::~file_descriptor() {
    if (fd >= 0) ::close(fd);
}

std::string groups_file::encode() {
    const std::size_t directory = groups_header_bytes + 32 * std::size_t{tasks} + 8 * sample.size();
    std::size_t lists = 0;
    for (const auto& d : documents) lists += (4 * d.size() + 7) / 8 * 8;
    std::string out(directory + 8 + lists + 8, '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    std::memcpy(p, groups_magic.data(), 8);
    put_u16(p + 8, stage_major);
    put_u16(p + 10, stage_minor);
    put_u32(p + 12, static_cast<std::uint32_t>(groups_header_bytes));
    ditto::detail::encode_parameters(parameters, p + 16);
    put_u64(p + 72, input_size);
    put_u32(p + 80, parts);
    put_u32(p + 84, tasks);
    put_u64(p + 88, records);
    put_u64(p + 96, sample.size());
    put_u64(p + 104, split_buckets);
    put_u32(p + 112, sketch_digest);
    std::size_t at = directory + 8;
    for (std::size_t t = 0; t < tasks; ++t) {
        unsigned char* list = p + at;
        for (std::size_t i = 0; i < documents[t].size(); ++i) put_u32(list + 4 * i, documents[t][i]);
        const std::size_t bytes = (4 * documents[t].size() + 7) / 8 * 8;
        unsigned char* row = p + groups_header_bytes + 32 * t;
        put_u64(row, documents[t].size());
        put_u64(row + 8, task_bytes[t]);
        put_u64(row + 16, at);
        put_u32(row + 24, crc_of(out.data() + at, bytes));
        at += bytes;
    }
    for (std::size_t s = 0; s < sample.size(); ++s) put_u64(p + groups_header_bytes + 32 * std::size_t{tasks} + 8 * s, sample[s]);
    crc = crc_of(out.data(), directory);
    put_u32(p + directory, crc);
    std::memcpy(p + out.size() - 8, groups_end.data(), 8);
    return out;
}

groups_file groups_file::read(const std::string& path, std::uint32_t only) {
    const std::string name = escape_text(path);
    const file_descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.fd < 0) throw data_error("cannot open " + name + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) throw data_error(name + " is not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto corrupt = [&](const std::string& what) { return data_error(name + " is not a complete groups file: " + what); };
    if (size < groups_header_bytes + 16) throw corrupt("too short");
    std::string head(groups_header_bytes, '\0');
    read_exactly(fd.fd, name, 0, head.data(), head.size());
    char end[8];
    read_exactly(fd.fd, name, size - 8, end, 8);
    const auto* p = reinterpret_cast<const unsigned char*>(head.data());
    check_ends(name, "groups file", groups_magic, groups_end, p, reinterpret_cast<const unsigned char*>(end));
    groups_file g;
    g.tasks = get_u32(p + 84);
    g.records = get_u64(p + 88);
    const std::uint64_t samples = get_u64(p + 96);
    if (get_u32(p + 12) != groups_header_bytes || g.tasks == 0 || g.tasks > 65536 || samples > size / 8)
        throw corrupt("its sizes do not add up");
    const std::uint64_t directory = groups_header_bytes + 32 * std::uint64_t{g.tasks} + 8 * samples;
    if (directory + 16 > size) throw corrupt("its sizes do not add up");
    std::string dir(static_cast<std::size_t>(directory + 8), '\0');
    read_exactly(fd.fd, name, 0, dir.data(), dir.size());
    p = reinterpret_cast<const unsigned char*>(dir.data());
    g.crc = crc_of(dir.data(), static_cast<std::size_t>(directory));
    if (get_u32(p + directory) != g.crc) throw corrupt("its checksum does not match (damaged)");
    std::size_t at = 0;
    const std::string problem = ditto::detail::decode_parameters(p + 16, g.parameters, at);
    if (!problem.empty()) throw corrupt(problem);
    g.input_size = get_u64(p + 72);
    g.parts = get_u32(p + 80);
    g.split_buckets = get_u64(p + 104);
    g.sketch_digest = get_u32(p + 112);
    if (g.parts == 0 || g.records > std::numeric_limits<std::uint32_t>::max() - 1) throw corrupt("its sizes do not add up");
    g.task_documents.resize(g.tasks);
    g.task_bytes.resize(g.tasks);
    g.documents.resize(g.tasks);
    std::uint64_t listed = 0, expected_at = directory + 8;
    for (std::uint32_t t = 0; t < g.tasks; ++t) {
        const unsigned char* row = p + groups_header_bytes + 32 * std::size_t{t};
        g.task_documents[t] = get_u64(row);
        g.task_bytes[t] = get_u64(row + 8);
        if (g.task_documents[t] > g.records || get_u64(row + 16) != expected_at) throw corrupt("its task lists do not add up");
        listed += g.task_documents[t];
        const std::uint64_t bytes = (4 * g.task_documents[t] + 7) / 8 * 8;
        if (t == only || only >= g.tasks) {
            std::string list(static_cast<std::size_t>(bytes), '\0');
            if (expected_at + bytes + 8 > size) throw corrupt("too short");
            read_exactly(fd.fd, name, expected_at, list.data(), list.size());
            if (crc_of(list.data(), list.size()) != get_u32(row + 24)) throw corrupt("a task's list does not match its checksum");
            auto& docs = g.documents[t];
            docs.resize(static_cast<std::size_t>(g.task_documents[t]));
            for (std::size_t i = 0; i < docs.size(); ++i) {
                docs[i] = get_u32(reinterpret_cast<const unsigned char*>(list.data()) + 4 * i);
                if (docs[i] >= g.records || (i > 0 && docs[i] <= docs[i - 1])) throw corrupt("a task's list is out of order");
            }
        }
        expected_at += bytes;
    }
    if (listed != g.records || expected_at + 8 != size) throw corrupt("its task lists do not add up");
    g.sample.resize(static_cast<std::size_t>(samples));
    for (std::size_t s = 0; s < g.sample.size(); ++s) {
        g.sample[s] = get_u64(p + groups_header_bytes + 32 * std::size_t{g.tasks} + 8 * s);
        if (g.sample[s] >= g.records || (s > 0 && g.sample[s] <= g.sample[s - 1])) throw corrupt("its sample is out of order");
    }
    if (only >= g.tasks) {  // every record in exactly one list
        std::vector<std::uint8_t> seen(static_cast<std::size_t>(g.records), 0);
        for (const auto& docs : g.documents)
            for (const std::uint32_t d : docs) {
                if (seen[d]) throw corrupt("a record is in two tasks' lists");
                seen[d] = 1;
            }
    }
    return g;
}

std::string encode_task_header(const task_result_header& h) {
    std::string out(task_header_bytes, '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    std::memcpy(p, task_magic.data(), 8);
    put_u16(p + 8, stage_major);
    put_u16(p + 10, stage_minor);
    put_u32(p + 12, static_cast<std::uint32_t>(task_header_bytes));
    ditto::detail::encode_parameters(h.parameters, p + 16);
    put_u64(p + 72, h.input_size);
    put_u32(p + 80, h.task);
    put_u32(p + 84, h.tasks);
    put_u64(p + 88, h.documents);
    put_u32(p + 96, h.flags);
    put_u32(p + 100, h.groups_crc);
    put_u32(p + 104, h.sketch_digest);
    return out;
}

task_result::task_result(const std::string& path) : path_(path) {
    const std::string name = escape_text(path);
    fd_.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_.fd < 0) throw data_error("cannot open " + name + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_.fd, &st) != 0) throw data_error("cannot read " + name + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw data_error(name + " is not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto corrupt = [&](const std::string& what) { return data_error(name + " is not a complete task result: " + what); };
    if (size < task_header_bytes + 24) throw corrupt("too short");
    // The whole file against its checksum, in blocks.
    ditto::crc32c crc;
    std::vector<unsigned char> block(1 << 20);
    std::vector<unsigned char> head(task_header_bytes);
    const std::uint64_t body = size - 24;
    for (std::uint64_t pos = 0; pos < body;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), body - pos));
        read(pos, block.data(), n);
        crc.update(std::string_view(reinterpret_cast<const char*>(block.data()), n));
        if (pos == 0) std::copy_n(block.begin(), std::min(n, head.size()), head.begin());
        pos += n;
    }
    unsigned char footer[24];
    read(body, footer, sizeof footer);
    const unsigned char* p = head.data();
    check_ends(name, "task result", task_magic, task_end, p, footer + 16);
    if (get_u32(footer + 8) != crc.value()) throw corrupt("its checksum does not match (damaged)");
    std::size_t at = 0;
    const std::string problem = ditto::detail::decode_parameters(p + 16, header_.parameters, at);
    if (!problem.empty()) throw corrupt(problem);
    header_.input_size = get_u64(p + 72);
    header_.task = get_u32(p + 80);
    header_.tasks = get_u32(p + 84);
    header_.documents = get_u64(p + 88);
    header_.flags = get_u32(p + 96);
    header_.groups_crc = get_u32(p + 100);
    header_.sketch_digest = get_u32(p + 104);
    pairs_ = get_u64(footer);
    pairs_at_ = task_header_bytes + header_.documents * 24;
    if (get_u32(p + 12) != task_header_bytes || header_.flags > 7 || header_.task >= header_.tasks ||
        header_.documents > body / 24 || pairs_ > body / 24 || pairs_at_ + pairs_ * 24 != body)
        throw corrupt("its sizes do not add up");
}

void task_result::read(std::uint64_t offset, unsigned char* p, std::size_t n) const {
    const std::ptrdiff_t got = read_at(fd_.fd, offset, reinterpret_cast<char*>(p), n);
    if (got < 0) throw data_error("cannot read " + escape_text(path_) + ": " + std::strerror(errno));
    if (static_cast<std::size_t>(got) != n) throw data_error(escape_text(path_) + " became shorter while it was read");
}

void task_result::decode_pair(const unsigned char* p, std::uint64_t& first, std::uint64_t& second, std::uint64_t& bits) {
    first = get_u64(p);
    second = get_u64(p + 8);
    bits = get_u64(p + 16);
}

task_row task_result::row(std::uint64_t i) const {
    unsigned char q[24];
    read(task_header_bytes + i * 24, q, sizeof q);
    return task_row{get_u64(q), get_u64(q + 8), get_u64(q + 16)};
}

std::vector<task_row> task_result::rows() const {
    std::vector<task_row> out(static_cast<std::size_t>(header_.documents));
    constexpr std::size_t per_read = 4096;
    std::vector<unsigned char> block(per_read * 24);
    for (std::size_t done = 0; done < out.size();) {
        const std::size_t take = std::min(per_read, out.size() - done);
        read(task_header_bytes + done * 24, block.data(), take * 24);
        for (std::size_t i = 0; i < take; ++i) {
            const unsigned char* q = block.data() + 24 * i;
            out[done + i] = task_row{get_u64(q), get_u64(q + 8), get_u64(q + 16)};
        }
        done += take;
    }
    return out;
}

std::uint32_t task_flags(bool pairs, const ditto::dedup_options& options) {
    return (pairs ? task_flag_pairs : 0u) | (options.clustering == ditto::cluster_rule::connected ? task_flag_connected : 0u) |
           (options.keep == ditto::keep_rule::longest ? task_flag_longest : 0u);
}

std::string task_options_text(std::uint32_t flags, std::uint32_t ignored) {
    return std::string((ignored & task_flag_pairs) ? "" : (flags & task_flag_pairs) ? "--pairs, " : "no --pairs, ") + "--cluster " +
           ((flags & task_flag_connected) ? "connected" : "greedy") + ", --keep " + ((flags & task_flag_longest) ? "longest" : "first");
}

groups_file read_groups(const std::string& folder, const sketch_files& sketches, const ditto::dedup_options& options,
                        std::uint32_t only) {
    const std::string path = folder + "/groups";
    groups_file g = groups_file::read(path, only);
    const std::string name = escape_text(path);
    const std::string differ = ditto::differing_parameter_names(g.parameters, ditto::index_parameters_for(options));
    if (!differ.empty()) throw data_error(name + " was made with other similarity options (" + differ + ")");
    if (g.input_size != sketches.header().input_size || g.parts != sketches.parts() || g.records != sketches.size() ||
        g.sketch_digest != sketches.digest())
        throw data_error(name + " was made from other sketch files than the folder's (" + std::to_string(g.records) +
                         " records in " + std::to_string(g.parts) + " parts; the folder's: " + std::to_string(sketches.size()) +
                         " in " + std::to_string(sketches.parts()) + "): run 'ditto group' again");
    if (g.split_buckets != options.split_buckets) throw data_error(name + " was made by another version of ditto");
    return g;
}

void for_each_task_result(const std::string& folder, const groups_file& groups, const ditto::dedup_options& options,
                          std::uint32_t flags, std::uint32_t ignored_flags, const std::string& who, bool warn,
                          const std::function<void(const task_result&)>& f) {
    std::error_code ec;
    std::vector<std::string> paths;
    for (std::filesystem::directory_iterator it(folder, ec), last; !ec && it != last; it.increment(ec))
        if (it->path().extension() == ".result") paths.push_back(it->path().string());
    if (ec) throw data_error("cannot read the folder --sketches " + escape_text(folder) + ": " + ec.message());
    std::sort(paths.begin(), paths.end());
    const ditto::index_parameters parameters = ditto::index_parameters_for(options);
    std::vector<std::string> of_task(groups.tasks);
    std::size_t stale = 0;
    std::string stale_example;
    for (const std::string& path : paths) {
        const task_result t(path);
        const task_result_header& h = t.header();
        const std::string name = escape_text(path);
        if (h.tasks != groups.tasks || h.groups_crc != groups.crc || h.sketch_digest != groups.sketch_digest) {
            // an earlier run's, of another grouping or other sketch files
            if (stale++ == 0) stale_example = name;
            continue;
        }
        if (!of_task[h.task].empty())
            throw data_error("--sketches " + escape_text(folder) + " holds task " + std::to_string(h.task) + " twice (" +
                             escape_text(of_task[h.task]) + ", " + name + ")");
        of_task[h.task] = path;
        const std::string differ = ditto::differing_parameter_names(h.parameters, parameters);
        if (!differ.empty()) throw data_error(name + " was made with other similarity options (" + differ + ")");
        if (h.input_size != groups.input_size) throw data_error(name + " was made from another version of the input");
        if ((h.flags & ~ignored_flags) != (flags & ~ignored_flags))
            throw data_error(name + " was made with " + task_options_text(h.flags, ignored_flags) + "; " + who + " has " +
                             task_options_text(flags, ignored_flags) + ": give every task the same options");
        if (h.documents != groups.task_documents[h.task])
            throw data_error(name + " holds " + std::to_string(h.documents) + " documents; its task has " +
                             std::to_string(groups.task_documents[h.task]));
        f(t);
    }
    for (std::uint32_t t = 0; t < groups.tasks; ++t)
        if (of_task[t].empty())
            throw data_error("--sketches " + escape_text(folder) + " lacks the result of task " + std::to_string(t) + " of " +
                             std::to_string(groups.tasks) + " (task-*.result)" +
                             (stale ? " of its groups file; " + std::to_string(stale) + (stale == 1 ? " result" : " results") +
                                          " there (" + stale_example + ") belong to another grouping"
                                    : std::string()));
    if (stale > 0 && warn)
        std::fprintf(stderr, "ditto: warning: ignored %zu task result%s in --sketches %s made for another grouping (%s)\n", stale,
                     stale == 1 ? "" : "s", escape_text(folder).c_str(), stale_example.c_str());
}

namespace {

constexpr const char* group_help_command = "ditto group --help";

struct group_arguments {
    input_argument input;
    std::string folder;
    std::uint32_t tasks = 0;
    ditto::dedup_options dedup;
    ditto::jsonl_options jsonl;
    bool skip_invalid = false, quiet = false;
};

void print_group_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto group --sketches FOLDER --tasks K [OPTIONS] INPUT|--manifest LIST\n"
        "Assign the documents of INPUT, sketched into FOLDER by 'ditto sketch', to K tasks of\n"
        "'ditto dedup --task k/K', so that documents which share an LSH bucket or their words\n"
        "(shingle sequence) go to one task: no similar pair, cluster or kept copy crosses\n"
        "tasks, and every task's result is the one 'ditto dedup INPUT' gives for its\n"
        "documents. The groups of such documents (connected through shared buckets) are dealt\n"
        "out largest first, each to the task with the fewest text bytes so far. One group can\n"
        "be most of a corpus (a family of pages on one template): its task then does most of\n"
        "the work. Writes FOLDER/groups (under a temporary name, renamed when complete).\n"
        "\n"
        "  --sketches FOLDER   the folder of every part's sketch file (required)\n"
        "  --tasks K           tasks, 1..65536 (required)\n"
        "  --manifest LIST     instead of INPUT: the files LIST names, as given to 'ditto sketch'\n"
        "  --threshold T, --ngram K, --shingle words:K|chars:K, --sketch-size N, --recall R\n"
        "                      as given to 'ditto sketch' (checked against the sketch files)\n"
        "  --text-field NAME, --id-field NAME, --invalid-utf8 replace|error, --skip-invalid\n"
        "                      as given to 'ditto sketch'\n"
        "  --threads N         accepted (as 'ditto plan' passes it); the grouping runs on one\n"
        "                      thread\n"
        "  -q, --quiet         no summary on standard error\n"
        "  -h, --help          show this help\n",
        out);
}

group_arguments parse_group_arguments(const std::vector<std::string_view>& args, bool& help) {
    group_arguments a;
    argument_reader r(args, group_help_command);
    while (r.next()) {
        if (parse_input_argument(r, a.input)) continue;
        const std::string_view name = r.name();
        if (name == "-h" || name == "--help") {
            help = true;
            return a;
        }
        if (name == "--sketches") {
            a.folder = std::string(r.value());
            if (a.folder.empty()) throw usage_error("--sketches needs a folder", group_help_command);
        } else if (name == "--tasks") {
            a.tasks = static_cast<std::uint32_t>(parse_size(name, r.value(), 1, 65536, group_help_command));
        } else if (name == "--threads") {
            (void)parse_size(name, r.value(), 1, 4096, group_help_command);  // accepted as the plan passes it; one thread does
        } else if (parse_similarity_option(r, a.dedup) || parse_input_option(r, a.jsonl)) {
        } else if (name == "--skip-invalid") {
            r.flag();
            a.skip_invalid = true;
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            a.quiet = true;
        } else {
            r.unknown();
        }
    }
    if (!a.input.given) throw usage_error("no input file (or --manifest LIST)", group_help_command);
    if (a.input.path == "-") throw usage_error("the input must be the file the parts were sketched from (not standard input)", group_help_command);
    if (a.folder.empty()) throw usage_error("--sketches FOLDER is required", group_help_command);
    if (a.tasks == 0) throw usage_error("--tasks K is required", group_help_command);
    if (a.jsonl.text_field == a.jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + a.jsonl.text_field + "'", group_help_command);
    return a;
}

}  // namespace

int run_group(const std::vector<std::string_view>& args) {
    bool help = false;
    const group_arguments a = parse_group_arguments(args, help);
    if (help) {
        print_group_help(stdout);
        return 0;
    }
    check_similarity_options(a.dedup, group_help_command);
    output out(a.folder + "/groups", "--sketches");
    const input_files input(a.input.path, a.input.manifest);
    sketch_files sketches(a.folder, ditto::index_parameters_for(a.dedup), input.size(), input.layout(), input.modification_time(), a.jsonl,
                          a.skip_invalid, nullptr);
    const std::size_t n = sketches.size();
    if (n > std::numeric_limits<std::uint32_t>::max() - 1)
        throw data_error("--sketches " + escape_text(a.folder) + " holds more than 4294967294 records");
    using u32 = std::uint32_t;

    // Units: documents with the same normalized text (sequence hash), each named by its first.
    std::vector<ditto::content_hash> sequence(n);
    std::vector<std::uint64_t> length(n);
    std::vector<std::uint8_t> has_keys(n);
    const std::size_t bands = sketches.header().bands;
    sketches.for_each([&](std::size_t i, const ditto::text_sketch& s) {
        sequence[i] = s.sequence;
        length[i] = s.length;
        has_keys[i] = s.shingles > 0 ? 1 : 0;
    });
    std::vector<u32> unit_of(n);
    {
        std::vector<u32> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<u32>(i);
        std::sort(order.begin(), order.end(), [&](u32 x, u32 y) { return sequence[x] != sequence[y] ? sequence[x] < sequence[y] : x < y; });
        for (std::size_t i = 0; i < n;) {
            std::size_t end = i + 1;
            while (end < n && sequence[order[end]] == sequence[order[i]]) ++end;
            for (std::size_t j = i; j < end; ++j) unit_of[order[j]] = order[i];  // ascending: the first
            i = end;
        }
    }
    std::vector<ditto::content_hash>().swap(sequence);
    // Groups: the units joined by every band key they share; per unit, whether a bucket of
    // split_buckets units or more holds it (where the whole run takes its rarity sample from).
    // A pass over the sketch files per band: one band's keys in memory at a time.
    ditto::union_find groups(n);
    for (std::size_t i = 0; i < n; ++i)
        if (unit_of[i] != i) groups.unite(unit_of[i], i);
    std::vector<std::uint8_t> large(n, 0);
    const std::size_t split = a.dedup.split_buckets;
    {
        std::vector<std::pair<std::uint64_t, u32>> keyed;
        for (std::size_t b = 0; b < bands; ++b) {
            keyed.clear();
            sketches.for_each([&](std::size_t i, const ditto::text_sketch& s) {
                if (unit_of[i] == i && has_keys[i]) keyed.emplace_back(s.keys[b], static_cast<u32>(i));
            });
            std::sort(keyed.begin(), keyed.end());
            for (std::size_t i = 0; i < keyed.size();) {
                std::size_t end = i + 1;
                while (end < keyed.size() && keyed[end].first == keyed[i].first) ++end;
                for (std::size_t j = i + 1; j < end; ++j) groups.unite(keyed[i].second, keyed[j].second);
                if (split >= 2 && end - i >= split)
                    for (std::size_t j = i; j < end; ++j) large[keyed[j].second] = 1;
                i = end;
            }
        }
    }
    // The whole run's rarity sample (dedup_result::rarity_sample): every rarity_sample_step(m)-th
    // of the m first texts of their shingle sequences in a bucket of split_buckets sequences.
    groups_file g;
    g.parameters = ditto::index_parameters_for(a.dedup);
    g.input_size = input.size();
    g.parts = static_cast<std::uint32_t>(sketches.parts());
    g.tasks = a.tasks;
    g.split_buckets = split;
    {
        std::vector<u32> large_units;
        for (std::size_t i = 0; i < n; ++i)
            if (large[i]) large_units.push_back(static_cast<u32>(i));
        const std::size_t step = ditto::rarity_sample_step(large_units.size());
        for (std::size_t i = 0; i < large_units.size(); i += step) g.sample.push_back(large_units[i]);
    }
    // Groups dealt out largest first (by text bytes, a document counting at least one), each to
    // the task with the fewest bytes so far (the lowest number on a tie).
    std::vector<std::uint64_t> group_bytes(n, 0);
    for (std::size_t i = 0; i < n; ++i) group_bytes[groups.find(i)] += length[i] + 1;
    std::vector<u32> roots;
    for (std::size_t i = 0; i < n; ++i)
        if (groups.find(i) == i) roots.push_back(static_cast<u32>(i));
    std::sort(roots.begin(), roots.end(), [&](u32 x, u32 y) { return group_bytes[x] != group_bytes[y] ? group_bytes[x] > group_bytes[y] : x < y; });
    std::vector<u32> task_of_root(n, 0);
    {
        using load = std::pair<std::uint64_t, u32>;  // bytes so far, task
        std::priority_queue<load, std::vector<load>, std::greater<load>> least;
        for (u32 t = 0; t < a.tasks; ++t) least.push({0, t});
        for (const u32 r : roots) {
            load l = least.top();
            least.pop();
            task_of_root[r] = l.second;
            l.first += group_bytes[r];
            least.push(l);
        }
    }
    g.records = n;
    g.sketch_digest = sketches.digest();
    g.documents.assign(a.tasks, {});
    g.task_bytes.assign(a.tasks, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const u32 t = task_of_root[groups.find(i)];
        g.documents[t].push_back(static_cast<u32>(i));
        g.task_bytes[t] += length[i];
    }
    out.write(g.encode());
    out.commit();
    if (!a.quiet) {
        const std::uint64_t largest = roots.empty() ? 0 : group_bytes[roots.front()];
        std::uint64_t total = 0, most = 0;
        for (const std::uint64_t b : g.task_bytes) {
            total += b;
            most = std::max(most, b);
        }
        std::fprintf(stderr,
                     "ditto: %zu documents in %zu groups over %u tasks; the largest group holds %.1f%% of the text bytes, "
                     "the largest task %.1f%%; %zu documents in the rarity sample\n",
                     n, roots.size(), a.tasks, total ? 100.0 * static_cast<double>(largest) / static_cast<double>(total + n) : 0.0,
                     total ? 100.0 * static_cast<double>(most) / static_cast<double>(total) : 0.0, g.sample.size());
    }
    return 0;
}

namespace {

constexpr const char* filter_help_command = "ditto filter --help";

void print_filter_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto filter --sketches FOLDER --part P/N [-o FILE] [OPTIONS] INPUT|--manifest LIST\n"
        "Write the kept lines of part P of N of INPUT (the lines 'ditto sketch --part P/N' read),\n"
        "from the results of every 'ditto dedup --task k/K' in FOLDER: the lines of the parts,\n"
        "concatenated in part order, are what 'ditto dedup INPUT' writes, byte for byte. Each\n"
        "part reads only its own bytes of INPUT, so the parts can run anywhere at once.\n"
        "\n"
        "  --sketches FOLDER   the folder of the sketch files, the groups file and the task\n"
        "                      results (required)\n"
        "  --part P/N          which part (required); N is the number of sketch files\n"
        "  --manifest LIST     instead of INPUT: the files LIST names, as given to 'ditto sketch'\n"
        "  -o, --output FILE   write FILE instead of standard output (replaced at the end\n"
        "                      through a temporary file)\n"
        "  --keep first|longest, --cluster greedy|connected\n"
        "                      as given to the tasks (checked against their results)\n"
        "  --threshold T, --ngram K, --shingle words:K|chars:K, --sketch-size N, --recall R\n"
        "  --text-field NAME, --id-field NAME, --invalid-utf8 replace|error, --skip-invalid\n"
        "                      as given to 'ditto sketch' (checked against the sketch files)\n"
        "  --threads N         accepted (as 'ditto plan' passes it); filtering is one thread\n"
        "  -q, --quiet         no summary on standard error\n"
        "  -h, --help          show this help\n",
        out);
}

}  // namespace

int run_filter(const std::vector<std::string_view>& args) {
    input_argument input;
    std::string folder, output_path, output_option = "-o";
    std::uint32_t part = 0, parts = 0;
    ditto::dedup_options dedup;
    ditto::jsonl_options jsonl;
    bool skip_invalid = false, quiet = false;
    argument_reader reader(args, filter_help_command);
    while (reader.next()) {
        argument_reader& r = reader;
        if (parse_input_argument(r, input)) continue;
        const std::string_view name = r.name();
        if (name == "-h" || name == "--help") {
            print_filter_help(stdout);
            return 0;
        }
        if (name == "--sketches") {
            folder = std::string(r.value());
            if (folder.empty()) throw usage_error("--sketches needs a folder", filter_help_command);
        } else if (name == "--part") {
            const std::string_view v = r.value();
            if (!parse_index_of(v, 1u << 20, part, parts))
                throw usage_error("--part must be P/N with 0 <= P < N, got '" + std::string(v) + "'", filter_help_command);
        } else if (parse_rule_option(r, dedup)) {
        } else if (name == "--threads") {
            (void)parse_size(name, r.value(), 1, 4096, filter_help_command);
        } else if (parse_similarity_option(r, dedup) || parse_input_option(r, jsonl)) {
        } else if (name == "--skip-invalid") {
            r.flag();
            skip_invalid = true;
        } else if (parse_output_option(r, output_path, output_option)) {
        } else if (name == "-q" || name == "--quiet") {
            r.flag();
            quiet = true;
        } else {
            r.unknown();
        }
    }
    if (!input.given) throw usage_error("no input file (or --manifest LIST)", filter_help_command);
    if (input.path == "-") throw usage_error("the input must be the file the parts were sketched from (not standard input)", filter_help_command);
    if (folder.empty()) throw usage_error("--sketches FOLDER is required", filter_help_command);
    if (parts == 0) throw usage_error("--part P/N is required", filter_help_command);
    if (jsonl.text_field == jsonl.id_field)
        throw usage_error("--text-field and --id-field must differ, both are '" + jsonl.text_field + "'", filter_help_command);
    check_similarity_options(dedup, filter_help_command);
    const input_files in(input.path, input.manifest);
    if (!output_path.empty()) {
        in.refuse_as_output(output_path, output_option, filter_help_command);
        const std::filesystem::path written = output_target(std::filesystem::absolute(output_path).string());
        std::error_code ec;
        if (std::filesystem::equivalent(written.parent_path(), folder, ec) &&
            (written.extension() == ".sketch" || written.extension() == ".result" || written.filename() == "groups"))
            throw usage_error(output_option + " " + escape_text(output_path) + " would be taken for a stage's file in --sketches " +
                                  escape_text(folder) + ": name the output otherwise, or write it elsewhere",
                              filter_help_command);
    }
    output out(output_path, output_option);

    const std::string& input_name = in.display_name();
    const ditto::index_parameters parameters = ditto::index_parameters_for(dedup);
    sketch_files sketches(folder, parameters, in.size(), in.layout(), in.modification_time(), jsonl, skip_invalid, nullptr, false);
    if (sketches.parts() != parts)
        throw data_error("--sketches " + escape_text(folder) + " holds " + std::to_string(sketches.parts()) +
                         " parts, not " + std::to_string(parts) + " (--part " + std::to_string(part) + "/" + std::to_string(parts) + ")");
    const std::string groups_path = folder + "/groups";
    const groups_file groups = read_groups(folder, sketches, dedup);
    // The part's lines, parsed as the sketch task parsed them: every record must be the one
    // sketched (its line's place and its text's hash), so a changed input is an error.
    const sketch_header& h = sketches.part_header(part);
    const std::size_t first = sketches.first_record(part);
    const std::size_t bytes = static_cast<std::size_t>(h.end - h.begin);
    std::unique_ptr<char[]> buffer(new char[bytes + 1]);
    in.read(h.begin, buffer.get(), bytes);
    ditto::thread_pool pool(1);
    ditto::jsonl_chunk_options chunking;
    chunking.skip_invalid = skip_invalid;
    const ditto::jsonl_lines parsed = ditto::parse_jsonl(buffer.get(), 0, bytes, jsonl, pool, chunking);
    const auto changed = [&](const std::string& what) {
        return data_error(input_name + " is not as it was sketched (" + what + "); was it changed since?");
    };
    if ((!skip_invalid && !parsed.bad.empty()) || parsed.records.size() != h.records) throw changed("its records differ");
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lines(parsed.records.size());
    {
        ditto::text_sketch s;
        for (std::size_t r = 0; r < parsed.records.size(); ++r) {
            sketches.sketch(first + r, s, lines[r].first, lines[r].second);
            const auto& line = parsed.records[r];
            if (lines[r].first != h.begin + line.begin || lines[r].second != h.begin + line.end ||
                ditto::hash128(line.record.text) != s.bytes)
                throw changed((in.is_manifest() ? "the line at " + in.place(h.begin + line.begin)
                                                : "line " + std::to_string(line.line) + " of part " + std::to_string(part)) +
                              " differs");
        }
    }
    // Each record's keep flag from its task's row, a result open at a time. Results are checked
    // whole (a damaged row would keep or drop a line silently) and against the groups file: a
    // removed record's kept copy is in its task and kept.
    std::vector<std::uint8_t> keep(lines.size(), 2);  // 2: not found yet
    {
        for_each_task_result(folder, groups, dedup, task_flags(false, dedup), task_flag_pairs, "this filter", false,
                             [&](const task_result& t) {
            const std::string name = escape_text(t.path());
            const std::vector<std::uint32_t>& list = groups.documents[t.header().task];
            const auto from = std::lower_bound(list.begin(), list.end(), static_cast<std::uint32_t>(first));
            for (auto at = from; at != list.end() && *at < first + lines.size(); ++at) {
                const std::uint64_t position = static_cast<std::uint64_t>(at - list.begin());
                const task_row row = t.row(position);
                bool sound = row.document == *at;
                if (sound && row.cluster != row.document) {  // its kept copy: in the task, and kept
                    const auto kept_at = std::lower_bound(list.begin(), list.end(), static_cast<std::uint32_t>(row.cluster));
                    sound = row.cluster < groups.records && kept_at != list.end() && *kept_at == row.cluster &&
                            t.row(static_cast<std::uint64_t>(kept_at - list.begin())).cluster == row.cluster;
                }
                if (!sound) throw data_error(name + " does not hold its task's documents as grouped");
                keep[*at - first] = row.cluster == row.document ? 1 : 0;
            }
        });
        if (std::find(keep.begin(), keep.end(), 2) != keep.end())
            throw data_error(escape_text(groups_path) + " leaves a record of part " + std::to_string(part) + " in no task");
    }
    // The part's bytes as read (the parser decoded the buffer's strings in place) but the removed
    // records' lines, each with its line break.
    buffer.reset();
    std::vector<char> block(std::size_t{1} << 20);
    const auto copy = [&](std::uint64_t from, std::uint64_t to) {
        while (from < to) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), to - from));
            in.read(from, block.data(), n);
            out.write(std::string_view(block.data(), n));
            from += n;
        }
    };
    std::size_t kept = 0, removed = 0;
    std::uint64_t at = h.begin;
    for (std::size_t r = 0; r < lines.size(); ++r) {
        if (keep[r]) {
            ++kept;
            continue;
        }
        ++removed;
        copy(at, lines[r].first);
        at = std::min(lines[r].second + 1, h.end);
    }
    copy(at, h.end);
    in.check_unchanged("filtered");
    out.commit();
    // Every earlier stage is done: what killed tasks left in the folder goes (a locked one stays).
    const std::size_t leftovers = sketches.remove_leftovers();
    if (leftovers > 0 && !quiet)
        std::fprintf(stderr, "ditto: removed %zu temporary file%s left in --sketches %s by interrupted tasks\n", leftovers,
                     leftovers == 1 ? "" : "s", escape_text(folder).c_str());
    if (!quiet)
        std::fprintf(stderr, "ditto: part %u/%u of %s: %llu records, %zu kept, %zu removed\n", part, parts, input_name.c_str(),
                     static_cast<unsigned long long>(h.records), kept, removed);
    return 0;
}

}  // namespace ditto_cli
