// MQTT publish and subscribe sites (paho-mqtt clients and publish.single /
// multiple, aiomqtt and asyncio-mqtt clients), their topics, and whether the
// trace id travels with the message: a trace field in the payload
// ("trace_id", "traceparent"...) or an MQTT v5 user property carrying a
// trace header; for subscribers, whether the module reads one back.
#pragma once

#include <string>
#include <vector>

#include "audit/fleet.h"

namespace tracemesh::audit {

struct MessagingSite {
  std::string service;
  std::string file;
  int line = 0;
  std::string system = "mqtt";
  std::string role;   // "publisher", "subscriber"
  std::string topic;  // resolved when possible, else the source text
  bool trace_id_in_payload = false;
  std::string how;  // the evidence, or what is missing
  bool reachable = false;
};

// Whether `name` names a trace id field or header, in any case and
// spelling: trace_id, traceId, trace-id, traceparent, X-Trace-ID...
bool is_trace_field(std::string_view name, const TraceHeaders& headers);

// Test files are left out. Sorted by service, file, line.
std::vector<MessagingSite> find_messaging(const Fleet& fleet);

// Whether an MQTT topic filter (with + and # wildcards) matches a topic.
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace tracemesh::audit
