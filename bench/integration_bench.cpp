// Integration benchmarks: what tracing adds to a request, each traced case
// measured beside its plain peer in the same run.
//
// Paired cases run the plain and the traced request alternately in one loop
// (the order swapped every iteration) and report the median of each and the
// median of the per-pair differences, so both sides see the same noise:
//   - client over file:// (no network: the client's whole added cost shows),
//   - client over loopback HTTP,
//   - cpp-httplib server with instrument() vs the same server without it.
// BM_ServerSpanWork is the middleware's tracing work alone, in process.
// Spans go through the batch processor to a discarding exporter.
// Target (issue 3): tracing adds <= 2 us per request and <= 3 % of the loopback
// request time. Run: make bench (figures in docs/benchmarks.md).
#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tracemesh/curl_client.h"
#include "tracemesh/http_server_span.h"
#include "tracemesh/httplib_middleware.h"
#include "tracemesh/tracemesh.h"

namespace {

using Clock = std::chrono::steady_clock;

class DiscardingExporter final : public tracemesh::SpanExporter {
 public:
  tracemesh::ExportResult export_spans(
      std::span<const std::unique_ptr<tracemesh::SpanData>>) noexcept override {
    return tracemesh::ExportResult::success;
  }
  bool shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

tracemesh::Tracer make_tracer() {
  tracemesh::TracerOptions options;
  options.service_name = "bench";
  options.sampler_name = "always_on";
  options.exporter = std::make_shared<DiscardingExporter>();
  return tracemesh::Tracer(*tracemesh::finalize(options, tracemesh::MapEnvironment{}));
}

// A loopback server answering GET /ok with a short body, with or without the middleware.
class Server {
 public:
  explicit Server(const tracemesh::Tracer* tracer) {
    // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs add ~25 ms per
    // keep-alive request on loopback, hiding everything else.
    server_.set_tcp_nodelay(true);
    if (tracer != nullptr) tracemesh::instrument(server_, *tracer);
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Server() {
    server_.stop();
    thread_.join();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ok"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A small file for requests that involve no network; removed on destruction.
class ScratchFile {
 public:
  ScratchFile() : path_("/tmp/tracemesh-bench-" + std::to_string(getpid())) {
    std::ofstream(path_) << "ok";
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  std::string url() const { return "file://" + path_; }

 private:
  std::string path_;
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// A plain libcurl client on one reused handle, set up as a production client
// would be (the traced client's timeouts, no signals, the body kept): the
// peer that shows what tracing adds, not what those settings cost.
class PlainClient {
 public:
  explicit PlainClient(const std::string& url) : curl_(curl_easy_init()) {
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &keep_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
  }
  ~PlainClient() { curl_easy_cleanup(curl_); }
  PlainClient(const PlainClient&) = delete;
  PlainClient& operator=(const PlainClient&) = delete;
  bool get() {
    body_.clear();
    return curl_easy_perform(curl_) == CURLE_OK;
  }

 private:
  CURL* curl_;
  std::string body_;
};

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// Run `plain` and `traced` alternately, swapping their order every
// iteration, and report the medians in microseconds: plain_us, traced_us,
// added_us (of the per-pair differences) and added_pct (added / plain).
template <typename Plain, typename Traced>
void run_pairs(benchmark::State& state, Plain&& plain, Traced&& traced) {
  std::vector<double> plain_us;
  std::vector<double> traced_us;
  std::vector<double> added_us;
  bool traced_first = false;
  auto timed = [&state](auto&& request) {
    const auto start = Clock::now();
    if (!request()) state.SkipWithError("request failed");
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  };
  for (auto _ : state) {
    double plain_time = 0;
    double traced_time = 0;
    if (traced_first) {
      traced_time = timed(traced);
      plain_time = timed(plain);
    } else {
      plain_time = timed(plain);
      traced_time = timed(traced);
    }
    traced_first = !traced_first;
    plain_us.push_back(plain_time);
    traced_us.push_back(traced_time);
    added_us.push_back(traced_time - plain_time);
  }
  const double plain_median = median(plain_us);
  const double added_median = median(added_us);
  state.counters["plain_us"] = plain_median;
  state.counters["traced_us"] = median(traced_us);
  state.counters["added_us"] = added_median;
  state.counters["added_pct"] = plain_median > 0 ? 100 * added_median / plain_median : 0;
}

void BM_ClientPairsOverFile(benchmark::State& state) {
  const ScratchFile file;
  const auto tracer = make_tracer();
  const tracemesh::HttpClient client(tracer);
  PlainClient plain(file.url());
  const std::string url = file.url();
  run_pairs(
      state, [&] { return plain.get(); }, [&] { return client.get(url).has_value(); });
  tracer.shutdown();
}
BENCHMARK(BM_ClientPairsOverFile)->UseRealTime();

void BM_ClientPairsOverLoopback(benchmark::State& state) {
  const Server server(nullptr);
  const auto tracer = make_tracer();
  const tracemesh::HttpClient client(tracer);
  PlainClient plain(server.url());
  const std::string url = server.url();
  run_pairs(
      state, [&] { return plain.get(); }, [&] { return client.get(url).has_value(); });
  tracer.shutdown();
}
BENCHMARK(BM_ClientPairsOverLoopback)->UseRealTime();

void BM_ServerPairsOverLoopback(benchmark::State& state) {
  const auto tracer = make_tracer();
  const Server plain_server(nullptr);
  const Server traced_server(&tracer);
  PlainClient plain(plain_server.url());
  PlainClient traced(traced_server.url());
  run_pairs(
      state, [&] { return plain.get(); }, [&] { return traced.get(); });
  tracer.shutdown();
}
BENCHMARK(BM_ServerPairsOverLoopback)->UseRealTime();

// The server middleware's tracing work for one request, without the network:
// extract a traceparent, start the SERVER span with its attributes, make it
// current, compute the echoed id, record the status and end it.
void BM_ServerSpanWork(benchmark::State& state) {
  const auto tracer = make_tracer();
  const httplib::Headers headers = {
      {"Host", "127.0.0.1:8080"},
      {"User-Agent", "curl/7.88.1"},
      {"Accept", "*/*"},
      {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  tracemesh::HttpServerRequest request;
  request.method = "GET";
  request.target = "/ok";
  request.host = "127.0.0.1:8080";
  request.client_address = "127.0.0.1";
  request.client_port = 51234;
  request.user_agent = "curl/7.88.1";
  for (auto _ : state) {
    tracemesh::HttpServerSpan span(tracer, tracemesh::MapReader(headers), request);
    benchmark::DoNotOptimize(span.trace_id_header_value());
    span.finish(200);
  }
  tracer.shutdown();
}
BENCHMARK(BM_ServerSpanWork);

}  // namespace

BENCHMARK_MAIN();
