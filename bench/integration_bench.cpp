// Integration benchmarks on loopback, each traced case beside its plain peer
// measured in the same run: the traced HTTP client vs plain libcurl on a
// reused handle, and a cpp-httplib server with the middleware vs without.
// Spans go through the batch processor to a discarding exporter.
// Target (issue 3): tracing adds <= 2 us per request and <= 3 % of the loopback
// request time. Run: make bench (figures in docs/benchmarks.md).
#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <httplib.h>

#include <string>
#include <thread>

#include "tracemesh/curl_client.h"
#include "tracemesh/httplib_middleware.h"
#include "tracemesh/tracemesh.h"

namespace {

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
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ok"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

void plain_requests(benchmark::State& state, const std::string& url) {
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
  for (auto _ : state) {
    if (curl_easy_perform(curl) != CURLE_OK) state.SkipWithError("request failed");
  }
  curl_easy_cleanup(curl);
}

void BM_PlainCurlClient(benchmark::State& state) {
  const Server server(nullptr);
  plain_requests(state, server.url());
}
BENCHMARK(BM_PlainCurlClient)->UseRealTime();

void BM_TracedHttpClient(benchmark::State& state) {
  const Server server(nullptr);
  const auto tracer = make_tracer();
  const tracemesh::HttpClient client(tracer);
  const std::string url = server.url();
  for (auto _ : state) {
    if (!client.get(url)) state.SkipWithError("request failed");
  }
  tracer.shutdown();
}
BENCHMARK(BM_TracedHttpClient)->UseRealTime();

void BM_PlainHttplibServer(benchmark::State& state) {
  const Server server(nullptr);
  plain_requests(state, server.url());
}
BENCHMARK(BM_PlainHttplibServer)->UseRealTime();

void BM_InstrumentedHttplibServer(benchmark::State& state) {
  const auto tracer = make_tracer();
  const Server server(&tracer);
  plain_requests(state, server.url());
  tracer.shutdown();
}
BENCHMARK(BM_InstrumentedHttplibServer)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
