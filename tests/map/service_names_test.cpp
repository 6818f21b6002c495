#include "map/service_names.h"

#include <gtest/gtest.h>

namespace tracemesh::map {
namespace {

audit::Service service(std::string name, std::map<std::string, std::string> environment = {}) {
  audit::Service found;
  found.name = std::move(name);
  found.environment = std::move(environment);
  return found;
}

TEST(ServiceNames, TheFirstRuleThatGivesANameWins) {
  audit::ServiceMap services;
  services.services = {service("jaeger-api-gateway", {{"OTEL_SERVICE_NAME", "api-gateway"}}),
                       service("orders", {{"OTEL_RESOURCE_ATTRIBUTES",
                                           "deployment.environment=prod, service.name=orders-py"}}),
                       service("billing"),
                       service("Queue_Backend"),
                       service("ledger"),
                       service("renamed", {{"OTEL_SERVICE_NAME", "ignored"}})};
  const ServiceNames names = match_service_names(
      services, {"api-gateway", "orders-py", "billing", "queue-backend", "other"},
      {{"renamed", "renamed-at-runtime"}});
  EXPECT_EQ(names.runtime.at("jaeger-api-gateway"), "api-gateway");
  EXPECT_EQ(names.mapped_by.at("jaeger-api-gateway"), "environment");
  EXPECT_EQ(names.runtime.at("orders"), "orders-py");
  EXPECT_EQ(names.mapped_by.at("orders"), "resource");
  EXPECT_EQ(names.mapped_by.at("billing"), "same-name");
  EXPECT_EQ(names.runtime.at("Queue_Backend"), "queue-backend");
  EXPECT_EQ(names.mapped_by.at("Queue_Backend"), "similar-name");
  EXPECT_EQ(names.mapped_by.at("ledger"), "audit-name");
  EXPECT_EQ(names.runtime.at("renamed"), "renamed-at-runtime");
  EXPECT_EQ(names.mapped_by.at("renamed"), "explicit");
  EXPECT_EQ(names.audit_name("api-gateway"), "jaeger-api-gateway");
  EXPECT_EQ(names.audit_name("other"), "");
}

TEST(ServiceNames, TwoServicesReportingOneNameAreAmbiguous) {
  audit::ServiceMap services;
  services.services = {service("jaeger-gateway", {{"OTEL_SERVICE_NAME", "api-gateway"}}),
                       service("tempo-gateway", {{"OTEL_SERVICE_NAME", "api-gateway"}})};
  const ServiceNames names = match_service_names(services, {"api-gateway"}, {});
  EXPECT_TRUE(names.ambiguous("api-gateway"));
  EXPECT_EQ(names.audit_name("api-gateway"), "");
}

}  // namespace
}  // namespace tracemesh::map
