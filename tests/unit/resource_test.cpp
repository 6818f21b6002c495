// Tests for resources: parsing OTEL_RESOURCE_ATTRIBUTES and service.name.

#include "tracemesh/resource.h"
#include "support/printers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "tracemesh/attribute.h"

namespace tracemesh {

namespace {

using ::testing::HasSubstr;

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct ParseRow {
  std::string name;
  std::string input;
  std::optional<Pairs> expected;  // nullopt: an error naming `bad_member`
  std::string bad_member;
};

std::ostream& operator<<(std::ostream& out, const ParseRow& row) {
  return out << row.name;
}

class ParseResourceAttributes : public ::testing::TestWithParam<ParseRow> {};

TEST_P(ParseResourceAttributes, ParsesAsSpecified) {
  const ParseRow& row = GetParam();
  SCOPED_TRACE("input: \"" + row.input + "\"");
  const auto parsed = parse_resource_attributes(row.input);
  if (!row.expected) {
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_config);
    EXPECT_THAT(std::string(parsed.error().text()), HasSubstr(row.bad_member));
    return;
  }
  ASSERT_TRUE(parsed.has_value()) << parsed.error().text();
  Pairs actual;
  for (const Attribute& attribute : *parsed) {
    const auto* text = attribute.value.get_if<std::string>();
    ASSERT_NE(text, nullptr) << attribute.key << " is not a string";
    actual.emplace_back(attribute.key, *text);
  }
  EXPECT_EQ(actual, *row.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ParseResourceAttributes,
    ::testing::Values(
        ParseRow{"empty", "", Pairs{}, ""},
        ParseRow{"single", "service.name=checkout", Pairs{{"service.name", "checkout"}}, ""},
        ParseRow{"several_in_order", "a=1,b=two,deployment.environment=prod",
                 Pairs{{"a", "1"}, {"b", "two"}, {"deployment.environment", "prod"}}, ""},
        ParseRow{"numbers_stay_strings", "replicas=3", Pairs{{"replicas", "3"}}, ""},
        ParseRow{"percent_encoded_value", "team=payments%20%26%20billing,note=a%2Cb%3Dc%25",
                 Pairs{{"team", "payments & billing"}, {"note", "a,b=c%"}}, ""},
        ParseRow{"percent_encoded_utf8", "city=Z%C3%BCrich", Pairs{{"city", "Z\xC3\xBCrich"}}, ""},
        ParseRow{"whitespace_trimmed", "  a = 1 ,\tb=2\t,c =3 ",
                 Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}}, ""},
        ParseRow{"missing_equals", "a=1,broken,c=3", std::nullopt, "broken"},
        ParseRow{"only_member_missing_equals", "lonely", std::nullopt, "lonely"},
        ParseRow{"empty_key", "a=1,=orphan", std::nullopt, "=orphan"},
        ParseRow{"blank_key", "  =value", std::nullopt, "=value"}),
    [](const ::testing::TestParamInfo<ParseRow>& param_info) { return param_info.param.name; });

TEST(Resource, ServiceNameIsTheServiceNameAttribute) {
  Resource resource(Attributes{{"host.name", "box"}, {"service.name", "checkout"}});
  EXPECT_EQ(resource.service_name(), "checkout");
  EXPECT_EQ(resource.attributes().size(), 2U);
}

TEST(Resource, ServiceNameIsEmptyWhenUnset) {
  EXPECT_EQ(Resource().service_name(), "");
  EXPECT_EQ(Resource(Attributes{{"host.name", "box"}}).service_name(), "");
}

TEST(Attributes, FindReturnsTheValueOrNull) {
  const Attributes attributes{{"a", "x"}, {"b", 2}};
  ASSERT_NE(find_attribute(attributes, "b"), nullptr);
  EXPECT_EQ(*find_attribute(attributes, "b"), AttributeValue(2));
  EXPECT_EQ(find_attribute(attributes, "c"), nullptr);
}

TEST(Attributes, SetReplacesAnExistingKeyAndAppendsANewOne) {
  Attributes attributes{{"a", "x"}};
  set_attribute(attributes, "a", "y");
  set_attribute(attributes, "b", true);
  ASSERT_EQ(attributes.size(), 2U);
  EXPECT_EQ(*find_attribute(attributes, "a"), AttributeValue("y"));
  EXPECT_EQ(*find_attribute(attributes, "b"), AttributeValue(true));
}

TEST(Attributes, AStringLiteralStaysAString) {
  const AttributeValue value("true");
  ASSERT_NE(value.get_if<std::string>(), nullptr);
  EXPECT_EQ(*value.get_if<std::string>(), "true");
}

}  // namespace
}  // namespace tracemesh
