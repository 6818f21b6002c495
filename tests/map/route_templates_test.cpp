#include "map/route_templates.h"

#include <gtest/gtest.h>

namespace tracemesh::map {
namespace {

TEST(RouteTemplate, WritesEveryFrameworksParametersInBraces) {
  EXPECT_EQ(route_template("/orders/{order_id}"), "/orders/{order_id}");
  EXPECT_EQ(route_template("/orders/<int:order_id>/items/<name>"),
            "/orders/{order_id}/items/{name}");
  EXPECT_EQ(route_template("/orders/:id"), "/orders/{id}");
  EXPECT_EQ(route_template("^orders/(?P<pk>[0-9]+)/$"), "/orders/{pk}");
  EXPECT_EQ(route_template("orders/"), "/orders");
  EXPECT_EQ(route_template("/search?q=1"), "/search");
  EXPECT_EQ(route_template(""), "/");
  EXPECT_EQ(route_template("/"), "/");
}

TEST(PathMatch, MatchesSegmentBySegmentAndScoresHowClosely) {
  EXPECT_EQ(path_match("/orders/{id}", "/orders/42"), 2);
  EXPECT_EQ(path_match("/orders/export", "/orders/export"), 4);
  EXPECT_EQ(path_match("/orders/42?verbose=1", "/orders/{id}"), 2);
  // A runtime template is closer to the code's template than to a literal
  // path it would also match.
  EXPECT_EQ(path_match("/orders/{order_id}", "/orders/{id}"), 3);
  EXPECT_EQ(path_match("/orders/export", "/orders/{id}"), 2);
  EXPECT_EQ(path_match("/", "/"), 0);
  EXPECT_FALSE(path_match("/orders/{id}", "/orders/42/items"));
  EXPECT_FALSE(path_match("/orders/{id}", "/invoices/42"));
  EXPECT_FALSE(path_match("/verify", "/healthz"));
}

TEST(TopicFilter, TurnsTemplateLevelsIntoSingleLevelWildcards) {
  EXPECT_EQ(topic_filter("orders/{order_id}/shipped"), "orders/+/shipped");
  EXPECT_EQ(topic_filter("fleet/{device}"), "fleet/+");
  EXPECT_EQ(topic_filter("orders/created"), "orders/created");
}

}  // namespace
}  // namespace tracemesh::map
