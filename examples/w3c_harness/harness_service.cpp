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
#include "tracemesh/current_context.h"
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

std::string to_body(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json describe_call(const OutboundCall& call,
                   const tracemesh::Expected<tracemesh::HttpResponse>& outcome) {
  json described = {{"url", call.url.text}};
  if (outcome) {
    described["status"] = outcome->status;
  } else {
    described["error"] = std::string(outcome.error().text());
  }
  return described;
}

std::string describe_outbound(const tracemesh::Expected<tracemesh::HttpResponse>& outcome) {
  return outcome ? std::to_string(outcome->status) : std::string("failed");
}

}  // namespace

HarnessResponse HarnessService::handle_test(const tracemesh::CarrierReader& headers,
                                            std::string_view body) const try {
  const tracemesh::SpanContext server = tracemesh::current_context().span_context();
  // The middleware extracted already; this second look only describes it in the log.
  const tracemesh::Extraction extraction =
      propagator_.extract_with_report(headers, tracemesh::Context{});

  HarnessResponse response;
  std::string outbound;
  std::string failure;
  auto calls = parse_test_request(body);
  if (!calls) {
    failure = std::string(calls.error().text());
    response.status = 400;
    response.body = to_body({{"error", failure}});
  } else {
    json results = json::array();
    for (const OutboundCall& call : *calls) {
      const auto outcome = client_.post(call.url.text, call.body, "application/json");
      outbound += (outbound.empty() ? "" : ",") + describe_outbound(outcome);
      results.push_back(describe_call(call, outcome));
    }
    response.body = to_body({{"calls", std::move(results)}});
  }
  response.log_line =
      "POST /test status=" + std::to_string(response.status) +
      " traceparent=" + received_header(headers, tracemesh::traceparent_header) + " " +
      describe_extraction(extraction) + " trace_id=" + server.trace_id.to_hex() +
      " span_id=" + server.span_id.to_hex() + " outbound=" + (outbound.empty() ? "-" : outbound);
  if (!failure.empty()) response.log_line += " error=" + as_quoted(failure);
  return response;
} catch (const std::exception& error) {
  // Nothing above throws short of running out of memory; answer rather than abort.
  return {500, R"({"error":"internal error"})",
          "POST /test status=500 error=" + as_quoted(error.what())};
}

}  // namespace w3c_harness
