#include "collector/store/logged_callee.h"

#include "model/trace_integrity.h"

namespace tracemesh::collector {

std::string logged_callee_sql(std::string_view call) {
  const model::IntegrityOptions defaults;
  const std::string c(call);
  const std::string address = c + ".destination_address";
  const std::string tolerance = std::to_string(defaults.call_tolerance_nanos);
  const std::string logging =
      "SELECT l.service FROM logs l WHERE l.trace_id = " + c + ".trace_id AND l.service != " + c +
      ".service AND l.time_unix_nano BETWEEN " + c + ".start_unix_nano - " + tolerance +
      " AND CASE WHEN " + c + ".kind = 4 THEN " + c + ".start_unix_nano + " +
      std::to_string(defaults.messaging_delay_nanos) + " ELSE " + c + ".end_unix_nano + " +
      tolerance +
      " END AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.trace_id AND "
      "s.service = l.service)";
  // An HTTP call to a host name goes to the service that name is (its first
  // label: ingest, ingest.prod.svc.cluster.local); only a call to an address
  // that names no service (an IP, localhost, none) is matched by time alone.
  const std::string names_no_service =
      "(" + c + ".kind = 4 OR " + address + " IN ('', 'localhost') OR " + address +
      " GLOB '[0-9]*.[0-9]*.[0-9]*.[0-9]*' OR instr(" + address + ", ':') > 0)";
  const std::string named = "(l.service = " + address + " OR l.service = substr(" + address +
                            ", 1, instr(" + address + ", '.') - 1))";
  // SQLite's ORDER BY in a subquery cannot name the outer row: the service
  // the destination names is looked for first, then the first to log.
  return "coalesce((" + logging + " AND " + named + " LIMIT 1), (" + logging + " AND " +
         names_no_service + " ORDER BY l.time_unix_nano LIMIT 1))";
}

}  // namespace tracemesh::collector
