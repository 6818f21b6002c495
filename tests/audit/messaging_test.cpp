// MQTT sites on the fixture fleet (paho publishers with the id in the
// payload, in v5 user properties, and without; an aiomqtt subscriber) and
// table-driven forms; trace field names; topic filters.
#include "audit/rules/messaging.h"

#include <gtest/gtest.h>

#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;
using testing::AuditedRepository;
using testing::TemporaryRepository;

const std::string& fixture = testing::fleet_fixture;

std::vector<std::string> messaging_lines(const fs::path& root) {
  const AuditedRepository audited(root);
  std::vector<std::string> lines;
  for (const MessagingSite& site : find_messaging(audited.fleet())) {
    lines.push_back(site.service + " " + site.file + ":" + std::to_string(site.line) + " " +
                    site.role + " " + site.topic + " " +
                    (site.trace_id_in_payload ? "with id: " : "without id: ") + site.how);
  }
  return lines;
}

TEST(Messaging, FindsTheFleetsPublishersAndSubscribers) {
  EXPECT_EQ(messaging_lines(fixture),
            (std::vector<std::string>{
                "notifier services/notifier/worker.py:14 publisher orders/created with id: "
                "payload field trace_id",
                "notifier services/notifier/worker.py:19 publisher notifier/heartbeat without id: "
                "no trace id in the payload or user properties",
                "notifier services/notifier/worker.py:25 publisher orders/{order_id}/shipped with "
                "id: user property traceparent (built in shipped)",
                "notifier services/notifier/worker.py:30 subscriber orders/+/cancelled with id: "
                "reads trace_id in listen",
            }));
}

struct Row {
  std::string name;
  std::string source;
  std::vector<std::string> expected;
};

class MessagingForms : public ::testing::TestWithParam<Row> {};

TEST_P(MessagingForms, AreRecognised) {
  const TemporaryRepository repository;
  repository.write("worker/main.py", GetParam().source);
  repository.write("worker/Dockerfile", "FROM python\n");
  const auto lines = messaging_lines(repository.root());
  std::vector<std::string> found;
  for (const std::string& line : lines)
    found.push_back(line.substr(line.find(' ', line.find(' ') + 1) + 1));
  EXPECT_EQ(found, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, MessagingForms,
    ::testing::Values(
        Row{"PahoOnSelfWithHelperPayload",
            "from paho.mqtt import client as mqtt_client\nimport json\n"
            "def body(x, tid):\n    return json.dumps({'x': x, 'traceId': tid})\n"
            "class Bus:\n    def __init__(self):\n        self.mqtt = mqtt_client.Client()\n"
            "    def send(self, x, tid):\n        self.mqtt.publish(topic='a/b', payload=body(x, "
            "tid))\n",
            {"publisher a/b with id: payload field traceId (built in body)"}},
        Row{"PublishSingleWithConstantField",
            "import paho.mqtt.publish as publish\nFIELD = 'X-Trace-ID'\n"
            "def send(tid):\n    publish.single('t', payload=json.dumps({FIELD: tid}), "
            "hostname='mosquitto')\n",
            {"publisher t with id: payload field X-Trace-ID (FIELD)"}},
        Row{"AsyncioMqttWithoutId",
            "import asyncio_mqtt\nasync def go():\n    async with asyncio_mqtt.Client('h') as c:\n"
            "        await c.publish('x/y', payload=b'1')\n",
            {"publisher x/y without id: no trace id in the payload or user properties"}},
        Row{"NotMqtt", "import redis\nr = redis.Redis()\nr.publish('c', 'm')\n", {}}));

TEST(Messaging, TraceFieldsInAnySpelling) {
  const TraceHeaders headers;
  for (const char* name : {"trace_id", "traceId", "TRACE-ID", "traceparent", "x-trace-id",
                           "correlation_id", "X-Correlation-ID", "b3", "request_id"}) {
    EXPECT_TRUE(is_trace_field(name, headers)) << name;
  }
  for (const char* name : {"order_id", "trace", "id", "tracing", ""}) {
    EXPECT_FALSE(is_trace_field(name, headers)) << name;
  }
}

TEST(Messaging, TopicFiltersMatchWithWildcards) {
  EXPECT_TRUE(topic_matches("orders/+/cancelled", "orders/7/cancelled"));
  EXPECT_TRUE(topic_matches("orders/#", "orders/7/cancelled"));
  EXPECT_TRUE(topic_matches("orders/#", "orders"));  // # also matches the parent level
  EXPECT_FALSE(topic_matches("orders/#", "other"));
  EXPECT_TRUE(topic_matches("orders/created", "orders/created"));
  EXPECT_TRUE(topic_matches("orders/+/shipped", "orders/{order_id}/shipped"));
  EXPECT_FALSE(topic_matches("orders/+", "orders/7/cancelled"));
  EXPECT_FALSE(topic_matches("orders/created", "orders/deleted"));
  EXPECT_FALSE(topic_matches("orders/created/x", "orders/created"));
}

}  // namespace
}  // namespace tracemesh::audit
