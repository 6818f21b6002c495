#include "collector/store/trace_search.h"

#include "collector/store/sqlite.h"
#include "model/json_text.h"

namespace tracemesh::collector {
namespace {

// Return the JSON path of a top-level key: $."key" with '"' and '\' escaped.
std::string json_path(const std::string& key) {
  std::string path = "$";
  path += '.';
  model::append_json_string(path, key);
  return path;
}

template <typename Result, typename Function>
Expected<Result> guarded(Function&& function) {
  try {
    return function();
  } catch (const SqliteError& error) {
    return Error{ErrorCode::io_error, error.what()};
  }
}

}  // namespace

Expected<std::vector<TraceSummary>> search_traces(const SpanStore& store, const TraceQuery& query) {
  std::string sql =
      "SELECT t.trace_id, t.root_service, t.root_name, t.start_unix_nano, t.end_unix_nano, "
      "t.span_count, t.integrity FROM traces t WHERE 1";
  int next = 1;
  std::vector<std::pair<int, std::string>> texts;
  std::vector<std::pair<int, std::int64_t>> numbers;
  const auto text = [&](const std::string& value) {
    texts.emplace_back(next, value);
    return "?" + std::to_string(next++);
  };
  const auto number = [&](std::uint64_t value) {
    numbers.emplace_back(next, as_sql_bound(value));
    return "?" + std::to_string(next++);
  };
  if (!query.service.empty() || !query.operation.empty()) {
    sql += " AND EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id";
    if (!query.service.empty()) sql += " AND s.service = " + text(query.service);
    if (!query.operation.empty()) sql += " AND s.name = " + text(query.operation);
    sql += ")";
  }
  if (!query.root_service.empty()) sql += " AND t.root_service = " + text(query.root_service);
  if (!query.root_operation.empty()) sql += " AND t.root_name = " + text(query.root_operation);
  // Each attribute on any span of the trace. An array attribute (such as
  // http.request.header.*, a string[]) matches when one element does;
  // numbers and booleans compare by their text (200, true).
  for (const auto& [key, value] : query.attributes) {
    const std::string path = text(json_path(key));
    sql += " AND EXISTS (SELECT 1 FROM spans s, json_each(s.attributes, " + path +
           ") e WHERE s.trace_id = t.trace_id AND (CASE e.type WHEN 'true' THEN 'true' "
           "WHEN 'false' THEN 'false' ELSE CAST(e.value AS TEXT) END) = " +
           text(value) + ")";
  }
  if (query.min_duration_nanos) {
    sql += " AND t.end_unix_nano - t.start_unix_nano >= " + number(*query.min_duration_nanos);
  }
  if (query.max_duration_nanos) {
    sql += " AND t.end_unix_nano - t.start_unix_nano <= " + number(*query.max_duration_nanos);
  }
  if (query.start_after_unix_nano)
    sql += " AND t.start_unix_nano >= " + number(*query.start_after_unix_nano);
  if (query.start_before_unix_nano)
    sql += " AND t.start_unix_nano <= " + number(*query.start_before_unix_nano);
  if (!query.integrity.empty()) sql += " AND t.integrity = " + text(query.integrity);
  sql += " ORDER BY t.start_unix_nano DESC LIMIT " +
         number(std::min<std::size_t>(std::max<std::size_t>(query.limit, 1), max_search_limit));

  return store.with_reader([&](Database& db) {
    return guarded<std::vector<TraceSummary>>([&] {
      Statement statement = db.prepare(sql);
      for (const auto& [index, value] : texts) statement.bind(index, value);
      for (const auto& [index, value] : numbers) statement.bind(index, value);
      std::vector<TraceSummary> found;
      while (statement.step()) {
        TraceSummary summary;
        const std::string_view id = statement.column_blob(0);
        if (id.size() == summary.trace_id.bytes.size()) {
          std::copy(id.begin(), id.end(), summary.trace_id.bytes.begin());
        }
        summary.root_service = statement.column_text(1);
        summary.root_name = statement.column_text(2);
        summary.start_unix_nano = static_cast<std::uint64_t>(statement.column_int(3));
        summary.end_unix_nano = static_cast<std::uint64_t>(statement.column_int(4));
        summary.span_count = statement.column_int(5);
        summary.integrity = statement.column_text(6);
        found.push_back(std::move(summary));
      }
      return found;
    });
  });
}

Expected<std::vector<std::string>> list_services(const SpanStore& store) {
  return store.with_reader([](Database& db) {
    return guarded<std::vector<std::string>>([&] {
      Statement statement = db.prepare("SELECT DISTINCT service FROM operations ORDER BY service");
      std::vector<std::string> services;
      while (statement.step()) services.push_back(statement.column_text(0));
      return services;
    });
  });
}

Expected<std::vector<std::string>> list_operation_names(const SpanStore& store) {
  return store.with_reader([](Database& db) {
    return guarded<std::vector<std::string>>([&] {
      Statement statement = db.prepare("SELECT DISTINCT name FROM operations ORDER BY name");
      std::vector<std::string> names;
      while (statement.step()) names.push_back(statement.column_text(0));
      return names;
    });
  });
}

Expected<std::vector<Operation>> list_operations(const SpanStore& store,
                                                 const std::string& service) {
  return store.with_reader([&](Database& db) {
    return guarded<std::vector<Operation>>([&] {
      Statement statement =
          db.prepare("SELECT name, kind FROM operations WHERE service = ?1 ORDER BY name, kind");
      statement.bind(1, service);
      std::vector<Operation> operations;
      while (statement.step()) {
        operations.push_back(
            {statement.column_text(0),
             model::to_string(static_cast<model::SpanKind>(statement.column_int(1)))});
      }
      return operations;
    });
  });
}

Expected<std::vector<std::pair<std::string, std::int64_t>>> count_traces_by_integrity(
    const SpanStore& store) {
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  return store.with_reader([](Database& db) {
    return guarded<Counts>([&] {
      Statement statement = db.prepare(
          "SELECT integrity, count(*) FROM traces GROUP BY integrity ORDER BY integrity");
      Counts counts;
      while (statement.step())
        counts.emplace_back(statement.column_text(0), statement.column_int(1));
      return counts;
    });
  });
}

namespace {

// The last `sample` spans stored (rowid is arrival order), with their resource.
constexpr const char* recent_spans =
    "(SELECT attributes, resource_id FROM spans ORDER BY rowid DESC LIMIT ?1)";

std::vector<std::string> column_texts(Statement& statement) {
  std::vector<std::string> out;
  while (statement.step()) out.push_back(statement.column_text(0));
  return out;
}

}  // namespace

Expected<AttributeKeys> recent_attribute_keys(const SpanStore& store, std::size_t sample_spans) {
  return store.with_reader([&](Database& db) {
    return guarded<AttributeKeys>([&] {
      AttributeKeys keys;
      Statement span = db.prepare(std::string("SELECT DISTINCT j.key FROM ") + recent_spans +
                                  " s, json_each(s.attributes) j ORDER BY j.key");
      span.bind(1, static_cast<std::int64_t>(sample_spans));
      keys.span = column_texts(span);
      Statement resource = db.prepare(
          std::string("SELECT DISTINCT j.key FROM resources r, json_each(r.attributes) j "
                      "WHERE r.id IN (SELECT DISTINCT resource_id FROM ") +
          recent_spans + ") ORDER BY j.key");
      resource.bind(1, static_cast<std::int64_t>(sample_spans));
      keys.resource = column_texts(resource);
      return keys;
    });
  });
}

Expected<std::vector<std::string>> recent_attribute_values(const SpanStore& store,
                                                           const std::string& key,
                                                           std::size_t sample_spans,
                                                           std::size_t max_values) {
  return store.with_reader([&](Database& db) {
    return guarded<std::vector<std::string>>([&] {
      // Scalars only: json_each's atom is the value as SQL sees it (booleans as 1 and 0).
      const std::string value =
          "CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE j.atom END";
      Statement statement = db.prepare(
          "SELECT value FROM (SELECT " + value + " AS value FROM " + recent_spans +
          " s, json_each(s.attributes) j WHERE j.key = ?2 AND j.atom IS NOT NULL "
          "UNION SELECT " +
          value +
          " FROM resources r, json_each(r.attributes) j "
          "WHERE j.key = ?2 AND j.atom IS NOT NULL AND r.id IN (SELECT DISTINCT resource_id "
          "FROM " +
          recent_spans + ")) ORDER BY value LIMIT ?3");
      statement.bind(1, static_cast<std::int64_t>(sample_spans));
      statement.bind(2, key);
      statement.bind(3, static_cast<std::int64_t>(max_values));
      return column_texts(statement);
    });
  });
}

}  // namespace tracemesh::collector
