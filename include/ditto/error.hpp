#pragma once
// The exception types ditto throws, and the small helpers that throw them.
//
// Invalid arguments throw std::invalid_argument naming the parameter and the valid range;
// malformed input throws ditto::parse_error with the place; corrupt binary data throws
// ditto::format_error. Throwing lives in [[noreturn]] helpers so hot loops stay small.

#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ditto::inline v0_1 {

/// Malformed input. Carries the byte offset of the problem and, where the input has lines,
/// its 1-based line and column (0 when unknown).
class parse_error : public std::runtime_error {
public:
    parse_error(const std::string& message, std::size_t byte_offset, std::size_t line = 0,
                std::size_t column = 0)
        : std::runtime_error(message), byte_offset_(byte_offset), line_(line), column_(column) {}

    [[nodiscard]] std::size_t byte_offset() const noexcept { return byte_offset_; }
    [[nodiscard]] std::size_t line() const noexcept { return line_; }
    [[nodiscard]] std::size_t column() const noexcept { return column_; }

private:
    std::size_t byte_offset_;
    std::size_t line_;
    std::size_t column_;
};

/// A stored binary file (signatures, indexes) that is corrupt, truncated or of another version.
class format_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {

/// Throws std::invalid_argument: "<function>: <parameter> must be <requirement>, got <value>".
[[noreturn]] inline void throw_invalid_argument(std::string_view function, std::string_view parameter,
                                                std::string_view requirement, std::string_view value) {
    std::string message;
    message.append(function).append(": ").append(parameter).append(" must be ");
    message.append(requirement).append(", got ").append(value);
    throw std::invalid_argument(message);
}

/// A number as "%g" writes it, for messages.
inline std::string format_double(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

[[noreturn]] inline void throw_parse_error(std::string_view message, std::size_t byte_offset) {
    std::string text(message);
    text.append(" at byte offset ").append(std::to_string(byte_offset));
    throw parse_error(text, byte_offset);
}

}  // namespace detail
}  // namespace ditto
