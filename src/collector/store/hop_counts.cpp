#include "collector/store/hop_counts.h"

#include <algorithm>
#include <string_view>

#include "collector/store/logged_callee.h"
#include "collector/store/sqlite.h"
#include "collector/store/trace_window.h"
#include "model/span_record.h"

namespace tracemesh::collector {
namespace {

// An attribute of `span` (p: the caller, c: the callee) in SQL.
std::string attribute(std::string_view span, std::string_view key) {
  return "json_extract(" + std::string(span) + ".attributes, '$.\"" + std::string(key) + "\"')";
}

// The HTTP method `span` records, in the current or the older spelling.
std::string method_of(std::string_view span) {
  return attribute(span, "http.request.method") + ", " + attribute(span, "http.method");
}

// The caller's code location: file, line, function (3 columns).
std::string site_columns() {
  return "coalesce(" + attribute("p", "code.file.path") + ", " + attribute("p", "code.filepath") +
         ", ''), coalesce(CAST(coalesce(" + attribute("p", "code.line.number") + ", " +
         attribute("p", "code.lineno") + ") AS INTEGER), 0), coalesce(" +
         attribute("p", "code.function.name") + ", " + attribute("p", "code.function") + ", '')";
}

// Columns 0-10 of the answered queries: caller, callee, callee kind,
// messaging system, method, route, path, topic, and the site's file, line
// and function.
constexpr int answered_key_columns = 11;
std::string answered_keys() {
  return "p.service, c.service, c.kind, c.messaging_system, coalesce(" + method_of("p") + ", " +
         method_of("c") + ", ''), coalesce(" + attribute("c", "http.route") +
         ", ''), CASE WHEN p.kind = 3 AND p.destination_path != '' THEN p.destination_path "
         "ELSE c.destination_path END, CASE WHEN c.kind = 5 THEN "
         "coalesce(nullif(p.messaging_destination, ''), c.messaging_destination) ELSE '' END, " +
         site_columns();
}

// Connected calls: the callee's inbound span is a child of the caller's span.
std::string connected_sql() {
  return "SELECT " + answered_keys() + R"sql(,
  c.propagation_format, count(*), lower(min(hex(t.trace_id)))
FROM traces t CROSS JOIN spans c ON c.trace_id = t.trace_id
  JOIN spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
WHERE {window} AND c.kind IN (2, 5) AND p.service != c.service
  AND p.start_unix_nano BETWEEN ?1 AND ?2
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)sql";
}

// Broken calls: the stored broken hops, with both spans.
std::string broken_sql() {
  return "SELECT " + answered_keys() + R"sql(,
  c.propagation_format, count(*), lower(min(hex(b.caller_trace_id))), b.culprit, b.outcome
FROM broken_hops b
  JOIN spans p ON p.trace_id = b.caller_trace_id AND p.span_id = b.caller_span_id
  JOIN spans c ON c.trace_id = b.callee_trace_id AND c.span_id = b.callee_span_id
WHERE b.call_start_unix_nano BETWEEN ?1 AND ?2
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16)sql";
}

// Unanswered calls of settled traces that are not broken (or restarted) hops
// either; column 13 says whether the call's context was sent unsampled, 14
// names the service whose logs prove the call arrived (logged_callee.h).
std::string unanswered_sql() {
  return log_only_cte() + R"sql(SELECT p.service, p.kind, p.destination_address, p.destination_port,
  p.messaging_system, p.messaging_destination, coalesce()sql" +
         method_of("p") + ", ''), p.destination_path, " + site_columns() +
         R"sql(, count(*), lower(min(hex(t.trace_id))),
  (p.flags & 256) != 0 AND (p.flags & 1) = 0, )sql" +
         logged_callee_sql("p") + R"sql(
FROM traces t CROSS JOIN spans p ON p.trace_id = t.trace_id
WHERE {window} AND t.settled = 1 AND p.kind IN (3, 4)
  AND p.start_unix_nano BETWEEN ?1 AND ?2
  AND NOT EXISTS (SELECT 1 FROM spans c WHERE c.trace_id = p.trace_id
                  AND c.parent_span_id = p.span_id AND c.kind IN (2, 5))
  AND NOT EXISTS (SELECT 1 FROM broken_hops b WHERE b.caller_trace_id = p.trace_id
                  AND b.caller_span_id = p.span_id)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15)sql";
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Whether a path segment is an id rather than a name: digits, a UUID, or a
// long hex string with a digit in it.
bool is_id_segment(std::string_view segment) {
  if (segment.empty()) return false;
  if (std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;
  const bool uuid = segment.size() == 36 && segment[8] == '-' && segment[13] == '-' &&
                    segment[18] == '-' && segment[23] == '-';
  const bool hex = std::all_of(segment.begin(), segment.end(),
                               [uuid](char c) { return is_hex(c) || (uuid && c == '-'); });
  const bool digit =
      std::any_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
  return hex && digit && (uuid || segment.size() >= 12);
}

}  // namespace

std::string path_shape(std::string_view path) {
  std::string shape;
  std::size_t at = 0;
  while (at < path.size()) {
    const std::size_t slash = path.find('/', at);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view segment = path.substr(at, end - at);
    shape += is_id_segment(segment) ? std::string_view("{id}") : segment;
    if (slash == std::string_view::npos) break;
    shape += '/';
    at = slash + 1;
  }
  return shape;
}

namespace {

std::string protocol_of(std::int64_t callee_kind, const std::string& messaging_system) {
  if (static_cast<model::SpanKind>(callee_kind) == model::SpanKind::server) return "http";
  return messaging_system.empty() ? "messaging" : messaging_system;
}

class HopCounter {
 public:
  HopCounter(Database& db, std::uint64_t start, std::uint64_t end, std::size_t limit)
      : db_(db),
        start_(start),
        end_(end),
        limit_(limit),
        window_(window_traces_sql(window_index(db, start, end))) {}

  HopCounts count() {
    read_answered(connected_sql(), false);
    read_answered(broken_sql(), true);
    read_unanswered();
    Statement unsettled =
        windowed("SELECT count(*) FROM traces t WHERE {window} AND t.settled = 0");
    if (unsettled.step())
      result_.unsettled_traces = static_cast<std::uint64_t>(unsettled.column_int(0));
    for (auto& [key, hop] : hops_) result_.hops.push_back(std::move(hop));
    return std::move(result_);
  }

 private:
  Statement windowed(const std::string& sql) {
    Statement statement = db_.prepare(with_window(sql, window_));
    statement.bind(1, as_sql_bound(start_)).bind(2, as_sql_bound(end_));
    return statement;
  }

  // The count for `key`, or null when the limit leaves it out.
  HopCount* hop(HopKey key, const std::string& trace_id) {
    auto found = hops_.find(key);
    if (found == hops_.end()) {
      if (hops_.size() >= limit_) {
        result_.truncated = true;
        return nullptr;
      }
      found = hops_.emplace(key, HopCount{}).first;
      found->second.key = std::move(key);
    }
    HopCount& count = found->second;
    if (count.example_trace_id.empty() || trace_id < count.example_trace_id)
      count.example_trace_id = trace_id;
    return &count;
  }

  static void read_site(const Statement& row, int first, HopKey& key) {
    key.site_file = row.column_text(first);
    key.site_line = row.column_int(first + 1);
    key.site_function = row.column_text(first + 2);
  }

  void read_answered(const std::string& sql, bool broken) {
    Statement row = windowed(sql);
    while (row.step()) {
      HopKey key;
      key.caller = row.column_text(0);
      key.callee = row.column_text(1);
      key.protocol = protocol_of(row.column_int(2), row.column_text(3));
      key.method = row.column_text(4);
      key.route = row.column_text(5);
      key.path = path_shape(row.column_text(6));
      key.topic = row.column_text(7);
      read_site(row, 8, key);
      const std::string format = row.column_text(answered_key_columns);
      const auto calls = static_cast<std::uint64_t>(row.column_int(answered_key_columns + 1));
      HopCount* count = hop(std::move(key), row.column_text(answered_key_columns + 2));
      if (count == nullptr) continue;
      count->formats[format.empty() ? "unknown" : format] += calls;
      if (broken && row.column_text(answered_key_columns + 4) == "restarted") {
        count->restarted += calls;
      } else if (broken) {
        count->broken[row.column_text(answered_key_columns + 3)] += calls;
      } else {
        count->connected += calls;
      }
    }
  }

  void read_unanswered() {
    Statement row = windowed(unanswered_sql());
    while (row.step()) {
      HopKey key;
      key.caller = row.column_text(0);
      const bool messaging =
          static_cast<model::SpanKind>(row.column_int(1)) == model::SpanKind::producer;
      if (messaging) {
        key.peer = row.column_text(5);
        key.topic = key.peer;
        key.protocol = row.column_text(4).empty() ? "messaging" : row.column_text(4);
      } else {
        key.peer = row.column_text(2);
        if (row.column_int(3) != 0) key.peer += ":" + std::to_string(row.column_int(3));
        key.protocol = "http";
        key.method = row.column_text(6);
        key.path = path_shape(row.column_text(7));
      }
      const bool logged = !row.column_is_null(14);
      if (logged) {  // the callee's logs show the context arrived
        key.callee = row.column_text(14);
        key.peer.clear();
      }
      if (key.peer.empty() && !logged) continue;  // nothing says where the call went
      read_site(row, 8, key);
      HopCount* count = hop(std::move(key), row.column_text(12));
      if (count == nullptr) continue;
      const auto calls = static_cast<std::uint64_t>(row.column_int(11));
      if (logged) {
        count->logged += calls;
      } else {
        (row.column_int(13) != 0 ? count->unsampled : count->unanswered) += calls;
      }
    }
  }

  Database& db_;
  std::uint64_t start_;
  std::uint64_t end_;
  std::size_t limit_;
  std::string window_;
  std::map<HopKey, HopCount> hops_;
  HopCounts result_;
};

}  // namespace

Expected<HopCounts> hop_counts(const SpanStore& store, std::uint64_t start_unix_nano,
                               std::uint64_t end_unix_nano, std::size_t limit) {
  return store.with_reader([&](Database& db) -> Expected<HopCounts> {
    try {
      return HopCounter(db, start_unix_nano, end_unix_nano, limit).count();
    } catch (const SqliteError& error) {
      return Error{ErrorCode::io_error, error.what()};
    }
  });
}

}  // namespace tracemesh::collector
