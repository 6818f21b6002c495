#include "collector/grpc/grpc_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <list>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "collector/grpc/grpc_call_pool.h"
#include "model/base64.h"
#include "otlp_trace.pb.h"

namespace tracemesh::collector {
namespace {

// What one read takes from a connection.
constexpr std::size_t buffer_bytes = std::size_t{64} * 1024;
constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
// A connection with no frame for this long gets a GOAWAY (clients reconnect).
constexpr int idle_seconds = 300;
// A peer that reads nothing for this long is dropped.
constexpr int send_timeout_seconds = 10;
// A connection that has not sent the HTTP/2 preface by then is closed.
constexpr int preface_timeout_ms = 10'000;

using Header = std::pair<std::string, std::string>;

struct Stream {
  std::string method;
  std::string path;
  std::string content_type;
  std::string encoding;
  std::string authorization;
  std::string body;
  std::size_t metadata_bytes = 0;
  bool too_large = false;
  bool over_budget = false;  // the server held too many bodies: refused, with a retry delay
  std::size_t reserved = 0;  // of the server's body budget, held by `body`
  // The reply's message, sent as DATA, then its trailers.
  std::string out;
  std::size_t sent = 0;
  std::vector<Header> trailers;
};

std::vector<nghttp2_nv> name_values(const std::vector<Header>& headers) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    // nghttp2 copies names and values when the frame is submitted.
    nva.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                             reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())),
                             name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return nva;
}

bool is_grpc_content_type(std::string_view type) {
  constexpr std::string_view grpc = "application/grpc";
  if (type.substr(0, grpc.size()) != grpc) return false;
  return type.size() == grpc.size() || type[grpc.size()] == '+' || type[grpc.size()] == ';';
}

// Send all of `data`; false when the peer is gone (or reads nothing for the send timeout).
bool send_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::send(fd, data, size, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

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
  std::unique_ptr<GrpcCallPool> pool;  // runs the handlers; ended after every connection
  // Request bodies held now, over every connection (limits.max_buffered_bytes).
  std::atomic<std::size_t> buffered{0};

  bool reserve(std::size_t bytes) {
    if (buffered.fetch_add(bytes) + bytes <= limits.max_buffered_bytes) return true;
    buffered.fetch_sub(bytes);
    return false;
  }
  void release(std::size_t bytes) { buffered.fetch_sub(bytes); }

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

namespace {

// One HTTP/2 connection: the nghttp2 session and the calls in flight on it.
class Connection {
 public:
  Connection(GrpcServer::State& server, int fd) : server_(server), fd_(fd) {}
  ~Connection() {
    if (session_ != nullptr) nghttp2_session_del(session_);
    for (auto& [id, stream] : streams_) drop_body(stream);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void run() {
    if (done_->event < 0) return;  // no way to hear of finished calls: refuse the connection
    pollfd preface{fd_, POLLIN, 0};
    if (::poll(&preface, 1, preface_timeout_ms) <= 0) return;
    std::array<std::uint8_t, buffer_bytes> buffer{};
    const ssize_t first = receive(buffer);
    if (first <= 0) return;
    const std::string_view start(reinterpret_cast<const char*>(buffer.data()),
                                 static_cast<std::size_t>(first));
    const std::size_t compared = std::min(start.size(), client_preface.size());
    if (start.substr(0, compared) != client_preface.substr(0, compared)) {
      refuse_http1();
      return;
    }
    if (!start_session()) return;
    bool reading = consume(buffer.data(), static_cast<std::size_t>(first));
    // Until the peer is gone, and every call in flight has been answered.
    while (reading || in_flight_ > 0) {
      if (!reading && nghttp2_session_want_write(session_) == 0 && in_flight_ == 0) break;
      // No more reading while the connection has its fill of calls in flight: the
      // peer waits (TCP pushes back) rather than the server queueing without end.
      const bool take_more = reading && in_flight_ < server_.limits.max_concurrent_streams;
      std::array<pollfd, 2> watched{{{take_more ? fd_ : -1, POLLIN, 0}, {done_->event, POLLIN, 0}}};
      const int ready = ::poll(watched.data(), watched.size(), idle_seconds * 1000);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) break;
      if (ready == 0 && in_flight_ == 0) {
        // Idle: a graceful GOAWAY, then the client reconnects when it needs to.
        nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
        flush();
        break;
      }
      if ((watched[1].revents & POLLIN) != 0 && !answer_finished()) break;
      if (take_more && (watched[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const ssize_t received = receive(buffer);
        reading = received > 0 && consume(buffer.data(), static_cast<std::size_t>(received));
      }
      if (!reading && nghttp2_session_want_read(session_) == 0 &&
          nghttp2_session_want_write(session_) == 0 && in_flight_ == 0) {
        break;
      }
    }
    // Stopping: tell the peer (GOAWAY) that what it sent after this is not taken.
    if (server_.stopping) {
      nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
      flush();
    }
  }

 private:
  // The handlers' answers, posted by the pool's threads; `event` wakes the connection.
  struct Finished {
    std::mutex mutex;
    std::vector<std::pair<std::int32_t, GrpcReply>> replies;
    int event = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    Finished() = default;
    Finished(const Finished&) = delete;
    Finished& operator=(const Finished&) = delete;
    ~Finished() {
      if (event >= 0) ::close(event);
    }
  };

  // Read into `buffer`: >0 bytes, 0 at end of stream, <0 on error.
  ssize_t receive(std::array<std::uint8_t, buffer_bytes>& buffer) const {
    for (;;) {
      const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (received >= 0 || errno != EINTR) return received;
    }
  }

  // Answer the calls the pool finished; false when the peer is gone.
  bool answer_finished() {
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t drained = ::read(done_->event, &count, sizeof(count));
    std::vector<std::pair<std::int32_t, GrpcReply>> replies;
    {
      const std::lock_guard lock(done_->mutex);
      replies.swap(done_->replies);
    }
    for (auto& [id, reply] : replies) {
      --in_flight_;
      respond(id, reply);
    }
    return flush();
  }

  // An HTTP/1 request on the gRPC port: say where it should go.
  void refuse_http1() const {
    const std::string body =
        "This port speaks OTLP/gRPC (HTTP/2). Send OTLP/HTTP to the collector's --otlp-listen "
        "port (4318 by default).\n";
    const std::string response =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    send_all(fd_, reinterpret_cast<const std::uint8_t*>(response.data()), response.size());
  }

  bool start_session() {
    nghttp2_session_callbacks* callbacks = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
    const int created = nghttp2_session_server_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    if (created != 0) return false;
    const std::array<nghttp2_settings_entry, 3> settings{{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, server_.limits.max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1U << 20U},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         static_cast<std::uint32_t>(server_.limits.max_metadata_bytes)},
    }};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    // A larger connection window than HTTP/2's 64 KiB, for large export batches.
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 8 << 20);
    return true;
  }

  // Feed received bytes to the session, start the calls they completed, send.
  bool consume(const std::uint8_t* data, std::size_t size) {
    if (nghttp2_session_mem_recv(session_, data, size) < 0) {
      flush();
      return false;
    }
    std::vector<std::int32_t> complete;
    complete.swap(complete_);
    for (const std::int32_t id : complete) start_call(id);
    return flush();
  }

  bool flush() {
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t size = nghttp2_session_mem_send(session_, &data);
      if (size < 0) return false;
      if (size == 0) return true;
      if (!send_all(fd_, data, static_cast<std::size_t>(size))) return false;
    }
  }

  // The handler's reply; INTERNAL when it throws (out of memory...), as an
  // HTTP server answers 500, rather than ending the process.
  static GrpcReply call_handler(GrpcServer::State& server, const GrpcCall& call) {
    try {
      return server.handler(call);
    } catch (const std::exception& error) {
      GrpcReply reply;
      reply.code = GrpcCode::internal;
      reply.error = std::string("the collector failed to handle the call: ") + error.what();
      return reply;
    }
  }

  // Answer what is wrong with the request at once; hand the rest to the pool.
  void start_call(std::int32_t id) {
    const auto found = streams_.find(id);
    if (found == streams_.end()) return;
    Stream& stream = found->second;
    if (!is_grpc_content_type(stream.content_type)) {
      // gRPC's rule for a request that is not gRPC: 415, no grpc-status.
      const std::vector<Header> headers = {{":status", "415"}, {"content-type", "text/plain"}};
      stream.out = "content-type must be application/grpc\n";
      submit(id, headers, true);
      return;
    }
    GrpcReply refused;
    if (stream.method != "POST") {
      refused.code = GrpcCode::unimplemented;
      refused.error = "gRPC calls are POST requests";
    } else if (stream.metadata_bytes > server_.limits.max_metadata_bytes) {
      refused.code = GrpcCode::invalid_argument;
      refused.error = "metadata over the collector's limit of " +
                      std::to_string(server_.limits.max_metadata_bytes) + " bytes";
    }
    if (refused.code != GrpcCode::ok) {
      respond(id, refused);
      return;
    }
    if (stream.over_budget) {
      refused.code = GrpcCode::resource_exhausted;
      refused.error = "the collector holds too many request bodies at once; retry later";
      refused.retry_after_seconds = 1;
      respond(id, refused);
      return;
    }
    if (stream.too_large) {
      // Nothing kept to decode: the handler answers at once.
      respond(id,
              call_handler(server_,
                           GrpcCall{stream.path, stream.encoding, stream.authorization, {}, true}));
      return;
    }
    ++in_flight_;
    const std::size_t reserved = std::exchange(stream.reserved, 0);
    // The call owns its request; the stream keeps only what the answer needs.
    server_.pool->submit([server = &server_, done = done_, id, path = std::move(stream.path),
                          encoding = std::move(stream.encoding),
                          authorization = std::move(stream.authorization),
                          body = std::move(stream.body), reserved] {
      GrpcReply reply = call_handler(*server, GrpcCall{path, encoding, authorization, body, false});
      server->release(reserved);
      {
        const std::lock_guard lock(done->mutex);
        done->replies.emplace_back(id, std::move(reply));
      }
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t written = ::write(done->event, &one, sizeof(one));
    });
  }

  void respond(std::int32_t id, const GrpcReply& reply) {
    const auto found = streams_.find(id);
    if (found == streams_.end()) return;  // reset by the client meanwhile
    Stream& stream = found->second;
    std::vector<Header> status = {{"grpc-status", std::to_string(static_cast<int>(reply.code))}};
    if (reply.code != GrpcCode::ok) {
      status.emplace_back("grpc-message", percent_encode_grpc_message(reply.error));
      std::string details = grpc_status_details(reply);
      if (!details.empty()) {
        std::string encoded;
        model::append_base64(encoded, details);
        status.emplace_back("grpc-status-details-bin", std::move(encoded));
      }
    }
    std::vector<Header> headers = {{":status", "200"},
                                   {"content-type", "application/grpc"},
                                   {"grpc-accept-encoding", "identity,gzip,deflate"}};
    if (reply.code != GrpcCode::ok) {
      // Trailers-Only: the status travels in the one HEADERS frame.
      headers.insert(headers.end(), status.begin(), status.end());
      submit(id, headers, false);
      return;
    }
    stream.out = wrap_grpc_message(reply.message);
    stream.trailers = std::move(status);
    submit(id, headers, true);
  }

  // Submit the response headers, with stream.out as DATA (then the trailers, if any) when `body`.
  void submit(std::int32_t id, const std::vector<Header>& headers, bool body) {
    const std::vector<nghttp2_nv> nva = name_values(headers);
    nghttp2_data_provider provider{};
    provider.read_callback = read_body;
    nghttp2_submit_response(session_, id, nva.data(), nva.size(), body ? &provider : nullptr);
  }

  static ssize_t read_body(nghttp2_session* session, std::int32_t id, std::uint8_t* buffer,
                           std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                           void* user) {
    auto& self = *static_cast<Connection*>(user);
    const auto found = self.streams_.find(id);
    if (found == self.streams_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    Stream& stream = found->second;
    const std::size_t count = std::min(length, stream.out.size() - stream.sent);
    std::copy_n(stream.out.data() + stream.sent, count, buffer);
    stream.sent += count;
    if (stream.sent == stream.out.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!stream.trailers.empty()) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        const std::vector<nghttp2_nv> nva = name_values(stream.trailers);
        if (nghttp2_submit_trailer(session, id, nva.data(), nva.size()) != 0) {
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
      }
    }
    return static_cast<ssize_t>(count);
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto& self = *static_cast<Connection*>(user);
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      self.streams_.try_emplace(frame->hd.stream_id);
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t, void* user) {
    auto& self = *static_cast<Connection*>(user);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    const auto found = self.streams_.find(frame->hd.stream_id);
    if (found == self.streams_.end()) return 0;
    Stream& stream = found->second;
    stream.metadata_bytes += name_length + value_length;
    if (stream.metadata_bytes > self.server_.limits.max_metadata_bytes) return 0;
    const std::string_view key(reinterpret_cast<const char*>(name), name_length);
    std::string text(reinterpret_cast<const char*>(value), value_length);
    if (key == ":method") {
      stream.method = std::move(text);
    } else if (key == ":path") {
      stream.path = std::move(text);
    } else if (key == "content-type") {
      stream.content_type = std::move(text);
    } else if (key == "grpc-encoding") {
      stream.encoding = std::move(text);
    } else if (key == "authorization") {
      stream.authorization = std::move(text);
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id,
                           const std::uint8_t* data, std::size_t length, void* user) {
    auto& self = *static_cast<Connection*>(user);
    const auto found = self.streams_.find(id);
    if (found == self.streams_.end()) return 0;
    Stream& stream = found->second;
    if (stream.too_large || stream.over_budget) return 0;
    const bool too_large = stream.body.size() + length > self.server_.limits.max_body_bytes;
    if (too_large || !self.server_.reserve(length)) {
      // Read on (and drop) to answer with a status rather than a reset.
      (too_large ? stream.too_large : stream.over_budget) = true;
      self.drop_body(stream);
      return 0;
    }
    stream.reserved += length;
    try {
      stream.body.append(reinterpret_cast<const char*>(data), length);
    } catch (const std::bad_alloc&) {
      return NGHTTP2_ERR_CALLBACK_FAILURE;  // nghttp2 ends the session
    }
    return 0;
  }

  void drop_body(Stream& stream) {
    server_.release(std::exchange(stream.reserved, 0));
    stream.body.clear();
    stream.body.shrink_to_fit();
  }

  static int on_frame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto& self = *static_cast<Connection*>(user);
    const bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (ends && (frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS) &&
        self.streams_.contains(frame->hd.stream_id)) {
      self.complete_.push_back(frame->hd.stream_id);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user) {
    auto& self = *static_cast<Connection*>(user);
    const auto found = self.streams_.find(id);
    if (found == self.streams_.end()) return 0;
    self.drop_body(found->second);
    self.streams_.erase(found);
    return 0;
  }

  GrpcServer::State& server_;
  int fd_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Stream> streams_;
  std::vector<std::int32_t> complete_;  // streams whose request ended, to answer
  std::shared_ptr<Finished> done_ = std::make_shared<Finished>();
  std::size_t in_flight_ = 0;  // calls handed to the pool, not answered yet
};

}  // namespace

void GrpcServer::State::serve_connection(Worker& worker) {
  const int fd = worker.fd;
  const int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  const timeval send_timeout{send_timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  Connection(*this, fd).run();
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
