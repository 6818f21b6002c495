#include "harness_service.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <exception>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "log_text.h"
#include "test_request.h"
#include "tracemesh/composite_propagator.h"
#include "tracemesh/context.h"
#include "tracemesh/trace_context_propagator.h"

namespace w3c_harness {
namespace {

using nlohmann::json;

// Return every value of header `name`, comma-joined and loggable, or "-".
std::string received_header(const tracemesh::CarrierReader& headers, std::string_view name) {
  std::array<std::string_view, 4> values;
  std::size_t count = headers.get_all(name, values);
  if (count == 0) return "-";
  std::string joined;
  for (std::size_t i = 0; i < std::min(count, values.size()); ++i) {
    if (i > 0) joined += ',';
    joined += loggable(values[i]);
  }
  if (count > values.size()) joined += ",...";
  return joined;
}

std::string describe_extraction(const tracemesh::Extraction& extraction) {
  if (!extraction.format.empty()) {
    return "extracted=" + extraction.context.span_context().trace_id.to_hex();
  }
  if (!extraction.error) return "extract_error=-";
  return "extract_error=" + std::string(tracemesh::to_string(extraction.error->code)) + ":" +
         as_quoted(extraction.error->text());
}

std::string find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (tracemesh::header_name_equals(key, name)) return value;
  }
  return {};
}

std::string to_body(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct CallOutcome {
  std::string traceparent;  // the traceparent header sent; empty when none was
  HttpResult result;
};

// Make one outbound call as a CLIENT child of `parent`, propagating its context.
CallOutcome call_next_hop(const tracemesh::Tracer& tracer, const HttpClient& client,
                          const tracemesh::Context& parent, const OutboundCall& call) {
  tracemesh::SpanOptions options;
  options.kind = tracemesh::SpanKind::client;
  options.parent = parent;
  options.attributes = {{"http.request.method", "POST"},
                        {"url.full", call.url.text},
                        {"server.address", call.url.host},
                        {"server.port", call.url.port}};
  tracemesh::Span span = tracer.start_span("POST", options);

  HeaderList headers;
  tracemesh::SequenceWriter<HeaderList> writer(headers);
  tracer.propagator().inject(parent.with_span_context(span.context()), writer);

  HttpResult result = client.post_json(call.url, call.body, headers);
  if (result.error.empty()) {
    span.set_attribute("http.response.status_code", result.status);
    if (result.status >= 400) span.set_status(tracemesh::StatusCode::error);
  } else {
    span.record_error("transport", result.error);
  }
  return {find_header(headers, tracemesh::traceparent_header), std::move(result)};
}

json describe_call(const OutboundCall& call, const CallOutcome& outcome) {
  json described = {{"url", call.url.text}, {"traceparent", outcome.traceparent}};
  if (outcome.result.error.empty()) {
    described["status"] = outcome.result.status;
  } else {
    described["error"] = outcome.result.error;
  }
  return described;
}

std::string describe_outbound(const CallOutcome& outcome) {
  std::string text = outcome.traceparent.empty() ? "-" : outcome.traceparent;
  if (outcome.result.error.empty()) return text + "->" + std::to_string(outcome.result.status);
  return text + "->failed";
}

}  // namespace

HarnessResponse HarnessService::handle_test(const tracemesh::CarrierReader& headers,
                                            std::string_view body) const try {
  tracemesh::Extraction extraction =
      tracer_.propagator().extract_with_report(headers, tracemesh::Context{});
  tracemesh::SpanOptions options;
  options.kind = tracemesh::SpanKind::server;
  options.parent = extraction.context;
  options.attributes = {{"http.request.method", "POST"}, {"url.path", "/test"}};
  tracemesh::Span server = tracer_.start_span("POST /test", options);
  const tracemesh::Context server_context = extraction.context.with_span_context(server.context());

  HarnessResponse response;
  std::string outbound;
  std::string failure;
  auto calls = parse_test_request(body);
  if (!calls) {
    failure = std::string(calls.error().text());
    response.status = 400;
    response.body = to_body({{"error", failure}});
    server.set_status(tracemesh::StatusCode::error, failure);
  } else {
    json results = json::array();
    for (const OutboundCall& call : *calls) {
      CallOutcome outcome = call_next_hop(tracer_, client_, server_context, call);
      outbound += (outbound.empty() ? "" : ",") + describe_outbound(outcome);
      results.push_back(describe_call(call, outcome));
    }
    response.body = to_body({{"calls", std::move(results)}});
  }
  server.set_attribute("http.response.status_code", response.status);
  server.end();

  response.log_line = "POST /test status=" + std::to_string(response.status) +
                      " traceparent=" + received_header(headers, tracemesh::traceparent_header) +
                      " " + describe_extraction(extraction) +
                      " trace_id=" + server.context().trace_id.to_hex() +
                      " span_id=" + server.context().span_id.to_hex() +
                      " outbound=" + (outbound.empty() ? "-" : outbound);
  if (!failure.empty()) response.log_line += " error=" + as_quoted(failure);
  return response;
} catch (const std::exception& error) {
  // Nothing above throws short of running out of memory; answer rather than abort.
  return {500, R"({"error":"internal error"})",
          "POST /test status=500 error=" + as_quoted(error.what())};
}

}  // namespace w3c_harness
