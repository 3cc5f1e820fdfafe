// ditto: find near-duplicate texts in a corpus.
//
//   ditto dedup [options] [FILE|-]     (see `ditto dedup --help`)
//   ditto diff [options] A B           (see `ditto diff --help`)
//   ditto clean [options] [FILE|-]     (see `ditto clean --help`)
//   ditto index build|add|merge|info   (see `ditto index --help`)
//   ditto translations [options] REFERENCE OTHER  (see `ditto translations --help`)
//   ditto --help | --version

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <vector>

#include <ditto/version.hpp>

#include "cli.hpp"

namespace {

void print_help(std::FILE* out) {
    std::fputs(
        "Usage: ditto COMMAND [OPTIONS] [ARGS]\n"
        "Find text that was copied, republished or lightly rewritten.\n"
        "\n"
        "Commands:\n"
        "  dedup     find near-duplicate documents in a JSONL corpus; print the kept lines,\n"
        "            the similar pairs, the clusters, or what differs within each cluster\n"
        "  diff      show what differs between two copies: shared passages, deleted and\n"
        "            inserted text, changed figures\n"
        "  clean     remove boilerplate lines and repeated passages from the texts of a JSONL\n"
        "            corpus; write the cleaned records and, optionally, the removed spans\n"
        "  sketch    the per-document work of dedup for one part of a file, written to a\n"
        "            sketch file, so parts can run on many machines (dedup --sketches)\n"
        "  group     assign sketched documents to the tasks of 'dedup --task' so that no\n"
        "            similar pair crosses tasks\n"
        "  filter    the kept lines of one part, from the results of 'dedup --task'\n"
        "  plan      the tasks of a dedup run split into parts, as JSONL, for any engine to run\n"
        "  index     build, extend, merge and check stored indexes of a corpus: signatures\n"
        "            and band keys kept on disk\n"
        "  translations\n"
        "            link each document of a JSONL corpus to the document of a reference corpus\n"
        "            it is a translation of, by the figures, links, codes and acronyms they share\n"
        "\n"
        "Options:\n"
        "  -h, --help     show this help\n"
        "  -V, --version  show the version\n"
        "\n"
        "Run 'ditto COMMAND --help' for a command's options.\n"
        "Exit status: 0 success, 1 invalid data or I/O error, 2 invalid usage.\n",
        out);
}

int run(const std::vector<std::string_view>& args) {
    try {
        if (args.empty()) {
            print_help(stderr);
            return ditto_cli::exit_usage;
        }
        const std::string_view command = args[0];
        if (command == "-h" || command == "--help") {
            print_help(stdout);
            return 0;
        }
        if (command == "-V" || command == "--version") {
            std::printf("ditto %s\n", DITTO_VERSION_STRING);
            return 0;
        }
        if (command == "dedup") return ditto_cli::run_dedup(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "plan") return ditto_cli::run_plan(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "sketch") return ditto_cli::run_sketch(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "group") return ditto_cli::run_group(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "filter") return ditto_cli::run_filter(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "index") return ditto_cli::run_index(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "clean") return ditto_cli::run_clean(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "translations") return ditto_cli::run_translations(std::vector<std::string_view>(args.begin() + 1, args.end()));
        if (command == "diff") return ditto_cli::run_diff(std::vector<std::string_view>(args.begin() + 1, args.end()));
        throw ditto_cli::usage_error("unknown command '" + std::string(command) + "'");
    } catch (const ditto_cli::usage_error& e) {
        std::fprintf(stderr, "ditto: %s\n", e.what());
        if (!e.help_command.empty()) std::fprintf(stderr, "Try '%s'.\n", e.help_command.c_str());
        return ditto_cli::exit_usage;
    } catch (const ditto_cli::data_error& e) {
        std::fprintf(stderr, "ditto: %s\n", e.what());
        return ditto_cli::exit_data;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "ditto: out of memory\n");
        return ditto_cli::exit_data;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ditto: %s\n", e.what());
        return ditto_cli::exit_data;
    }
}

}  // namespace

int main(int argc, char** argv) {
    ditto_cli::install_signal_cleanup();
    // Help and messages to standard output stay in this buffer until the flush below, so a
    // failed write is seen there with its errno (an earlier implicit flush would report its
    // failure only through ferror, its errno long overwritten).
    static char stdout_buffer[1 << 16];
    std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    int status = run(std::vector<std::string_view>(argv + 1, argv + argc));
    // Whatever went to standard output must have arrived: a full disk or a closed file is an
    // error, not a silent success.
    errno = 0;
    const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
    const int why = errno;
    if (std::fclose(stdout) != 0 || failed) {
        if (status == 0) {
            std::fprintf(stderr, "ditto: cannot write standard output: %s\n", std::strerror(why ? why : errno));
            status = ditto_cli::exit_data;
        }
    }
    return status;
}
