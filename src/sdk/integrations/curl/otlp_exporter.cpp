#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>

#include "sdk/integrations/curl/curl_easy.h"
#include "sdk/integrations/curl/gzip.h"
#include "tracemesh/otlp_exporter.h"

namespace tracemesh {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t response_body_limit = 64 * 1024;
constexpr std::size_t logged_body_limit = 200;

bool retryable(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::string excerpt(std::string_view body) {
  std::string text(body.substr(0, logged_body_limit));
  for (char& c : text) {
    if (c == '\n' || c == '\r' || static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace

struct HttpSpanExporter::State {
  HttpExporterOptions options;
  std::shared_ptr<const SpanEncoding> encoding;
  detail::CurlHandle handle;  // reused across exports for keep-alive; export thread only
  detail::CurlHeaderList headers;

  std::mutex mutex;
  std::condition_variable wake;
  bool shut_down = false;
  std::string last_error;
  // Transfers still running at this steady-clock time (ns) are aborted.
  std::atomic<Clock::rep> abort_at{Clock::time_point::max().time_since_epoch().count()};

  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> spans_exported{0};
  std::atomic<std::uint64_t> spans_rejected{0};
  std::atomic<std::uint64_t> spans_failed{0};

  std::minstd_rand random{std::random_device{}()};

  void log(const std::string& line) {
    {
      std::lock_guard lock(mutex);
      last_error = line;
    }
    if (options.log) {
      options.log(line);
    } else {
      std::fprintf(stderr, "tracemesh: %s\n", line.c_str());  // NOLINT
    }
  }

  ExportResult fail(std::size_t spans, const std::string& reason) {
    spans_failed.fetch_add(spans, std::memory_order_relaxed);
    log("export to " + options.url + " failed, " + std::to_string(spans) +
        " spans dropped: " + reason);
    return ExportResult::failure;
  }

  // Sleep `wait`, or less when shut down; return false when shut down.
  bool backoff(Clock::duration wait) {
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, wait, [this] { return shut_down; });
  }

  Clock::duration jittered(std::chrono::milliseconds backoff) {
    std::uniform_real_distribution<double> factor(1.0 - options.retry.jitter,
                                                  1.0 + options.retry.jitter);
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(
        static_cast<double>(backoff.count()) * factor(random)));
  }

  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto& state = *static_cast<const State*>(user);
    return Clock::now().time_since_epoch().count() >= state.abort_at.load() ? 1 : 0;
  }

  // POST `body`; return the HTTP status (0 on a transport failure, with `error` set).
  long post(const std::string& body, Clock::time_point deadline, detail::CurlResponse& response,
            std::string& error) {
    CURL* curl = handle.get();
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<std::int64_t>(1, remaining.count())));
    response.body_limit = response_body_limit;
    detail::collect_response(curl, response);
    const CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
      error = curl_easy_strerror(code);
      return 0;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }

  void count_rejections(std::string_view body, std::size_t spans) {
    const auto [rejected, message] = encoding->rejected(body);
    if (rejected <= 0 && message.empty()) return;
    spans_rejected.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(rejected, 0)),
                             std::memory_order_relaxed);
    log("export to " + options.url + ": server rejected " + std::to_string(rejected) + " of " +
        std::to_string(spans) + " spans: " + excerpt(message));
  }

  ExportResult send(const std::string& body, std::size_t spans) {
    const auto deadline = Clock::now() + options.timeout;
    {
      std::lock_guard lock(mutex);
      if (!shut_down) abort_at.store(deadline.time_since_epoch().count());
    }
    auto backoff_delay = options.retry.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1) retries.fetch_add(1, std::memory_order_relaxed);
      requests.fetch_add(1, std::memory_order_relaxed);
      detail::CurlResponse response;
      std::string error;
      const long status = post(body, deadline, response, error);
      if (status == 0) return fail(spans, error);
      if (status >= 200 && status < 300) {
        spans_exported.fetch_add(spans, std::memory_order_relaxed);
        count_rejections(response.body, spans);
        return ExportResult::success;
      }
      const std::string reason = "HTTP " + std::to_string(status) + " " + excerpt(response.body);
      if (!retryable(status)) return fail(spans, reason);
      if (attempt >= options.retry.max_attempts) {
        return fail(spans, reason + " (after " + std::to_string(attempt) + " attempts)");
      }
      curl_off_t retry_after_seconds = -1;
      curl_easy_getinfo(handle.get(), CURLINFO_RETRY_AFTER, &retry_after_seconds);
      const Clock::duration wait =
          retry_after_seconds > 0
              ? Clock::duration(std::min<std::chrono::milliseconds>(
                    std::chrono::seconds(retry_after_seconds), options.retry.max_retry_after))
              : jittered(backoff_delay);
      if (Clock::now() + wait >= deadline) {
        return fail(spans, reason + " (a retry would pass the export timeout)");
      }
      if (!backoff(wait)) return fail(spans, reason + " (shut down while waiting to retry)");
      backoff_delay =
          std::min(std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::duration<double, std::milli>(
                           static_cast<double>(backoff_delay.count()) * options.retry.multiplier)),
                   options.retry.max_backoff);
    }
  }
};

HttpSpanExporter::HttpSpanExporter(HttpExporterOptions options,
                                   std::shared_ptr<const SpanEncoding> encoding)
    : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->encoding = std::move(encoding);
  state_->handle = detail::make_curl_handle();
  bool ok =
      detail::append_header(state_->headers, "Content-Type", state_->encoding->content_type());
  if (state_->options.compression == Compression::gzip) {
    ok = ok && detail::append_header(state_->headers, "Content-Encoding", "gzip");
  }
  for (const auto& [name, value] : state_->options.headers) {
    ok = ok && detail::append_header(state_->headers, name, value);
  }
  // Disable "Expect: 100-continue": it costs a round trip per large batch.
  ok = ok && detail::append_header(state_->headers, "Expect", "");
  if (!ok || !state_->handle) throw std::bad_alloc();
  // What stays the same for every request; post() sets the body and timeout.
  CURL* curl = state_->handle.get();
  curl_easy_setopt(curl, CURLOPT_URL, state_->options.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, state_->headers.get());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &State::on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, state_.get());
}

HttpSpanExporter::~HttpSpanExporter() = default;

ExportResult HttpSpanExporter::export_spans(SpanBatch spans) noexcept {
  State& state = *state_;
  {
    std::lock_guard lock(state.mutex);
    if (state.shut_down) {
      state.spans_failed.fetch_add(spans.size(), std::memory_order_relaxed);
      return ExportResult::failure;
    }
  }
  if (spans.empty()) return ExportResult::success;
  try {
    std::string body = state.encoding->encode(spans);
    if (state.options.compression == Compression::gzip) {
      auto compressed = detail::gzip_compress(body);
      if (!compressed) return state.fail(spans.size(), std::string(compressed.error().text()));
      body = std::move(*compressed);
    }
    return state.send(body, spans.size());
  } catch (const std::exception& error) {
    return state.fail(spans.size(), error.what());
  } catch (...) {
    return state.fail(spans.size(), "unknown exception");
  }
}

bool HttpSpanExporter::shutdown(std::chrono::milliseconds timeout) noexcept {
  State& state = *state_;
  {
    std::lock_guard lock(state.mutex);
    state.shut_down = true;
  }
  state.wake.notify_all();
  // A transfer still running gets until the timeout, then the progress callback aborts it.
  const auto limit = (Clock::now() + timeout).time_since_epoch().count();
  auto current = state.abort_at.load();
  while (limit < current && !state.abort_at.compare_exchange_weak(current, limit)) {
  }
  return true;
}

HttpExportStats HttpSpanExporter::stats() const {
  const State& state = *state_;
  HttpExportStats stats;
  stats.requests = state.requests.load(std::memory_order_relaxed);
  stats.retries = state.retries.load(std::memory_order_relaxed);
  stats.spans_exported = state.spans_exported.load(std::memory_order_relaxed);
  stats.spans_rejected = state.spans_rejected.load(std::memory_order_relaxed);
  stats.spans_failed = state.spans_failed.load(std::memory_order_relaxed);
  std::lock_guard lock(state_->mutex);
  stats.last_error = state.last_error;
  return stats;
}

const HttpExporterOptions& HttpSpanExporter::options() const noexcept {
  return state_->options;
}

}  // namespace tracemesh
