// Tests for the JSON-lines exporter: the span JSON (fields, escaping, UTF-8)
// and writing one line per span to a file.

#include "tracemesh/json_lines_exporter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "tracemesh/ids.h"
#include "tracemesh/span_data.h"

namespace tracemesh {
namespace {

// --- a small, strict JSON reader (RFC 8259) -----------------------------------------------

struct Json {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::string text;  // a string's decoded value, or a number's literal text
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  // Return the member named `key`, or null.
  const Json* get(std::string_view key) const {
    for (const auto& [name, value] : members) {
      if (name == key) return &value;
    }
    return nullptr;
  }
  bool is_string(std::string_view expected) const {
    return type == Type::string && text == expected;
  }
};

class JsonReader {
 public:
  // Return the value `input` holds, or nullopt when it is not exactly one valid JSON value.
  static std::optional<Json> parse(std::string_view input) {
    JsonReader reader(input);
    Json value;
    if (!reader.value(value)) return std::nullopt;
    reader.whitespace();
    if (reader.position_ != input.size()) return std::nullopt;
    return value;
  }

 private:
  explicit JsonReader(std::string_view input) : input_(input) {}

  bool at_end() const { return position_ >= input_.size(); }
  char peek() const { return at_end() ? '\0' : input_[position_]; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++position_;
    return true;
  }
  bool literal(std::string_view word) {
    if (input_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }
  void whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++position_;
    }
  }

  bool value(Json& out) {
    whitespace();
    switch (peek()) {
      case '{':
        return object(out);
      case '[':
        return array(out);
      case '"':
        out.type = Json::Type::string;
        return string(out.text);
      case 't':
        out.type = Json::Type::boolean;
        out.boolean = true;
        return literal("true");
      case 'f':
        out.type = Json::Type::boolean;
        out.boolean = false;
        return literal("false");
      case 'n':
        out.type = Json::Type::null;
        return literal("null");
      default:
        out.type = Json::Type::number;
        return number(out.text);
    }
  }

  bool object(Json& out) {
    out.type = Json::Type::object;
    consume('{');
    whitespace();
    if (consume('}')) return true;
    for (;;) {
      whitespace();
      std::string key;
      if (!string(key)) return false;
      whitespace();
      if (!consume(':')) return false;
      Json member;
      if (!value(member)) return false;
      out.members.emplace_back(std::move(key), std::move(member));
      whitespace();
      if (consume('}')) return true;
      if (!consume(',')) return false;
    }
  }

  bool array(Json& out) {
    out.type = Json::Type::array;
    consume('[');
    whitespace();
    if (consume(']')) return true;
    for (;;) {
      Json item;
      if (!value(item)) return false;
      out.items.push_back(std::move(item));
      whitespace();
      if (consume(']')) return true;
      if (!consume(',')) return false;
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool digits() {
    const std::size_t start = position_;
    while (is_digit(peek())) ++position_;
    return position_ > start;
  }

  bool number(std::string& out) {
    const std::size_t start = position_;
    consume('-');
    if (!consume('0') && !digits()) return false;
    if (consume('.') && !digits()) return false;
    if (consume('e') || consume('E')) {
      if (!consume('+')) consume('-');
      if (!digits()) return false;
    }
    out = std::string(input_.substr(start, position_ - start));
    return true;
  }

  bool hex4(std::uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      std::uint32_t digit = 0;
      if (is_digit(c)) {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      out = out * 16 + digit;
      ++position_;
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t code_point) {
    auto byte = [&out](std::uint32_t value) { out.push_back(static_cast<char>(value)); };
    if (code_point < 0x80) {
      byte(code_point);
    } else if (code_point < 0x800) {
      byte(0xC0 | (code_point >> 6));
      byte(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      byte(0xE0 | (code_point >> 12));
      byte(0x80 | ((code_point >> 6) & 0x3F));
      byte(0x80 | (code_point & 0x3F));
    } else {
      byte(0xF0 | (code_point >> 18));
      byte(0x80 | ((code_point >> 12) & 0x3F));
      byte(0x80 | ((code_point >> 6) & 0x3F));
      byte(0x80 | (code_point & 0x3F));
    }
  }

  bool escape(std::string& out) {
    const char c = peek();
    ++position_;
    switch (c) {
      case '"':
        out.push_back('"');
        return true;
      case '\\':
        out.push_back('\\');
        return true;
      case '/':
        out.push_back('/');
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u': {
        std::uint32_t unit = 0;
        if (!hex4(unit)) return false;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          std::uint32_t low = 0;
          if (!literal("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          return false;
        }
        append_utf8(out, unit);
        return true;
      }
      default:
        return false;
    }
  }

  bool string(std::string& out) {
    if (!consume('"')) return false;
    for (;;) {
      if (at_end()) return false;
      const char c = input_[position_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;  // must be escaped
      if (c == '\\') {
        if (!escape(out)) return false;
      } else {
        out.push_back(c);
      }
    }
  }

  std::string_view input_;
  std::size_t position_ = 0;
};

// Return whether `text` is well-formed UTF-8.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if ((lead & 0xE0) == 0xC0 && lead >= 0xC2) {
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
    } else if ((lead & 0xF8) == 0xF0 && lead <= 0xF4) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

TEST(JsonReader, AcceptsValidAndRejectsInvalidJson) {
  EXPECT_TRUE(JsonReader::parse(R"({"a":[1,-2.5e3,true,null,"x\u00e9\ud83d\ude80"]})"));
  EXPECT_FALSE(JsonReader::parse(R"({"a":1,})"));
  EXPECT_FALSE(JsonReader::parse("\"raw\ncontrol\""));
  EXPECT_FALSE(JsonReader::parse(R"("bad \q escape")"));
  EXPECT_FALSE(JsonReader::parse(R"({"a":1} trailing)"));
}

// --- span_to_json -------------------------------------------------------------------------

SpanContext make_context(std::string_view trace_hex, std::string_view span_hex) {
  SpanContext context;
  context.trace_id = *TraceId::from_hex(trace_hex);
  context.span_id = *SpanId::from_hex(span_hex);
  context.flags = TraceFlags(TraceFlags::sampled_bit);
  return context;
}

// A fully populated span, built by hand.
SpanData make_full_span() {
  SpanData span;
  span.context = make_context("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
  span.parent_span_id = *SpanId::from_hex("b7ad6b7169203331");
  span.parent_is_remote = true;
  span.name = "GET /users/{id}";
  span.kind = SpanKind::server;
  span.start_unix_nano = 1700000000000000001ULL;
  span.end_unix_nano = 1700000000250000002ULL;
  span.attributes = {{"http.request.method", "GET"},
                     {"http.response.status_code", 200},
                     {"cached", true},
                     {"tags", {"a", "b"}}};
  span.events = {Event{"retry", 1700000000100000000ULL, {{"attempt", 2}}}};
  span.links = {Link{make_context("0af7651916cd43dd8448eb211c80319c", "b9c7c989f97918e1"), {}}};
  span.status = Status{StatusCode::error, "upstream failed"};
  span.resource = std::make_shared<const Resource>(Attributes{{"service.name", "checkout"}});
  span.scope = std::make_shared<const InstrumentationScope>(InstrumentationScope{"lib", "1.0"});
  return span;
}

// Return the parsed JSON of `span`, failing the test when it is not one valid line.
Json to_json(const SpanData& span) {
  const std::string line = span_to_json(span);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_TRUE(is_utf8(line)) << line;
  auto parsed = JsonReader::parse(line);
  EXPECT_TRUE(parsed.has_value()) << "not valid JSON: " << line;
  if (!parsed) return Json{};
  EXPECT_EQ(parsed->type, Json::Type::object) << line;
  return std::move(*parsed);
}

// Return whether `value` is the enum `name` as a string or its OTLP number.
bool is_enum(const Json* value, std::string_view name, int otlp_number) {
  if (value == nullptr) return false;
  return value->is_string(name) ||
         (value->type == Json::Type::number && value->text == std::to_string(otlp_number));
}

// Return whether `value` is the integer `expected`, as a number or a decimal string.
bool is_integer(const Json* value, std::string_view expected) {
  return value != nullptr &&
         (value->type == Json::Type::number || value->type == Json::Type::string) &&
         value->text == expected;
}

TEST(SpanToJson, WritesTheDocumentedFields) {
  const Json json = to_json(make_full_span());
  struct Row {
    const char* field;
    std::string expected;
  };
  const Row string_fields[] = {
      {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
      {"span_id", "00f067aa0ba902b7"},
      {"parent_span_id", "b7ad6b7169203331"},
      {"service", "checkout"},
      {"name", "GET /users/{id}"},
      {"start_unix_nano", "1700000000000000001"},
      {"end_unix_nano", "1700000000250000002"},
  };
  for (const Row& row : string_fields) {
    SCOPED_TRACE(row.field);
    const Json* value = json.get(row.field);
    ASSERT_NE(value, nullptr);
    EXPECT_TRUE(value->is_string(row.expected)) << value->text;
  }
  EXPECT_TRUE(is_enum(json.get("kind"), "server", 2));

  const Json* status = json.get("status");
  ASSERT_NE(status, nullptr);
  ASSERT_EQ(status->type, Json::Type::object);
  EXPECT_TRUE(is_enum(status->get("code"), "error", 2));
  ASSERT_NE(status->get("message"), nullptr);
  EXPECT_TRUE(status->get("message")->is_string("upstream failed"));

  const Json* attributes = json.get("attributes");
  ASSERT_NE(attributes, nullptr);
  ASSERT_EQ(attributes->type, Json::Type::object);
  ASSERT_NE(attributes->get("http.request.method"), nullptr);
  EXPECT_TRUE(attributes->get("http.request.method")->is_string("GET"));
  EXPECT_TRUE(is_integer(attributes->get("http.response.status_code"), "200"));
  ASSERT_NE(attributes->get("cached"), nullptr);
  EXPECT_EQ(attributes->get("cached")->type, Json::Type::boolean);
  EXPECT_TRUE(attributes->get("cached")->boolean);
  const Json* tags = attributes->get("tags");
  ASSERT_NE(tags, nullptr);
  ASSERT_EQ(tags->type, Json::Type::array);
  ASSERT_EQ(tags->items.size(), 2U);
  EXPECT_TRUE(tags->items[0].is_string("a"));
  EXPECT_TRUE(tags->items[1].is_string("b"));

  const Json* events = json.get("events");
  ASSERT_NE(events, nullptr);
  ASSERT_EQ(events->type, Json::Type::array);
  ASSERT_EQ(events->items.size(), 1U);
  ASSERT_NE(events->items[0].get("name"), nullptr);
  EXPECT_TRUE(events->items[0].get("name")->is_string("retry"));

  const Json* links = json.get("links");
  ASSERT_NE(links, nullptr);
  ASSERT_EQ(links->type, Json::Type::array);
  ASSERT_EQ(links->items.size(), 1U);
  ASSERT_NE(links->items[0].get("trace_id"), nullptr);
  EXPECT_TRUE(links->items[0].get("trace_id")->is_string("0af7651916cd43dd8448eb211c80319c"));
  ASSERT_NE(links->items[0].get("span_id"), nullptr);
  EXPECT_TRUE(links->items[0].get("span_id")->is_string("b9c7c989f97918e1"));
}

TEST(SpanToJson, RootSpanHasAnEmptyParentAndNoOptionalFields) {
  SpanData span;
  span.context = make_context("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
  span.name = "root";
  span.resource = std::make_shared<const Resource>(Attributes{{"service.name", "checkout"}});
  const Json json = to_json(span);
  ASSERT_NE(json.get("parent_span_id"), nullptr);
  EXPECT_TRUE(json.get("parent_span_id")->is_string(""));
  for (const char* optional : {"trace_state", "legacy_trace_id"}) {
    SCOPED_TRACE(optional);
    const Json* value = json.get(optional);
    EXPECT_TRUE(value == nullptr || value->is_string("")) << "present without a value";
  }
  ASSERT_NE(json.get("attributes"), nullptr);
  EXPECT_EQ(json.get("attributes")->type, Json::Type::object);
  EXPECT_TRUE(is_enum(json.get("kind"), "internal", 1));
}

TEST(SpanToJson, WritesTraceStateAndLegacyTraceIdWhenPresent) {
  SpanData span = make_full_span();
  span.context.trace_state = *TraceState::parse("vendor=abc,other=1");
  span.context.legacy_trace_id = std::make_shared<const std::string>("Order-7781");
  const Json json = to_json(span);
  ASSERT_NE(json.get("trace_state"), nullptr);
  EXPECT_TRUE(json.get("trace_state")->is_string("vendor=abc,other=1"));
  ASSERT_NE(json.get("legacy_trace_id"), nullptr);
  EXPECT_TRUE(json.get("legacy_trace_id")->is_string("Order-7781"));
}

TEST(SpanToJson, EscapesWhatJsonRequires) {
  struct Row {
    const char* name;
    std::string text;
  };
  const Row rows[] = {
      {"quotes", "say \"hi\""},
      {"backslashes", "C:\\path\\to\\file \\\" end"},
      {"newline_and_tab", "line one\nline two\tcolumn\r"},
      {"other_control_characters", std::string("nul\x01 bell\x07 esc\x1b unit\x1f del\x7f")},
      {"embedded_nul", std::string("before\0after", 12)},
      {"slash_and_braces", "</script>{}[]"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    SpanData span = make_full_span();
    span.name = row.text;
    span.status.description = row.text;
    span.attributes = {{row.text, row.text}};
    const Json json = to_json(span);
    ASSERT_NE(json.get("name"), nullptr);
    EXPECT_TRUE(json.get("name")->is_string(row.text)) << json.get("name")->text;
    ASSERT_NE(json.get("status"), nullptr);
    ASSERT_NE(json.get("status")->get("message"), nullptr);
    EXPECT_TRUE(json.get("status")->get("message")->is_string(row.text));
    ASSERT_NE(json.get("attributes"), nullptr);
    const Json* attribute = json.get("attributes")->get(row.text);
    ASSERT_NE(attribute, nullptr) << "the key is escaped too";
    EXPECT_TRUE(attribute->is_string(row.text));
  }
}

TEST(SpanToJson, InvalidUtf8StillYieldsValidJson) {
  // JSON text is UTF-8 (RFC 8259 section 8.1); strict readers such as the
  // collector's reject a line holding invalid sequences.
  struct Row {
    const char* name;
    std::string text;
  };
  const Row rows[] = {
      {"lone_continuation_byte",
       "abc\x80"
       "def"},
      {"invalid_bytes", "\xff\xfe"},
      {"truncated_sequence", "cut \xE6\x97"},
      {"overlong_encoding", "\xC0\xAF"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    SpanData span = make_full_span();
    span.name = row.text;
    span.attributes = {{"value", row.text}};
    const std::string line = span_to_json(span);
    EXPECT_TRUE(is_utf8(line)) << line;
    EXPECT_TRUE(JsonReader::parse(line).has_value()) << line;
  }
}

TEST(SpanToJson, NonFiniteDoublesStillYieldValidJson) {
  SpanData span = make_full_span();
  span.attributes = {
      {"nan", std::numeric_limits<double>::quiet_NaN()},
      {"infinity", std::numeric_limits<double>::infinity()},
      {"doubles", std::vector<double>{-std::numeric_limits<double>::infinity(), 0.5}},
      {"half", 0.5}};
  const Json json = to_json(span);
  const Json* attributes = json.get("attributes");
  ASSERT_NE(attributes, nullptr);
  ASSERT_NE(attributes->get("half"), nullptr);
  EXPECT_EQ(attributes->get("half")->text, "0.5");
  EXPECT_NE(attributes->get("nan"), nullptr);
  EXPECT_NE(attributes->get("infinity"), nullptr);
}

TEST(SpanToJson, NonAsciiPassesThroughAsUtf8) {
  const std::string text =
      "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x9A\x80";  // héllo 日本 🚀
  SpanData span = make_full_span();
  span.name = text;
  span.attributes = {{"greeting", text}};
  const std::string line = span_to_json(span);
  EXPECT_NE(line.find(text), std::string::npos) << "expected raw UTF-8, got: " << line;
  const Json json = to_json(span);
  ASSERT_NE(json.get("name"), nullptr);
  EXPECT_TRUE(json.get("name")->is_string(text));
  ASSERT_NE(json.get("attributes")->get("greeting"), nullptr);
  EXPECT_TRUE(json.get("attributes")->get("greeting")->is_string(text));
}

// --- JsonLinesExporter --------------------------------------------------------------------

class TemporaryFile {
 public:
  TemporaryFile()
      : path_(std::filesystem::temp_directory_path() /
              ("tracemesh-jsonl-" + std::to_string(random_uint64()) + ".jsonl")) {}
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> lines() const {
    std::ifstream file(path_);
    std::vector<std::string> result;
    for (std::string line; std::getline(file, line);) result.push_back(line);
    return result;
  }

 private:
  std::filesystem::path path_;
};

std::vector<std::unique_ptr<SpanData>> make_batch(std::size_t count, std::uint64_t first_id) {
  std::vector<std::unique_ptr<SpanData>> batch;
  for (std::size_t i = 0; i < count; ++i) {
    auto span = std::make_unique<SpanData>(make_full_span());
    span->context.span_id = SpanId::from_uint64(first_id + i);
    batch.push_back(std::move(span));
  }
  return batch;
}

std::string span_id_of(const std::string& line) {
  const auto json = JsonReader::parse(line);
  if (!json || json->get("span_id") == nullptr) return "<invalid line: " + line + ">";
  return json->get("span_id")->text;
}

TEST(JsonLinesExporter, WritesOneLinePerSpan) {
  TemporaryFile file;
  auto exporter = JsonLinesExporter::open(file.path().string());
  ASSERT_TRUE(exporter.has_value()) << exporter.error().text();
  EXPECT_EQ((*exporter)->export_spans(make_batch(3, 1)), ExportResult::success);
  EXPECT_EQ((*exporter)->export_spans(make_batch(1, 4)), ExportResult::success);
  EXPECT_TRUE((*exporter)->shutdown(std::chrono::seconds(5)));

  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), 4U);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(span_id_of(lines[i]), SpanId::from_uint64(i + 1).to_hex());
    EXPECT_EQ(lines[i], span_to_json(*make_batch(1, i + 1).front()));
  }
}

TEST(JsonLinesExporter, AppendsToAnExistingFile) {
  TemporaryFile file;
  for (std::uint64_t round = 0; round < 2; ++round) {
    auto exporter = JsonLinesExporter::open(file.path().string());
    ASSERT_TRUE(exporter.has_value()) << exporter.error().text();
    EXPECT_EQ((*exporter)->export_spans(make_batch(2, 10 * round)), ExportResult::success);
    (*exporter)->shutdown(std::chrono::seconds(5));
  }
  EXPECT_EQ(file.lines().size(), 4U);
}

TEST(JsonLinesExporter, ExportAfterShutdownFails) {
  TemporaryFile file;
  auto exporter = JsonLinesExporter::open(file.path().string());
  ASSERT_TRUE(exporter.has_value()) << exporter.error().text();
  EXPECT_TRUE((*exporter)->shutdown(std::chrono::seconds(5)));
  EXPECT_EQ((*exporter)->export_spans(make_batch(1, 1)), ExportResult::failure);
  EXPECT_TRUE(file.lines().empty());
}

TEST(JsonLinesExporter, UnwritablePathsAreAnIoError) {
  struct Row {
    const char* name;
    std::string path;
  };
  const Row rows[] = {
      {"directory", std::filesystem::temp_directory_path().string()},
      {"missing_directory", (std::filesystem::temp_directory_path() /
                             ("tracemesh-missing-" + std::to_string(random_uint64())) / "x.jsonl")
                                .string()},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto exporter = JsonLinesExporter::open(row.path);
    ASSERT_FALSE(exporter.has_value());
    EXPECT_EQ(exporter.error().code, ErrorCode::io_error);
  }
}

}  // namespace
}  // namespace tracemesh
