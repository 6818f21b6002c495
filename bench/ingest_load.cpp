// ingest_load: an OTLP/HTTP load generator for `tracemesh collect` (or any
// OTLP receiver), then a trace-by-id latency probe against its query API.
//
// Each request is a batch of --batch spans (32 traces of 16 spans across four
// services, with realistic HTTP attributes) encoded once by the SDK's OTLP
// encoders; every request then gets fresh ids written into the encoded bytes
// in place, so nothing is deduplicated and encoding costs the generator
// almost nothing. --connections threads each keep one keep-alive connection.
//
//   ingest_load --otlp http://127.0.0.1:4318 --query http://127.0.0.1:16686
//               --protocol protobuf --connections 4 --seconds 60
//
// Reports spans/s acknowledged (HTTP 200), request latency p50/p99, refusals
// (429/503), then p50/p99 of GET /api/traces/{id} for random stored traces.
// Figures: docs/benchmarks.md.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tracemesh/span_encoding.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t spans_per_trace = 16;

struct Options {
  std::string otlp = "http://127.0.0.1:4318";
  std::string query;
  std::string protocol = "protobuf";
  int connections = 4;
  int seconds = 20;
  std::size_t batch = 512;
  int probes = 1000;
};

std::uint64_t mix(std::uint64_t value) {  // splitmix64: ids that look random
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// The batch every request is stamped from: recognisable ids and times that
// BatchTemplate finds in the encoded bytes and rewrites per request.
std::vector<std::unique_ptr<tracemesh::SpanData>> template_spans(std::size_t count) {
  std::vector<std::shared_ptr<const tracemesh::Resource>> services;
  for (const char* name : {"ui", "auth", "agent", "delivery-worker"}) {
    services.push_back(std::make_shared<tracemesh::Resource>(tracemesh::Attributes{
        {"service.name", name}, {"telemetry.sdk.name", "tracemesh"}, {"host.name", "load-1"}}));
  }
  auto scope = std::make_shared<tracemesh::InstrumentationScope>(
      tracemesh::InstrumentationScope{"load", "1"});
  std::vector<std::unique_ptr<tracemesh::SpanData>> spans;
  const std::uint64_t start = 1'700'000'000'000'000'000ULL;  // BatchTemplate::template_start
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t trace = i / spans_per_trace;
    const std::size_t position = i % spans_per_trace;
    auto span = std::make_unique<tracemesh::SpanData>();
    span->context.trace_id =
        tracemesh::TraceId::from_halves(0xC0FFEE0000000000ULL | trace, 0x5A5A5A5A5A5A5A5AULL);
    span->context.span_id = tracemesh::SpanId::from_uint64(0xB0B0000000000000ULL | (i + 1));
    // A chain of hops: SERVER (0), then CLIENT (odd) -> SERVER (even) pairs,
    // each hop into the next service, every call answered.
    if (position > 0) {
      span->parent_span_id =
          tracemesh::SpanId::from_uint64(0xB0B0000000000000ULL | i);  // the previous span
    }
    const bool client = position % 2 == 1;
    span->name = position == 0 ? "POST /api/alerts" : (client ? "POST" : "POST /api/step");
    span->kind = client ? tracemesh::SpanKind::client : tracemesh::SpanKind::server;
    span->start_unix_nano = start + i * 1000;
    span->end_unix_nano = span->start_unix_nano + 250'000 - position * 1000;
    span->attributes = {{"http.request.method", "POST"},
                        {"url.full", position == 0 ? "http://127.0.0.1:8080/api/alerts?verbose=1"
                                                   : "http://127.0.0.1:8081/api/step"},
                        {"server.address", "127.0.0.1"},
                        {"server.port", std::int64_t{position == 0 ? 8080 : 8081}},
                        {"http.response.status_code", std::int64_t{200}},
                        {"http.route", position == 0 ? "/api/alerts" : "/api/step"},
                        {"user_agent.original", "tracemesh-load/1.0"},
                        {"tenant.id", "acme"}};
    span->resource = services[((position + 1) / 2) % services.size()];
    span->scope = scope;
    spans.push_back(std::move(span));
  }
  return spans;
}

// Where each id sits in the encoded body, to overwrite per request.
struct IdSlot {
  std::size_t offset;
  std::size_t original;  // which id (trace index or span index)
  bool is_trace;
};

class BatchTemplate {
 public:
  BatchTemplate(std::size_t count, bool protobuf) : protobuf_(protobuf) {
    const auto spans = template_spans(count);
    body_ = protobuf ? tracemesh::encode_otlp_protobuf(spans) : tracemesh::encode_otlp_json(spans);
    traces_ = (count + spans_per_trace - 1) / spans_per_trace;
    for (std::size_t t = 0; t < traces_; ++t) {
      find(tracemesh::TraceId::from_halves(0xC0FFEE0000000000ULL | t, 0x5A5A5A5A5A5A5A5AULL), t,
           true);
    }
    for (std::size_t s = 0; s < count; ++s)
      find(tracemesh::SpanId::from_uint64(0xB0B0000000000000ULL | (s + 1)), s, false);
    for (const auto& span : spans) {
      find_time(span->start_unix_nano);
      find_time(span->end_unix_nano);
    }
  }

  // Shift every start and end time so the batch starts at `now_unix_nano`:
  // callee-candidate windows then hold what a live system's would.
  void stamp_times(std::string& body, std::uint64_t now_unix_nano) const {
    for (const TimeSlot& slot : time_slots_) {
      const std::uint64_t value = slot.original - template_start + now_unix_nano;
      if (protobuf_) {
        for (int i = 0; i < 8; ++i)
          body[slot.offset + static_cast<std::size_t>(i)] = static_cast<char>(value >> (8 * i));
      } else {
        const std::string digits = std::to_string(value);
        if (digits.size() == 19) body.replace(slot.offset, 19, digits);
      }
    }
  }

  // Write the ids of request number `request` into `body` (a copy of body()).
  void stamp(std::string& body, std::uint64_t request) const {
    for (const IdSlot& slot : slots_) {
      const std::uint64_t high = mix(request * 2 + 1);
      const std::uint64_t low =
          mix((request << 20) ^ (slot.original * 2 + (slot.is_trace ? 0 : 1)) ^ 0xABCDEF);
      std::uint8_t bytes[16];
      for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
        bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
      }
      const std::size_t size = slot.is_trace ? 16 : 8;
      const std::uint8_t* id = slot.is_trace ? bytes : bytes + 8;
      if (protobuf_) {
        std::memcpy(body.data() + slot.offset, id, size);
      } else {
        static constexpr char hex[] = "0123456789abcdef";
        for (std::size_t i = 0; i < size; ++i) {
          body[slot.offset + 2 * i] = hex[id[i] >> 4];
          body[slot.offset + 2 * i + 1] = hex[id[i] & 15];
        }
      }
    }
  }

  // Return the hex trace id that request `request` gives trace `index`.
  std::string trace_id_hex(std::uint64_t request, std::size_t index) const {
    std::string body(32, '0');
    BatchTemplate copy = *this;
    copy.slots_ = {IdSlot{0, index, true}};
    copy.protobuf_ = false;
    copy.stamp(body, request);
    return body;
  }

  static constexpr std::uint64_t template_start = 1'700'000'000'000'000'000ULL;

  const std::string& body() const { return body_; }
  std::size_t traces() const { return traces_; }

 private:
  template <typename Id>
  void find(const Id& id, std::size_t index, bool is_trace) {
    const std::string pattern =
        protobuf_ ? std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size())
                  : id.to_hex();
    for (std::size_t at = body_.find(pattern); at != std::string::npos;
         at = body_.find(pattern, at + 1)) {
      slots_.push_back({at, index, is_trace});
    }
  }

  void find_time(std::uint64_t value) {
    std::string pattern;
    if (protobuf_) {
      for (int i = 0; i < 8; ++i) pattern += static_cast<char>(value >> (8 * i));
    } else {
      pattern = "\"" + std::to_string(value) + "\"";
    }
    for (std::size_t at = body_.find(pattern); at != std::string::npos;
         at = body_.find(pattern, at + 1)) {
      time_slots_.push_back({protobuf_ ? at : at + 1, value});
    }
  }

  struct TimeSlot {
    std::size_t offset;
    std::uint64_t original;
  };

  bool protobuf_;
  std::string body_;
  std::vector<TimeSlot> time_slots_;
  std::size_t traces_ = 0;
  std::vector<IdSlot> slots_;
};

double percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--otlp")
      options.otlp = value;
    else if (flag == "--query")
      options.query = value;
    else if (flag == "--protocol")
      options.protocol = value;
    else if (flag == "--connections")
      options.connections = std::stoi(value);
    else if (flag == "--seconds")
      options.seconds = std::stoi(value);
    else if (flag == "--batch")
      options.batch = std::stoul(value);
    else if (flag == "--probes")
      options.probes = std::stoi(value);
    else
      return false;
  }
  return (argc % 2) == 1 && (options.protocol == "protobuf" || options.protocol == "json");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: ingest_load [--otlp URL] [--query URL] [--protocol protobuf|json] "
                 "[--connections N] [--seconds N] [--batch N] [--probes N]\n");
    return 2;
  }
  const bool protobuf = options.protocol == "protobuf";
  const BatchTemplate batch(options.batch, protobuf);
  const std::string content_type = protobuf ? "application/x-protobuf" : "application/json";
  std::atomic<std::uint64_t> next_request{0};
  std::atomic<std::uint64_t> acknowledged{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> failed{0};
  std::mutex latency_mutex;
  std::vector<double> latencies_ms;
  std::vector<std::uint64_t> stored_requests;
  const auto deadline = Clock::now() + std::chrono::seconds(options.seconds);

  std::vector<std::thread> senders;
  for (int c = 0; c < options.connections; ++c) {
    senders.emplace_back([&] {
      httplib::Client client(options.otlp);
      client.set_keep_alive(true);
      client.set_read_timeout(30, 0);
      std::string body = batch.body();
      std::vector<double> mine;
      std::vector<std::uint64_t> stored;
      while (Clock::now() < deadline) {
        const std::uint64_t request = next_request++;
        batch.stamp(body, request);
        batch.stamp_times(body, static_cast<std::uint64_t>(
                                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()));
        const auto sent = Clock::now();
        auto response = client.Post("/v1/traces", body, content_type);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        if (!response) {
          ++failed;
        } else if (response->status == 200) {
          acknowledged += options.batch;
          stored.push_back(request);
        } else if (response->status == 429 || response->status == 503) {
          ++refused;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(latency_mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      stored_requests.insert(stored_requests.end(), stored.begin(), stored.end());
    });
  }
  for (auto& sender : senders) sender.join();

  const double spans_per_second = static_cast<double>(acknowledged) / options.seconds;
  std::printf("ingest  protocol=%s connections=%d batch=%zu seconds=%d\n", options.protocol.c_str(),
              options.connections, options.batch, options.seconds);
  std::printf(
      "        acknowledged %llu spans: %.0f spans/s; request p50 %.2f ms p99 %.2f ms; "
      "refused %llu; failed %llu\n",
      static_cast<unsigned long long>(acknowledged.load()), spans_per_second,
      percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99),
      static_cast<unsigned long long>(refused.load()),
      static_cast<unsigned long long>(failed.load()));

  if (!options.query.empty() && !stored_requests.empty()) {
    httplib::Client client(options.query);
    client.set_keep_alive(true);
    std::mt19937_64 random(42);
    std::vector<double> probes;
    int missing = 0;
    for (int i = 0; i < options.probes; ++i) {
      const std::uint64_t request = stored_requests[random() % stored_requests.size()];
      const std::string id = batch.trace_id_hex(request, random() % batch.traces());
      const auto sent = Clock::now();
      auto response = client.Get("/api/traces/" + id);
      probes.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      if (!response || response->status != 200) ++missing;
    }
    std::printf("query   GET /api/traces/{id} x%d: p50 %.2f ms p99 %.2f ms; not found %d\n",
                options.probes, percentile(probes, 0.5), percentile(probes, 0.99), missing);
  }
  return failed > 0 ? 1 : 0;
}
