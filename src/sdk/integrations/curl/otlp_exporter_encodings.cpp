// The SpanEncoding implementations: OTLP protobuf, OTLP JSON, Zipkin v2 JSON.
#include <nlohmann/json.hpp>

#include "sdk/export/protobuf_reader.h"
#include "tracemesh/otlp_exporter.h"

namespace tracemesh {
namespace {

using Rejection = std::pair<std::int64_t, std::string>;

// ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
// ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
Rejection protobuf_rejection(std::string_view body) {
  detail::ProtobufReader response(body);
  Rejection rejection{0, {}};
  while (response.next()) {
    if (response.field() != 1 || response.wire_type() != 2) continue;
    detail::ProtobufReader partial(response.bytes());
    while (partial.next()) {
      if (partial.field() == 1 && partial.wire_type() == 0) {
        rejection.first = static_cast<std::int64_t>(partial.value());
      } else if (partial.field() == 2 && partial.wire_type() == 2) {
        rejection.second = std::string(partial.bytes());
      }
    }
  }
  return rejection;
}

// {"partialSuccess": {"rejectedSpans": "3" or 3, "errorMessage": "..."}}
Rejection json_rejection(std::string_view body) {
  Rejection rejection{0, {}};
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return rejection;
  const auto partial = json.find("partialSuccess");
  if (partial == json.end() || !partial->is_object()) return rejection;
  if (const auto count = partial->find("rejectedSpans"); count != partial->end()) {
    if (count->is_number_integer()) {
      rejection.first = count->get<std::int64_t>();
    } else if (count->is_string()) {
      try {
        rejection.first = std::stoll(count->get<std::string>());
      } catch (const std::exception&) {
        rejection.first = 0;
      }
    }
  }
  if (const auto message = partial->find("errorMessage");
      message != partial->end() && message->is_string()) {
    rejection.second = message->get<std::string>();
  }
  return rejection;
}

Rejection no_rejection(std::string_view) {
  return {0, {}};
}

// An encoding made of its content type, encoder and response reader.
class FunctionEncoding final : public SpanEncoding {
 public:
  FunctionEncoding(std::string_view content_type, std::string (*encoder)(SpanBatch),
                   Rejection (*rejection)(std::string_view))
      : content_type_(content_type), encode_(encoder), rejection_(rejection) {}

  std::string_view content_type() const noexcept override { return content_type_; }
  std::string encode(SpanBatch spans) const override { return encode_(spans); }
  Rejection rejected(std::string_view body) const noexcept override {
    try {
      return rejection_(body);
    } catch (...) {
      return {0, {}};
    }
  }

 private:
  std::string_view content_type_;
  std::string (*encode_)(SpanBatch);
  Rejection (*rejection_)(std::string_view);
};

}  // namespace

std::shared_ptr<const SpanEncoding> otlp_encoding(OtlpProtocol protocol) {
  if (protocol == OtlpProtocol::http_json) {
    return std::make_shared<FunctionEncoding>("application/json", &encode_otlp_json,
                                              &json_rejection);
  }
  return std::make_shared<FunctionEncoding>("application/x-protobuf", &encode_otlp_protobuf,
                                            &protobuf_rejection);
}

std::shared_ptr<const SpanEncoding> zipkin_encoding() {
  return std::make_shared<FunctionEncoding>("application/json", &encode_zipkin_json, &no_rejection);
}

}  // namespace tracemesh
