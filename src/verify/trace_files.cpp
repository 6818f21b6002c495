#include "verify/trace_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "ingest/otlp_json_decoder.h"
#include "model/broken_hops.h"
#include "verify/backend_trace_json.h"

namespace tracemesh::verify {
namespace {

Expected<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error{ErrorCode::io_error, path + ": cannot read the file"};
  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  if (size < 0) return Error{ErrorCode::io_error, path + ": cannot read the file"};
  if (static_cast<std::size_t>(size) > max_trace_file_bytes) {
    return Error{ErrorCode::invalid_input,
                 path + ": larger than " + std::to_string(max_trace_file_bytes >> 20) + " MiB"};
  }
  file.seekg(0);
  std::string content(static_cast<std::size_t>(size), '\0');
  if (!file.read(content.data(), size)) {
    return Error{ErrorCode::io_error, path + ": reading failed"};
  }
  return content;
}

Expected<void> decode_into(std::string_view body, const std::string& where,
                           std::vector<model::SpanRecord>& spans) {
  ingest::DecodeLimits limits;
  limits.max_spans = max_file_spans;
  // Tempo's trace JSON (batches, base64 ids) is OTLP/JSON once reshaped.
  const std::optional<std::string> tempo = tempo_trace_to_otlp_json(body);
  auto batch = ingest::decode_otlp_json(tempo ? std::string_view(*tempo) : body, limits);
  if (!batch)
    return Error{ErrorCode::invalid_input, where + ": " + std::string(batch.error().text())};
  if (batch->rejected > 0) {
    return Error{ErrorCode::invalid_input, where + ": " + std::to_string(batch->rejected) +
                                               " span(s) rejected: " + batch->rejection_message};
  }
  if (spans.size() + batch->spans.size() > max_file_spans) {
    return Error{ErrorCode::invalid_input,
                 where + ": more than " + std::to_string(max_file_spans) + " spans in all files"};
  }
  for (auto& span : batch->spans) spans.push_back(std::move(span));
  return {};
}

// One request per file, or one per line (JSON Lines: the first non-blank
// line is a JSON document of its own). A file that is neither keeps the
// whole-file error, which says what is wrong with it.
Expected<void> decode_file(const std::string& path, const std::string& content,
                           std::vector<model::SpanRecord>& spans) {
  std::istringstream lines(content);
  std::string line;
  std::size_t first_line = 0;
  while (std::getline(lines, line)) {
    ++first_line;
    if (line.find_first_not_of(" \t\r") != std::string::npos) break;
  }
  const bool json_lines =
      lines.good() &&
      content.find_first_not_of(" \t\r\n", static_cast<std::size_t>(lines.tellg())) !=
          std::string::npos &&
      nlohmann::json::accept(line);
  if (!json_lines) return decode_into(content, path, spans);
  std::size_t number = first_line;
  do {
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      auto decoded = decode_into(line, path + ":" + std::to_string(number), spans);
      if (!decoded) return decoded;
    }
    ++number;
  } while (std::getline(lines, line));
  return {};
}

}  // namespace

Expected<std::vector<model::Trace>> read_trace_files(const std::vector<std::string>& paths,
                                                     const model::IntegrityOptions& options) {
  std::vector<model::SpanRecord> spans;
  for (const std::string& path : paths) {
    auto content = read_file(path);
    if (!content) return content.error();
    auto decoded = decode_file(path, *content, spans);
    if (!decoded) return decoded.error();
  }
  // Group by trace; a span delivered twice (a retried export) counts once.
  std::unordered_map<TraceId, std::vector<model::SpanRecord>, model::IdHash> by_trace;
  std::unordered_map<TraceId, std::unordered_set<SpanId, model::IdHash>, model::IdHash> seen;
  std::vector<TraceId> order;
  for (auto& span : spans) {
    if (!seen[span.trace_id].insert(span.span_id).second) continue;
    auto& trace = by_trace[span.trace_id];
    if (trace.empty()) order.push_back(span.trace_id);
    trace.push_back(std::move(span));
  }
  std::vector<const model::SpanRecord*> roots;
  for (auto& [id, trace] : by_trace) {
    std::sort(trace.begin(), trace.end(),
              [](const auto& a, const auto& b) { return a.start_unix_nano < b.start_unix_nano; });
    for (const auto& span : trace) {
      if (span.is_root()) roots.push_back(&span);
    }
  }
  std::sort(roots.begin(), roots.end(),
            [](const auto* a, const auto* b) { return a->start_unix_nano < b->start_unix_nano; });
  std::sort(order.begin(), order.end(), [&](const TraceId& a, const TraceId& b) {
    return by_trace[a].front().start_unix_nano < by_trace[b].front().start_unix_nano;
  });

  // `roots` points into the spans, which stay where they are when their vector
  // is moved into a trace (and again if `traces` grew; reserved all the same).
  std::vector<model::Trace> traces;
  traces.reserve(order.size());
  for (const TraceId& id : order) {
    model::Trace& trace = traces.emplace_back();
    trace.trace_id = id;
    trace.spans = std::move(by_trace[id]);
    // Files hold everything there is: judge each trace as settled.
    trace.verdict = model::analyze_trace(trace.spans, 0, options.grace_nanos, options);
    model::add_broken_hops(trace.spans, roots, options, trace.verdict);
  }
  return traces;
}

}  // namespace tracemesh::verify
