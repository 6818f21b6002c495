#include "collector/store/logged_callee.h"

#include "model/trace_integrity.h"

namespace tracemesh::collector {

std::string log_only_cte() {
  return R"sql(WITH logging AS MATERIALIZED (
  SELECT l.trace_id, l.service, min(l.time_unix_nano) AS first_log
  FROM traces t CROSS JOIN logs l ON l.trace_id = t.trace_id
  WHERE {window} GROUP BY l.trace_id, l.service),
log_only AS MATERIALIZED (
  SELECT g.trace_id, g.service, g.first_log FROM logging g
  WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = g.trace_id AND s.service = g.service))
)sql";
}

std::string logged_callee_sql(std::string_view call) {
  const model::IntegrityOptions defaults;
  const std::string c(call);
  const std::string address = c + ".destination_address";
  const std::string tolerance = std::to_string(defaults.call_tolerance_nanos);
  const std::string logging =
      "SELECT o.service FROM log_only o WHERE o.trace_id = " + c +
      ".trace_id AND o.service != " + c + ".service AND o.first_log BETWEEN " + c +
      ".start_unix_nano - " + tolerance + " AND CASE WHEN " + c + ".kind = 4 THEN " + c +
      ".start_unix_nano + " + std::to_string(defaults.messaging_delay_nanos) + " ELSE " + c +
      ".end_unix_nano + " + tolerance + " END";
  const std::string names_no_service =
      "(" + c + ".kind = 4 OR " + address + " IN ('', 'localhost') OR " + address +
      " GLOB '[0-9]*.[0-9]*.[0-9]*.[0-9]*' OR instr(" + address + ", ':') > 0)";
  const std::string named = "(o.service = " + address + " OR o.service = substr(" + address +
                            ", 1, instr(" + address + ", '.') - 1))";
  // SQLite's ORDER BY in a subquery cannot name the outer row: the service
  // the destination names is looked for first, then the first to log.
  return "coalesce((" + logging + " AND " + named + " LIMIT 1), (" + logging + " AND " +
         names_no_service + " ORDER BY o.first_log LIMIT 1))";
}

}  // namespace tracemesh::collector
