#include "collector/grpc/grpc_connection.h"

#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "model/base64.h"

namespace tracemesh::collector {
namespace {

// What one read takes from a connection.
constexpr std::size_t buffer_bytes = std::size_t{64} * 1024;
constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
// A connection with no frame for this long gets a GOAWAY (clients reconnect).
constexpr int idle_seconds = 300;
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

// One HTTP/2 connection: the nghttp2 session and the calls in flight on it.
class Connection {
 public:
  Connection(const GrpcConnectionContext& context, int fd) : context_(context), fd_(fd) {}
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
      const bool take_more = reading && in_flight_ < context_.limits.max_concurrent_streams;
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
    if (context_.stopping) {
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
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, context_.limits.max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1U << 20U},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         static_cast<std::uint32_t>(context_.limits.max_metadata_bytes)},
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
  static GrpcReply call_handler(const GrpcServer::Handler& handler, const GrpcCall& call) {
    try {
      return handler(call);
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
    } else if (stream.metadata_bytes > context_.limits.max_metadata_bytes) {
      refused.code = GrpcCode::invalid_argument;
      refused.error = "metadata over the collector's limit of " +
                      std::to_string(context_.limits.max_metadata_bytes) + " bytes";
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
              call_handler(context_.handler,
                           GrpcCall{stream.path, stream.encoding, stream.authorization, {}, true}));
      return;
    }
    ++in_flight_;
    const std::size_t reserved = std::exchange(stream.reserved, 0);
    // The call owns its request; the stream keeps only what the answer needs.
    context_.pool.submit([handler = &context_.handler, budget = &context_.budget, done = done_, id,
                          path = std::move(stream.path), encoding = std::move(stream.encoding),
                          authorization = std::move(stream.authorization),
                          body = std::move(stream.body), reserved] {
      GrpcReply reply =
          call_handler(*handler, GrpcCall{path, encoding, authorization, body, false});
      budget->release(reserved);
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
    if (stream.metadata_bytes > self.context_.limits.max_metadata_bytes) return 0;
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
    const bool too_large = stream.body.size() + length > self.context_.limits.max_body_bytes;
    if (too_large || !self.context_.budget.reserve(length)) {
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
    context_.budget.release(std::exchange(stream.reserved, 0));
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

  const GrpcConnectionContext& context_;
  int fd_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Stream> streams_;
  std::vector<std::int32_t> complete_;  // streams whose request ended, to answer
  std::shared_ptr<Finished> done_ = std::make_shared<Finished>();
  std::size_t in_flight_ = 0;  // calls handed to the pool, not answered yet
};

}  // namespace

bool GrpcBodyBudget::reserve(std::size_t bytes) {
  if (held_.fetch_add(bytes) + bytes <= limit_) return true;
  held_.fetch_sub(bytes);
  return false;
}

void GrpcBodyBudget::release(std::size_t bytes) {
  held_.fetch_sub(bytes);
}

void serve_grpc_connection(int fd, const GrpcConnectionContext& context) {
  Connection(context, fd).run();
}

}  // namespace tracemesh::collector
