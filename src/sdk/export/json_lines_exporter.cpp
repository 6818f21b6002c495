#include "tracemesh/json_lines_exporter.h"

#include <cerrno>
#include <cstring>
#include <type_traits>

#include "sdk/json_text.h"

namespace tracemesh {
namespace {

using detail::append_json_string;

void append_scalar(std::string& out, bool value) {
  out += value ? "true" : "false";
}
void append_scalar(std::string& out, std::int64_t value) {
  out += std::to_string(value);
}
void append_scalar(std::string& out, double value) {
  detail::append_json_number(out, value);
}
void append_scalar(std::string& out, const std::string& value) {
  append_json_string(out, value);
}

void append_value(std::string& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<bool>>) {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ',';
            append_scalar(out, static_cast<bool>(v[i]));
          }
          out += ']';
        } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>> ||
                             std::is_same_v<T, std::vector<double>> ||
                             std::is_same_v<T, std::vector<std::string>>) {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ',';
            append_scalar(out, v[i]);
          }
          out += ']';
        } else {
          append_scalar(out, v);
        }
      },
      value.variant());
}

void append_attributes(std::string& out, const Attributes& attributes) {
  out += '{';
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, attributes[i].key);
    out += ':';
    append_value(out, attributes[i].value);
  }
  out += '}';
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += ',';
  append_json_string(out, name);
  out += ':';
  append_json_string(out, value);
}

}  // namespace

std::string span_to_json(const SpanData& span) {
  std::string out = R"({"trace_id":")" + span.context.trace_id.to_hex() + '"';
  append_field(out, "span_id", span.context.span_id.to_hex());
  append_field(out, "parent_span_id",
               span.parent_span_id.is_valid() ? span.parent_span_id.to_hex() : std::string());
  append_field(out, "service", span.resource ? span.resource->service_name() : "");
  append_field(out, "name", span.name);
  append_field(out, "kind", to_string(span.kind));
  append_field(out, "start_unix_nano", std::to_string(span.start_unix_nano));
  append_field(out, "end_unix_nano", std::to_string(span.end_unix_nano));
  if (!span.context.trace_state.empty()) {
    append_field(out, "trace_state", span.context.trace_state.header());
  }
  if (span.context.legacy_trace_id) {
    append_field(out, "legacy_trace_id", *span.context.legacy_trace_id);
  }
  out += R"(,"status":{"code":)";
  append_json_string(out, to_string(span.status.code));
  out += ",\"message\":";
  append_json_string(out, span.status.description);
  out += "},\"attributes\":";
  append_attributes(out, span.attributes);
  out += ",\"events\":[";
  for (std::size_t i = 0; i < span.events.size(); ++i) {
    const Event& event = span.events[i];
    if (i > 0) out += ',';
    out += "{\"name\":";
    append_json_string(out, event.name);
    out += R"(,"time_unix_nano":")" + std::to_string(event.time_unix_nano) + R"(","attributes":)";
    append_attributes(out, event.attributes);
    out += '}';
  }
  out += "],\"links\":[";
  for (std::size_t i = 0; i < span.links.size(); ++i) {
    const Link& link = span.links[i];
    if (i > 0) out += ',';
    out += R"({"trace_id":")" + link.context.trace_id.to_hex() + R"(","span_id":")" +
           link.context.span_id.to_hex() + R"(","attributes":)";
    append_attributes(out, link.attributes);
    out += '}';
  }
  out += "]}";
  return out;
}

Expected<std::shared_ptr<JsonLinesExporter>> JsonLinesExporter::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "ae");
  if (file == nullptr) {
    return Error{ErrorCode::io_error,
                 "cannot open '" + path + "' for appending: " + std::strerror(errno)};  // NOLINT
  }
  return std::shared_ptr<JsonLinesExporter>(new JsonLinesExporter(file, true));
}

std::shared_ptr<JsonLinesExporter> JsonLinesExporter::to_stdout() {
  return std::shared_ptr<JsonLinesExporter>(new JsonLinesExporter(stdout, false));
}

JsonLinesExporter::~JsonLinesExporter() {
  if (owned_ && file_ != nullptr) std::fclose(file_);
}

ExportResult JsonLinesExporter::export_spans(
    std::span<const std::unique_ptr<SpanData>> spans) noexcept {
  if (file_ == nullptr || shut_down_.load()) return ExportResult::failure;
  try {
    std::string lines;
    for (const auto& span : spans) lines += span_to_json(*span) + '\n';
    const bool written = std::fwrite(lines.data(), 1, lines.size(), file_) == lines.size();
    return written && std::fflush(file_) == 0 ? ExportResult::success : ExportResult::failure;
  } catch (...) {
    return ExportResult::failure;
  }
}

bool JsonLinesExporter::shutdown(std::chrono::milliseconds) noexcept {
  shut_down_.store(true);
  if (file_ != nullptr) std::fflush(file_);
  return true;
}

}  // namespace tracemesh
