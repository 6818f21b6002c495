#include "trace_wait.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace tracemesh::verify {
namespace {

std::string describe(const TraceSelector& selector) {
  if (!selector.trace_id.empty()) return "trace " + selector.trace_id;
  std::string text;
  const auto add = [&](const std::string& part) { text += (text.empty() ? "" : " ") + part; };
  if (!selector.root_service.empty()) add("root_service=" + selector.root_service);
  if (!selector.root_operation.empty()) add("root_operation=\"" + selector.root_operation + "\"");
  for (const auto& [key, value] : selector.attributes) add(key + "=" + value);
  return text.empty() ? "any trace" : "a trace with " + text;
}

}  // namespace

Expected<Fetched> wait_for_traces(CollectorClient& client,
                                  const std::vector<TraceSelector>& selectors,
                                  const WaitOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::nanoseconds(options.timeout_nanos);
  std::vector<std::vector<std::string>> found(selectors.size());
  std::vector<std::string> ids;               // every trace found, first-found order
  std::vector<std::optional<Trace>> settled;  // by index in ids
  std::optional<Error> last_error;
  while (true) {
    last_error.reset();
    std::string waiting;
    for (std::size_t s = 0; s < selectors.size() && !last_error; ++s) {
      if (!found[s].empty()) continue;
      if (!selectors[s].trace_id.empty()) {
        found[s] = {selectors[s].trace_id};
      } else {
        auto result = client.search(selectors[s], options.start_after_unix_nano, options.limit);
        if (!result) {
          last_error = result.error();
          break;
        }
        found[s] = std::move(*result);
      }
      for (const std::string& id : found[s]) {
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
          ids.push_back(id);
          settled.emplace_back();
        }
      }
      if (found[s].empty()) waiting = "no " + describe(selectors[s]) + " has arrived";
    }
    for (std::size_t i = 0; i < ids.size() && !last_error; ++i) {
      if (settled[i]) continue;
      auto trace = client.trace(ids[i]);
      if (!trace) {
        last_error = trace.error();
        break;
      }
      if (!trace->has_value()) {
        waiting = "trace " + ids[i] + " has not arrived";
      } else if ((*trace)->settled) {
        settled[i] = std::move(**trace);
      } else {
        waiting = "trace " + ids[i] + " is still arriving (" +
                  std::to_string((*trace)->spans.size()) + " spans so far)";
      }
    }
    if (last_error && last_error->code != ErrorCode::transport_error) return *last_error;
    if (!last_error && waiting.empty()) break;
    if (Clock::now() >= deadline) {
      if (last_error) return *last_error;
      Fetched fetched;
      fetched.missing = waiting + " after " +
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           Clock::now() - started)
                                           .count()) +
                        " ms";
      for (auto& trace : settled) {
        if (trace) fetched.traces.push_back(std::move(*trace));
      }
      return fetched;
    }
    if (options.progress) options.progress(last_error ? std::string(last_error->text()) : waiting);
    std::this_thread::sleep_for(std::chrono::nanoseconds(options.poll_interval_nanos));
  }
  Fetched fetched;
  for (auto& trace : settled) fetched.traces.push_back(std::move(*trace));
  return fetched;
}

}  // namespace tracemesh::verify
