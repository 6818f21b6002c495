#include "verify/trace_wait.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "model/ascii.h"

namespace tracemesh::verify {
namespace {

using Clock = std::chrono::steady_clock;

// "root_service=bot key=value": a search selector as the messages name it.
std::string selection(const TraceSelector& selector) {
  std::string text;
  const auto add = [&](const std::string& part) { text += (text.empty() ? "" : " ") + part; };
  if (!selector.root_service.empty()) add("root_service=" + selector.root_service);
  if (!selector.root_operation.empty()) add("root_operation=\"" + selector.root_operation + "\"");
  for (const auto& [key, value] : selector.attributes) add(key + "=" + value);
  return text;
}

class Waiter {
 public:
  Waiter(CollectorClient& client, const std::vector<TraceSelector>& selectors,
         const WaitOptions& options)
      : client_(client),
        selectors_(selectors),
        options_(options),
        started_(Clock::now()),
        deadline_(started_ + std::chrono::nanoseconds(options.timeout_nanos)),
        warned_(selectors.size(), false) {}

  Expected<Fetched> run() {
    while (true) {
      waiting_.clear();
      last_error_.reset();
      const bool found_new = search_all();
      if (!last_error_) fetch_unsettled();
      if (last_error_ && last_error_->code != ErrorCode::transport_error) return *last_error_;
      const bool complete = !last_error_ && waiting_.empty() && !found_new;
      if (complete) return finish({});
      if (Clock::now() >= deadline_) {
        if (unreachable_) return *unreachable_;
        return finish(waiting_.empty() ? "traces were still being found" : waiting_);
      }
      if (options_.progress) {
        options_.progress(last_error_ ? std::string(last_error_->text()) : waiting_);
      }
      const auto pause = std::min<Clock::duration>(
          std::chrono::nanoseconds(options_.poll_interval_nanos), deadline_ - Clock::now());
      std::this_thread::sleep_for(pause);
    }
  }

 private:
  // Search every selector again; whether a new trace turned up.
  bool search_all() {
    bool found_new = false;
    for (std::size_t s = 0; s < selectors_.size() && !last_error_; ++s) {
      std::vector<std::string> found;
      if (!selectors_[s].trace_id.empty()) {
        found = {selectors_[s].trace_id};
      } else {
        bound_request();
        auto result = client_.search(selectors_[s], options_.start_after_unix_nano, options_.limit);
        if (!note(result)) break;
        found = std::move(*result);
        if (found.size() >= options_.limit && !warned_[s]) {
          warned_[s] = true;
          const std::string text = selection(selectors_[s]);
          warnings_.push_back("the selection " + (text.empty() ? "of every trace" : text) +
                              " reached the limit of " + std::to_string(options_.limit) +
                              " traces (--limit); older traces were not checked");
        }
      }
      if (found.empty()) {
        const std::string text = selection(selectors_[s]);
        waiting_ = text.empty() ? "no trace has arrived" : "no trace with " + text + " has arrived";
      }
      for (std::string& id : found) {
        id = model::ascii_lowercase(id);
        if (std::find(ids_.begin(), ids_.end(), id) != ids_.end()) continue;
        ids_.push_back(std::move(id));
        settled_.emplace_back();
        arrived_.push_back(false);
        found_new = true;
      }
    }
    return found_new;
  }

  void fetch_unsettled() {
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (settled_[i]) continue;
      if (Clock::now() >= deadline_) {
        waiting_ = "trace " + ids_[i] + (arrived_[i] ? " is still arriving" : " has not arrived");
        return;
      }
      bound_request();
      auto trace = client_.trace(ids_[i]);
      if (!note(trace)) return;
      arrived_[i] = trace->has_value();
      if (!trace->has_value()) {
        waiting_ = "trace " + ids_[i] + " has not arrived";
      } else if ((*trace)->settled()) {
        settled_[i] = std::move(**trace);
      } else {
        waiting_ = "trace " + ids_[i] + " is still arriving (" +
                   std::to_string((*trace)->spans.size()) + " spans so far)";
      }
    }
  }

  // Keep a request's error; an unreachable collector is remembered until a
  // request gets through. Return whether the request succeeded.
  template <typename Result>
  bool note(const Result& result) {
    if (result) {
      unreachable_.reset();
      return true;
    }
    last_error_ = result.error();
    if (result.error().code == ErrorCode::transport_error) unreachable_ = result.error();
    return false;
  }

  // No request may outlast the timeout by much.
  void bound_request() {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    client_.set_timeout(std::min(left, std::chrono::milliseconds(30'000)));
  }

  Fetched finish(std::string missing) {
    Fetched fetched;
    if (!missing.empty()) {
      fetched.missing = missing + " after " +
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           Clock::now() - started_)
                                           .count()) +
                        " ms";
    }
    for (auto& trace : settled_) {
      if (trace) fetched.traces.push_back(std::move(*trace));
    }
    fetched.warnings = std::move(warnings_);
    return fetched;
  }

  CollectorClient& client_;
  const std::vector<TraceSelector>& selectors_;
  const WaitOptions& options_;
  const Clock::time_point started_;
  const Clock::time_point deadline_;
  std::vector<std::string> ids_;                      // every trace found, first-found order
  std::vector<std::optional<model::Trace>> settled_;  // by index in ids_
  std::vector<bool> warned_;
  std::vector<std::string> warnings_;
  std::string waiting_;
  std::vector<bool> arrived_;  // by index in ids_: the collector had spans of it
  std::optional<Error> last_error_;
  std::optional<Error> unreachable_;
};

}  // namespace

Expected<Fetched> wait_for_traces(CollectorClient& client,
                                  const std::vector<TraceSelector>& selectors,
                                  const WaitOptions& options) {
  return Waiter(client, selectors, options).run();
}

}  // namespace tracemesh::verify
