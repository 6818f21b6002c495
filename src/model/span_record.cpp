#include "model/span_record.h"

namespace tracemesh::model {

std::shared_ptr<const std::string> empty_object() {
  static const auto empty = std::make_shared<const std::string>("{}");
  return empty;
}

const char* to_string(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::internal:
      return "internal";
    case SpanKind::server:
      return "server";
    case SpanKind::client:
      return "client";
    case SpanKind::producer:
      return "producer";
    case SpanKind::consumer:
      return "consumer";
    case SpanKind::unspecified:
      break;
  }
  return "unspecified";
}

const char* to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::error:
      return "error";
    case StatusCode::unset:
      break;
  }
  return "unset";
}

std::optional<SpanKind> span_kind_named(std::string_view name) noexcept {
  for (const SpanKind kind : {SpanKind::unspecified, SpanKind::internal, SpanKind::server,
                              SpanKind::client, SpanKind::producer, SpanKind::consumer}) {
    if (name == to_string(kind)) return kind;
  }
  return std::nullopt;
}

std::optional<StatusCode> status_code_named(std::string_view name) noexcept {
  for (const StatusCode code : {StatusCode::unset, StatusCode::ok, StatusCode::error}) {
    if (name == to_string(code)) return code;
  }
  return std::nullopt;
}

}  // namespace tracemesh::model
