#include "mqtt_connection.h"

#include <cstdint>
#include <utility>

#include "fleet_service.h"

namespace fleet {
namespace {

constexpr int keepalive_seconds = 30;

tracemesh::Error mqtt_error(const std::string& what, int code) {
  return tracemesh::Error(tracemesh::ErrorCode::transport_error,
                          what + ": " + mosquitto_strerror(code));
}

}  // namespace

tracemesh::Expected<MqttConnection> MqttConnection::open(const std::string& client_id,
                                                         void* user_data,
                                                         const MqttCallbacks& callbacks) {
  mosquitto_lib_init();  // reference-counted by libmosquitto
  mosquitto* client = mosquitto_new(client_id.c_str(), true, user_data);
  if (client == nullptr)
    return tracemesh::Error(tracemesh::ErrorCode::transport_error, "mosquitto_new failed");
  MqttConnection connection(client);
  mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  if (callbacks.on_connect != nullptr)
    mosquitto_connect_v5_callback_set(client, callbacks.on_connect);
  if (callbacks.on_subscribe != nullptr)
    mosquitto_subscribe_v5_callback_set(client, callbacks.on_subscribe);
  if (callbacks.on_message != nullptr)
    mosquitto_message_v5_callback_set(client, callbacks.on_message);
  const std::string host = env_or("MQTT_HOST", "127.0.0.1");
  std::string port_text = env_or("MQTT_PORT", "1883");
  std::string ignored;
  std::uint16_t port = 0;
  if (!split_host_port("x:" + port_text, ignored, port))
    return tracemesh::Error(tracemesh::ErrorCode::invalid_config,
                            "MQTT_PORT must be a port, got '" + port_text + "'");
  if (const int code = mosquitto_connect(client, host.c_str(), port, keepalive_seconds);
      code != MOSQ_ERR_SUCCESS)
    return mqtt_error("cannot connect to mqtt://" + host + ":" + port_text, code);
  if (const int code = mosquitto_loop_start(client); code != MOSQ_ERR_SUCCESS)
    return mqtt_error("cannot start the MQTT loop", code);
  return connection;
}

MqttConnection::MqttConnection(MqttConnection&& other) noexcept
    : client_(std::exchange(other.client_, nullptr)) {}

MqttConnection::~MqttConnection() {
  if (client_ == nullptr) return;
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
  mosquitto_destroy(client_);
  mosquitto_lib_cleanup();
}

}  // namespace fleet
