// MQTT round trips through a real mosquitto broker on a free loopback port:
// MQTT v5 (user properties) and MQTT 3.1.1 (payload fields).
#include "tracemesh/mosquitto.h"

#include <arpa/inet.h>
#include <mqtt_protocol.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.h"
#include "loopback_server.h"
#include "tracemesh/legacy_propagator.h"

namespace tracemesh {
namespace {

using namespace std::chrono_literals;
using testing::attribute;
using testing::RecordingTracer;

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));  // NOLINT
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);   // NOLINT
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;  // NOLINT
  ::close(fd);
  return connected;
}

// A mosquitto broker on 127.0.0.1, stopped with the test.
class Broker {
 public:
  Broker()
      : directory_(std::filesystem::temp_directory_path() /
                   ("tracemesh-mqtt-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(directory_);
    port_ = free_loopback_port();
    std::ofstream(directory_ / "mosquitto.conf")
        << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\npersistence false\n";
    process_ = std::make_unique<tracemesh::testing::ChildProcess>(
        std::vector<std::string>{"/usr/sbin/mosquitto", "-c",
                                 (directory_ / "mosquitto.conf").string()},
        (directory_ / "mosquitto.log").string());
    for (int attempt = 0; attempt < 500 && !accepts_connections(port_); ++attempt) {
      std::this_thread::sleep_for(10ms);
    }
  }
  ~Broker() {
    process_.reset();
    std::filesystem::remove_all(directory_);
  }
  int port() const noexcept { return port_; }

 private:
  std::filesystem::path directory_;
  int port_ = 0;
  std::unique_ptr<tracemesh::testing::ChildProcess> process_;
};

struct Received {
  std::mutex mutex;
  std::condition_variable arrived;
  bool done = false;
  std::string payload;
  std::string source;
  SpanContext handler_context;
};

struct Client {
  Client(int protocol, int port, const std::string& id) {
    mosquitto_lib_init();
    handle = mosquitto_new(id.c_str(), true, nullptr);
    mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, protocol);
    connected = mosquitto_connect(handle, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS &&
                mosquitto_loop_start(handle) == MOSQ_ERR_SUCCESS;
  }
  ~Client() {
    mosquitto_disconnect(handle);
    mosquitto_loop_stop(handle, false);
    mosquitto_destroy(handle);
  }
  mosquitto* handle = nullptr;
  bool connected = false;
};

struct Consumer {
  const Tracer* tracer;
  Received* received;
};

void on_message(mosquitto*, void* user, const mosquitto_message* message,
                const mosquitto_property* properties) {
  auto& consumer = *static_cast<Consumer*>(user);
  handle_traced_message(*consumer.tracer, *message, properties, [&] {
    std::lock_guard lock(consumer.received->mutex);
    consumer.received->payload.assign(static_cast<const char*>(message->payload),
                                      static_cast<std::size_t>(message->payloadlen));
    consumer.received->handler_context = current_context().span_context();
    consumer.received->done = true;
    consumer.received->arrived.notify_all();
  });
}

struct RoundTrip {
  std::vector<SpanData> producer_spans;
  std::vector<SpanData> consumer_spans;
  std::string payload;
  SpanContext handler_context;
  SpanContext producer_parent;
};

RoundTrip round_trip(int protocol, const MqttPublishOptions& publish_options,
                     const std::string& payload) {
  Broker broker;
  RecordingTracer producer("delivery-worker");
  RecordingTracer consumer_tracer("mqtt-consumer");
  Received received;
  Consumer consumer{&consumer_tracer.tracer, &received};

  Client subscriber(protocol, broker.port(), "consumer");
  EXPECT_TRUE(subscriber.connected);
  mosquitto_user_data_set(subscriber.handle, &consumer);
  mosquitto_message_v5_callback_set(subscriber.handle, &on_message);
  EXPECT_EQ(mosquitto_subscribe(subscriber.handle, nullptr, "alerts/#", 1), MOSQ_ERR_SUCCESS);
  std::this_thread::sleep_for(200ms);  // SUBACK; the round trip below waits for delivery itself

  Client publisher(protocol, broker.port(), "producer");
  EXPECT_TRUE(publisher.connected);
  RoundTrip result;
  {
    Span request = producer.tracer.start_span("deliver alert");
    Scope scope = activate(request);
    result.producer_parent = request.context();
    const auto published =
        publish_traced(producer.tracer, publisher.handle, "alerts/a1", payload, publish_options);
    EXPECT_TRUE(published) << published.error().text();
  }
  std::unique_lock lock(received.mutex);
  EXPECT_TRUE(received.arrived.wait_for(lock, 10s, [&] { return received.done; }));
  result.payload = received.payload;
  result.handler_context = received.handler_context;
  result.producer_spans = producer.exporter->spans();
  lock.unlock();
  for (int attempt = 0; attempt < 100 && consumer_tracer.exporter->spans().empty(); ++attempt) {
    std::this_thread::sleep_for(10ms);
  }
  result.consumer_spans = consumer_tracer.exporter->spans();
  return result;
}

TEST(Mosquitto, V5UserPropertiesCarryTheTraceToTheConsumer) {
  const RoundTrip trip = round_trip(MQTT_PROTOCOL_V5, {.qos = 1}, R"({"alert":"a1"})");
  ASSERT_EQ(trip.producer_spans.size(), 2U);  // publish, then the request span
  const SpanData& publish = trip.producer_spans[0];
  EXPECT_EQ(publish.kind, SpanKind::producer);
  EXPECT_EQ(publish.name, "publish alerts/a1");
  EXPECT_EQ(publish.parent_span_id, trip.producer_parent.span_id);
  EXPECT_EQ(attribute<std::string>(publish, "messaging.system"), "mqtt");
  EXPECT_EQ(attribute<std::string>(publish, "messaging.destination.name"), "alerts/a1");
  EXPECT_EQ(attribute<std::string>(publish, "messaging.operation.type"), "publish");
  // Where the publish was called: round_trip() above.
  EXPECT_EQ(attribute<std::string>(publish, "code.file.path"), __FILE__);
  EXPECT_GT(attribute<std::int64_t>(publish, "code.line.number"), 0);
  EXPECT_NE(attribute<std::string>(publish, "code.function.name").find("round_trip"),
            std::string::npos);
  ASSERT_EQ(trip.consumer_spans.size(), 1U);
  const SpanData& process = trip.consumer_spans[0];
  EXPECT_EQ(process.kind, SpanKind::consumer);
  EXPECT_EQ(process.context.trace_id, publish.context.trace_id);
  EXPECT_EQ(process.parent_span_id, publish.context.span_id);  // child of the producer's span
  EXPECT_EQ(attribute<std::string>(process, "tracemesh.propagation.format"), "tracecontext");
  EXPECT_EQ(attribute<std::string>(process, "messaging.operation.type"), "process");
  EXPECT_EQ(trip.handler_context.span_id, process.context.span_id);  // current in the handler
  EXPECT_EQ(trip.payload, R"({"alert":"a1"})");                      // payload untouched
}

TEST(Mosquitto, V311PayloadFieldsCarryTheTraceToTheConsumer) {
  const RoundTrip trip = round_trip(MQTT_PROTOCOL_V311, {.payload_fields = MqttPayloadFields{}},
                                    R"({"alert":"a1","trace_id":"stale"})");
  ASSERT_EQ(trip.producer_spans.size(), 2U);
  const SpanData& publish = trip.producer_spans[0];
  const auto payload = nlohmann::json::parse(trip.payload);
  EXPECT_EQ(payload["alert"], "a1");
  EXPECT_EQ(payload["trace_id"], publish.context.trace_id.to_hex());  // replaced, not duplicated
  EXPECT_EQ(payload["span_id"], publish.context.span_id.to_hex());
  ASSERT_EQ(trip.consumer_spans.size(), 1U);
  const SpanData& process = trip.consumer_spans[0];
  EXPECT_EQ(process.context.trace_id, publish.context.trace_id);
  EXPECT_EQ(process.parent_span_id, publish.context.span_id);
  EXPECT_EQ(attribute<std::string>(process, "tracemesh.propagation.format"), "payload");
}

TEST(Mosquitto, PayloadFieldsNeedAJsonObject) {
  RecordingTracer producer("p");
  mosquitto_lib_init();
  mosquitto* client = mosquitto_new("unconnected", true, nullptr);
  const auto published = publish_traced(producer.tracer, client, "t", "plain text",
                                        {.payload_fields = MqttPayloadFields{}});
  mosquitto_destroy(client);
  ASSERT_FALSE(published);
  EXPECT_EQ(published.error().code, ErrorCode::invalid_input);
  const auto spans = producer.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].status.code, StatusCode::error);
}

TEST(Mosquitto, AMessageWithoutContextStartsANewTrace) {
  RecordingTracer consumer("c");
  mosquitto_message message{};
  std::string payload = R"({"trace_id":"legacy-id-42"})";
  std::string topic = "alerts/x";
  message.topic = topic.data();
  message.payload = payload.data();
  message.payloadlen = static_cast<int>(payload.size());
  { MqttConsumerSpan span(consumer.tracer, message, nullptr, {.payload_fields = std::nullopt}); }
  { MqttConsumerSpan span(consumer.tracer, message, nullptr); }
  const auto spans = consumer.exporter->spans();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(attribute<std::string>(spans[0], "tracemesh.propagation.format"), "none");
  // A non-hex id in the payload maps to a trace id as an X-Trace-ID header would.
  EXPECT_EQ(attribute<std::string>(spans[1], "tracemesh.propagation.format"), "payload");
  EXPECT_EQ(spans[1].context.trace_id, *parse_legacy_trace_id("legacy-id-42"));
}

}  // namespace
}  // namespace tracemesh
