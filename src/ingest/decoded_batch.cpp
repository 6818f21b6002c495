#include "ingest/decoded_batch.h"

#include "model/json_text.h"

namespace tracemesh::ingest {
namespace {

// Return the path of a URL or request target: no scheme, authority, query or fragment.
std::string_view path_of(std::string_view url) {
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
    const std::size_t slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  return url.substr(0, url.find_first_of("?#"));
}

}  // namespace

void finish_destination(model::SpanRecord& span) {
  const bool inbound =
      span.kind == model::SpanKind::server || span.kind == model::SpanKind::consumer;
  if (inbound && span.destination.from_peer_attributes) {
    // On a server span, net.peer.* is the caller, not where the call arrived.
    span.destination.address.clear();
    span.destination.port = 0;
  }
  span.destination.from_peer_attributes = false;
}

std::string time_problem(const model::SpanRecord& span) {
  const auto beyond = [](const char* which) {
    return std::string(which) + " time is after 2262-04-11 (more than 2^63-1 ns since 1970)";
  };
  if (span.start_unix_nano > max_unix_nano) return beyond("start");
  if (span.end_unix_nano > max_unix_nano) return beyond("end");
  return {};
}

void DecodedBatch::reject(std::string_view reason) {
  if (rejected++ == 0) rejection_message = reason;
}

void note_attribute(model::SpanRecord& span, std::string_view key, std::string_view value) {
  model::Destination& destination = span.destination;
  if (key == "server.address") {
    destination.address = value;
    destination.from_peer_attributes = false;
  } else if (key == "net.peer.name" && destination.address.empty()) {
    destination.address = value;
    destination.from_peer_attributes = true;
  } else if (key == "url.path") {
    destination.path = value;
  } else if ((key == "url.full" || key == "http.url" || key == "http.target") &&
             destination.path.empty()) {
    destination.path = path_of(value);
  } else if (key == "tracemesh.propagation.format") {
    span.propagation.format = value;
  } else if (key == "tracemesh.propagation.error") {
    span.propagation.error = value;
  } else if (key == "messaging.system") {
    destination.messaging_system = value;
  } else if (key == "messaging.destination.name" ||
             (key == "messaging.destination" && destination.messaging_destination.empty())) {
    destination.messaging_destination = value;
  }
}

void note_attribute(model::SpanRecord& span, std::string_view key, std::int64_t value) {
  if (key == "server.port") {
    span.destination.port = value;
  } else if (key == "net.peer.port" && span.destination.port == 0) {
    span.destination.port = value;
    span.destination.from_peer_attributes = true;
  }
}

void append_link_head(std::string& json, const model::LinkRef& link, std::uint32_t flags) {
  json += "{\"trace_id\":\"" + link.trace_id.to_hex() + "\",\"span_id\":\"" +
          link.span_id.to_hex() + "\",\"flags\":";
  model::append_json_number(json, static_cast<std::uint64_t>(flags));
  json += ",\"attributes\":";
}

}  // namespace tracemesh::ingest
