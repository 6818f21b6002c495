// Text for the harness's one-line request log.
//
// Header values and paths come from the network: they are written so that
// no input can break a log line in two or forge a field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace w3c_harness {

inline constexpr std::size_t max_logged_value_size = 160;

// Return `value` fit for a one-line log: visible ASCII except '"' and '\' as
// is (and spaces, when `keep_spaces`), anything else as \xNN, cut at
// max_logged_value_size with "..." appended.
std::string loggable(std::string_view value, bool keep_spaces = false);

// Return `text` as a double-quoted log value (spaces kept).
std::string as_quoted(std::string_view text);

}  // namespace w3c_harness
