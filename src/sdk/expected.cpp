#include "tracemesh/expected.h"

namespace tracemesh {

std::string_view describe(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::missing_header:
      return "header missing";
    case ErrorCode::bad_length:
      return "field or header has the wrong length";
    case ErrorCode::bad_version:
      return "version is malformed or not allowed";
    case ErrorCode::bad_character:
      return "character outside the format's grammar";
    case ErrorCode::zero_trace_id:
      return "trace id is all zeros";
    case ErrorCode::zero_span_id:
      return "span id is all zeros";
    case ErrorCode::bad_flags:
      return "trace flags or sampling state malformed";
    case ErrorCode::bad_delimiter:
      return "separator missing or misplaced";
    case ErrorCode::too_many_members:
      return "too many list members";
    case ErrorCode::too_long:
      return "header exceeds its size limit";
    case ErrorCode::duplicate_key:
      return "the same key appears twice";
    case ErrorCode::duplicate_header:
      return "header repeated where only one is allowed";
    case ErrorCode::no_ids:
      return "header carries a sampling decision but no ids";
    case ErrorCode::carrier_failed:
      return "the carrier or the allocator threw";
    case ErrorCode::invalid_config:
      return "invalid configuration value";
    case ErrorCode::unknown_name:
      return "unknown name";
    case ErrorCode::io_error:
      return "input/output error";
    case ErrorCode::invalid_input:
      return "malformed input";
    case ErrorCode::transport_error:
      return "a network request failed";
  }
  return "unknown error";
}

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::missing_header:
      return "missing_header";
    case ErrorCode::bad_length:
      return "bad_length";
    case ErrorCode::bad_version:
      return "bad_version";
    case ErrorCode::bad_character:
      return "bad_character";
    case ErrorCode::zero_trace_id:
      return "zero_trace_id";
    case ErrorCode::zero_span_id:
      return "zero_span_id";
    case ErrorCode::bad_flags:
      return "bad_flags";
    case ErrorCode::bad_delimiter:
      return "bad_delimiter";
    case ErrorCode::too_many_members:
      return "too_many_members";
    case ErrorCode::too_long:
      return "too_long";
    case ErrorCode::duplicate_key:
      return "duplicate_key";
    case ErrorCode::duplicate_header:
      return "duplicate_header";
    case ErrorCode::no_ids:
      return "no_ids";
    case ErrorCode::carrier_failed:
      return "carrier_failed";
    case ErrorCode::invalid_config:
      return "invalid_config";
    case ErrorCode::unknown_name:
      return "unknown_name";
    case ErrorCode::io_error:
      return "io_error";
    case ErrorCode::invalid_input:
      return "invalid_input";
    case ErrorCode::transport_error:
      return "transport_error";
  }
  return "unknown";
}

}  // namespace tracemesh
