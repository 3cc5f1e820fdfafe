#pragma once
// The cleaning options shared by `ditto clean` and `ditto dedup --clean`, and the JSON record
// rewriting both use.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ditto/clean/clean.hpp>

#include "cli.hpp"

namespace ditto_cli {

/// What `ditto clean` removes, and the word count under which a record is left out.
struct clean_settings {
    ditto::clean_options options;
    std::size_t drop_below = 0;
};

/// When r is at a cleaning option (--min-docs, --min-tokens, --remove, --remove-lines, --no-fold-digits,
/// --no-lines, --no-passages, --drop-below), parses its value into s and returns true.
bool parse_clean_option(argument_reader& r, clean_settings& s);
/// Checks the cleaning options together; throws usage_error.
void check_clean_settings(const clean_settings& s, const std::string& help_command);

/// The byte range of the value of the top-level member `field` in a JSON object line that the
/// strict parser accepted. Throws std::logic_error when there is none.
std::pair<std::size_t, std::size_t> json_member_value(std::string_view line, std::string_view field);
/// line with the value of its member `field` replaced by text as a JSON string; every other
/// byte as it was.
std::string replace_json_member(std::string_view line, std::string_view field, std::string_view text);

}  // namespace ditto_cli

namespace ditto_cli {

/// `ditto dedup --clean`: the texts cleaned so far, by document (texts given to the functions
/// below are pointed at them).
struct dedup_cleaning {
    std::vector<std::string> cleaned;  ///< the cleaned text of a changed document
    std::vector<char> changed;         ///< whether a document's text was cut
    std::size_t lines = 0, passages = 0;
};

/// Cuts the boilerplate lines out of texts (all documents), before dedup.
void clean_lines_for_dedup(std::vector<std::string_view>& texts, const clean_settings& s, ditto::thread_pool& pool,
                           dedup_cleaning& c);
/// Cuts the repeated passages among the kept documents out of their texts, after dedup: copies of
/// one article share every passage, so looking before dedup would strip the copies it must find.
void clean_passages_for_dedup(std::vector<std::string_view>& texts, const std::vector<bool>& keep,
                              const clean_settings& s, ditto::thread_pool& pool, dedup_cleaning& c);

}  // namespace ditto_cli
