#include "collector/grpc/grpc_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "collector/grpc/grpc_call_pool.h"
#include "collector/grpc/grpc_connection.h"
#include "otlp_trace.pb.h"

namespace tracemesh::collector {
namespace {

// A peer that reads nothing for this long is dropped.
constexpr int send_timeout_seconds = 10;

}  // namespace

struct GrpcServer::State {
  int listen_fd = -1;
  int port = 0;
  GrpcServerLimits limits;
  Handler handler;
  std::atomic<bool> stopping{false};

  struct Worker {
    int fd = -1;  // -1 once the worker closed it
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex workers_mutex;
  std::list<Worker> workers;
  std::unique_ptr<GrpcCallPool> pool;      // runs the handlers; ended after every connection
  std::unique_ptr<GrpcBodyBudget> budget;  // request bodies held, over every connection

  ~State() {
    if (listen_fd >= 0) ::close(listen_fd);
  }

  void reap_finished() {
    for (auto it = workers.begin(); it != workers.end();) {
      if (it->done) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
  }

  void serve_connection(Worker& worker);
};

void GrpcServer::State::serve_connection(Worker& worker) {
  const int fd = worker.fd;
  const int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  const timeval send_timeout{send_timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  serve_grpc_connection(fd, GrpcConnectionContext{limits, handler, *pool, *budget, stopping});
  const std::lock_guard lock(workers_mutex);
  ::close(fd);
  worker.fd = -1;
  worker.done = true;
}

Expected<std::unique_ptr<GrpcServer>> GrpcServer::bind(const std::string& host, int port,
                                                       GrpcServerLimits limits, Handler handler) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses) != 0) {
    return Error{ErrorCode::io_error, "cannot resolve " + where + " (OTLP/gRPC)"};
  }
  auto state = std::make_unique<State>();
  state->limits = limits;
  state->handler = std::move(handler);
  state->pool = std::make_unique<GrpcCallPool>(limits.handler_threads);
  state->budget = std::make_unique<GrpcBodyBudget>(limits.max_buffered_bytes);
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int yes = 1;
    // SO_REUSEADDR only: no SO_REUSEPORT, so a second collector cannot share the port.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (::bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
      state->listen_fd = fd;
      break;
    }
    ::close(fd);
  }
  freeaddrinfo(addresses);
  if (state->listen_fd < 0) {
    return Error{ErrorCode::io_error,
                 "cannot listen on " + where +
                     " (OTLP/gRPC; another collector or agent may hold the port: "
                     "--otlp-grpc-listen HOST:PORT, or off)"};
  }
  sockaddr_storage bound{};
  socklen_t bound_size = sizeof(bound);
  getsockname(state->listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_size);
  state->port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(state)));
}

GrpcServer::GrpcServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

GrpcServer::~GrpcServer() {
  stop();
}

int GrpcServer::port() const noexcept {
  return state_->port;
}

void GrpcServer::serve() {
  State& state = *state_;
  while (!state.stopping) {
    const int fd = ::accept4(state.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (state.stopping) break;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      break;
    }
    const std::lock_guard lock(state.workers_mutex);
    state.reap_finished();
    if (state.stopping || state.workers.size() >= state.limits.max_connections) {
      ::close(fd);
      continue;
    }
    State::Worker& worker = state.workers.emplace_back();
    worker.fd = fd;
    try {
      worker.thread = std::thread([&state, &worker] { state.serve_connection(worker); });
    } catch (const std::system_error&) {  // no thread to be had: refuse the connection
      state.workers.pop_back();
      ::close(fd);
    }
  }
  // Stopping: wake every connection (reads end; answers in progress are still sent).
  std::list<State::Worker> ending;
  {
    const std::lock_guard lock(state.workers_mutex);
    for (State::Worker& worker : state.workers) {
      if (worker.fd >= 0) ::shutdown(worker.fd, SHUT_RD);
    }
    ending.splice(ending.end(), state.workers);
  }
  for (State::Worker& worker : ending) worker.thread.join();
  state.pool.reset();  // the calls of connections that ended run to their end
}

void GrpcServer::stop() {
  State& state = *state_;
  if (state.stopping.exchange(true)) return;
  // Wakes accept() (EINVAL on Linux); the socket is closed with the state.
  ::shutdown(state.listen_fd, SHUT_RDWR);
  const std::lock_guard lock(state.workers_mutex);
  for (State::Worker& worker : state.workers) {
    if (worker.fd >= 0) ::shutdown(worker.fd, SHUT_RD);
  }
}

std::string grpc_status_details(const GrpcReply& reply) {
  if (!reply.retry_after_seconds) return {};
  otlp::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(*reply.retry_after_seconds);
  otlp::RpcStatus status;
  status.set_code(static_cast<int>(reply.code));
  status.set_message(reply.error);
  otlp::RpcAny* detail = status.add_details();
  detail->set_type_url("type.googleapis.com/google.rpc.RetryInfo");
  detail->set_value(retry.SerializeAsString());
  return status.SerializeAsString();
}

std::string percent_encode_grpc_message(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte <= 0x7e && byte != '%') {
      out += c;
    } else {
      out += '%';
      out += hex[byte >> 4U];
      out += hex[byte & 15U];
    }
  }
  return out;
}

}  // namespace tracemesh::collector
