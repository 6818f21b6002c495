// One MQTT v5 connection to the fleet's broker (libmosquitto, its network
// loop on its own thread), as both the publisher and the consumer use it.
#pragma once

#include <mosquitto.h>

#include <string>

#include "tracemesh/expected.h"

namespace fleet {

// libmosquitto's v5 callbacks, set before connecting (setting one from inside
// another deadlocks: libmosquitto holds its callback lock while calling them).
struct MqttCallbacks {
  // Runs on every (re)connection: the place to subscribe.
  void (*on_connect)(mosquitto*, void*, int, int, const mosquitto_property*) = nullptr;
  void (*on_subscribe)(mosquitto*, void*, int, int, const int*,
                       const mosquitto_property*) = nullptr;
  void (*on_message)(mosquitto*, void*, const mosquitto_message*,
                     const mosquitto_property*) = nullptr;
};

class MqttConnection {
 public:
  // Connect to MQTT_HOST:MQTT_PORT (127.0.0.1:1883 by default) with MQTT v5
  // and start the network loop; the callbacks get `user_data`.
  static tracemesh::Expected<MqttConnection> open(const std::string& client_id,
                                                  void* user_data = nullptr,
                                                  const MqttCallbacks& callbacks = {});
  MqttConnection(MqttConnection&& other) noexcept;
  MqttConnection& operator=(MqttConnection&&) = delete;
  MqttConnection(const MqttConnection&) = delete;
  MqttConnection& operator=(const MqttConnection&) = delete;
  ~MqttConnection();

  mosquitto* get() const noexcept { return client_; }

 private:
  explicit MqttConnection(mosquitto* client) : client_(client) {}
  mosquitto* client_ = nullptr;
};

}  // namespace fleet
