#include "verify/expectation.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "model/duration.h"

namespace tracemesh::verify {
namespace {

struct Token {
  enum class Kind : std::uint8_t {
    word,    // a bare name, number or keyword
    string,  // "quoted" or 'quoted'
    open_bracket,
    close_bracket,
    open_paren,
    close_paren,
    direct_arrow,  // ->
    below_arrow,   // ~>
    op,            // = != < <= > >=
    end,
  };
  Kind kind = Kind::end;
  std::string text;
  std::size_t column = 1;
};

// Line breaks too: a YAML block scalar may spread an expectation over lines.
bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The span's own fields, always present; anything else is an attribute.
bool is_span_field(std::string_view field) noexcept {
  return field == "duration" || field == "name" || field == "kind" || field == "status" ||
         field == "service";
}

bool ends_word(std::string_view text, std::size_t at) noexcept {
  const char c = text[at];
  if (is_space(c)) return true;
  switch (c) {
    case '[':
    case ']':
    case '(':
    case ')':
    case '"':
    case '\'':
    case '=':
    case '!':
    case '<':
    case '>':
      return true;
    case '-':
    case '~':
      return at + 1 < text.size() && text[at + 1] == '>';
    default:
      return false;
  }
}

// Split `text` into tokens; false with `error` filled on a lexical error.
bool tokenize(std::string_view text, std::vector<Token>& tokens, SyntaxError& error) {
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    const std::size_t column = at + 1;
    if (is_space(c)) {
      ++at;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      error = {column, "unexpected control character"};
      return false;
    }
    const auto punct = [&](Token::Kind kind, std::size_t length) {
      tokens.push_back({kind, std::string(text.substr(at, length)), column});
      at += length;
    };
    const auto followed_by = [&](char next) {
      return at + 1 < text.size() && text[at + 1] == next;
    };
    switch (c) {
      case '[':
        punct(Token::Kind::open_bracket, 1);
        continue;
      case ']':
        punct(Token::Kind::close_bracket, 1);
        continue;
      case '(':
        punct(Token::Kind::open_paren, 1);
        continue;
      case ')':
        punct(Token::Kind::close_paren, 1);
        continue;
      case '=':
        punct(Token::Kind::op, followed_by('=') ? 2 : 1);  // == reads as =
        continue;
      case '!':
        if (!followed_by('=')) {
          error = {column, "'!' must be followed by '=' (the operator is !=)"};
          return false;
        }
        punct(Token::Kind::op, 2);
        continue;
      case '<':
      case '>':
        punct(Token::Kind::op, followed_by('=') ? 2 : 1);
        continue;
      case '"':
      case '\'': {
        std::string value;
        std::size_t cursor = at + 1;
        bool closed = false;
        while (cursor < text.size()) {
          if (text[cursor] == '\\' && cursor + 1 < text.size()) {
            value += text[cursor + 1];
            cursor += 2;
          } else if (text[cursor] == c) {
            closed = true;
            break;
          } else {
            value += text[cursor++];
          }
        }
        if (!closed) {
          error = {column, std::string("unterminated string: no closing ") + c};
          return false;
        }
        tokens.push_back({Token::Kind::string, std::move(value), column});
        at = cursor + 1;
        continue;
      }
      default:
        break;
    }
    if ((c == '-' || c == '~') && followed_by('>')) {
      punct(c == '-' ? Token::Kind::direct_arrow : Token::Kind::below_arrow, 2);
      continue;
    }
    if (c == '~') {
      error = {column, "'~' must be followed by '>' (the arrow ~> means somewhere below)"};
      return false;
    }
    std::size_t end = at + 1;
    while (end < text.size() && !ends_word(text, end)) ++end;
    tokens.push_back({Token::Kind::word, std::string(text.substr(at, end - at)), column});
    at = end;
  }
  tokens.push_back({Token::Kind::end, {}, text.size() + 1});
  return true;
}

Value make_value(const Token& token) {
  Value value;
  value.text = token.text;
  value.quoted = token.kind == Token::Kind::string;
  if (value.quoted) return value;
  const std::string& text = value.text;
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc() && end == text.data() + text.size() && std::isfinite(number)) {
    value.number = number;
  }
  if (auto duration = model::parse_duration(text)) {
    value.nanoseconds = static_cast<std::uint64_t>(duration->count());
  }
  if (text == "true") value.boolean = true;
  if (text == "false") value.boolean = false;
  return value;
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case Token::Kind::end:
      return "the end";
    case Token::Kind::string:
      return "\"" + token.text + "\"";
    default:
      return "'" + token.text + "'";
  }
}

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens, SyntaxError& error)
      : source_(source), tokens_(std::move(tokens)), error_(error) {}

  std::optional<Expectation> parse() {
    Expectation expectation;
    // As written, without the white space around it (a YAML block scalar
    // ends in a line break).
    std::string_view text = source_;
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    text = first == std::string_view::npos ? std::string_view() : text.substr(first);
    text = text.substr(0, text.find_last_not_of(" \t\r\n") + 1);
    expectation.text = std::string(text);
    const bool path = peek().kind == Token::Kind::open_paren ||
                      peek(1).kind == Token::Kind::direct_arrow ||
                      peek(1).kind == Token::Kind::below_arrow;
    if (peek().kind == Token::Kind::end) return fail(peek(), "an expectation is empty");
    if (path) {
      ServicePath parsed;
      if (!parse_path(parsed)) return std::nullopt;
      expectation.body = std::move(parsed);
    } else {
      Assertion parsed;
      if (!parse_assertion(parsed)) return std::nullopt;
      expectation.body = std::move(parsed);
    }
    if (peek().kind != Token::Kind::end) {
      return fail(peek(), "expected the end of the expectation, found " + describe(peek()));
    }
    return expectation;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    const std::size_t index = position_ + ahead;
    return index < tokens_.size() ? tokens_[index] : tokens_.back();
  }
  const Token& take() {
    const Token& token = peek();
    if (position_ + 1 < tokens_.size()) ++position_;
    return token;
  }
  std::nullopt_t fail(const Token& at, std::string message) {
    error_ = {at.column, std::move(message)};
    return std::nullopt;
  }
  bool failed(const Token& at, std::string message) {
    fail(at, std::move(message));
    return false;
  }
  bool is_word(std::string_view word, std::size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::word && peek(ahead).text == word;
  }
  bool is_name(const Token& token) const {
    return token.kind == Token::Kind::word || token.kind == Token::Kind::string;
  }

  bool parse_path(ServicePath& path) {
    if (!is_name(peek())) {
      return failed(peek(), "a path starts with a service name, found " + describe(peek()));
    }
    path.services.push_back(take().text);
    while (peek().kind != Token::Kind::end) {
      const Token& arrow = take();
      if (arrow.kind != Token::Kind::direct_arrow && arrow.kind != Token::Kind::below_arrow) {
        return failed(arrow, "expected -> or ~> between services, found " + describe(arrow));
      }
      ServicePath::Hop hop;
      hop.direct = arrow.kind == Token::Kind::direct_arrow;
      if (peek().kind == Token::Kind::open_paren) {
        const Token& open = take();
        if (!hop.direct) {
          return failed(open, "a transport hop is direct: write -> before (" + peek().text + ")");
        }
        if (!is_name(peek())) {
          return failed(peek(), "expected a transport name such as mqtt or http inside ( )");
        }
        hop.transport = take().text;
        if (peek().kind != Token::Kind::close_paren) {
          return failed(peek(), "expected ')' after the transport name, found " + describe(peek()));
        }
        take();
        const Token& second = take();
        if (second.kind != Token::Kind::direct_arrow) {
          return failed(second,
                        "expected -> after (" + hop.transport + "), found " + describe(second));
        }
      }
      if (!is_name(peek())) {
        return failed(peek(), "expected a service name after the arrow, found " + describe(peek()));
      }
      path.services.push_back(take().text);
      path.hops.push_back(std::move(hop));
    }
    if (path.hops.empty()) {
      return failed(peek(), "a path needs at least two services joined by -> or ~>");
    }
    return true;
  }

  bool parse_selector(SpanSelector& selector) {
    const Token& span = peek();
    if (!is_word("span")) {
      return failed(
          span, "expected span[...], trace duration or count(span[...]), found " + describe(span));
    }
    take();
    const std::size_t start = span.column;
    std::size_t finish = span.column + 4;
    if (peek().kind == Token::Kind::open_bracket) {
      const Token open = take();
      while (peek().kind != Token::Kind::close_bracket) {
        const Token& key = peek();
        if (key.kind == Token::Kind::end) {
          return failed(key, "expected ']' to close the selector opened at column " +
                                 std::to_string(open.column));
        }
        if (key.kind != Token::Kind::word) {
          return failed(key,
                        "expected a key (service, name, kind, status or an attribute) in "
                        "the selector, found " +
                            describe(key));
        }
        take();
        if (peek().kind != Token::Kind::op) {
          // A bare key: the span has this field.
          SpanSelector::Condition condition;
          condition.key = key.text;
          condition.presence = true;
          selector.conditions.push_back(std::move(condition));
          continue;
        }
        const Token& op = take();
        if (op.text != "=" && op.text != "==" && op.text != "!=") {
          return failed(op, "expected = or != after '" + key.text + "', found " + describe(op));
        }
        const Token& value = take();
        if (!is_name(value)) {
          return failed(value, "expected a value after '" + key.text + op.text + "', found " +
                                   describe(value));
        }
        SpanSelector::Condition condition{key.text, op.text == "!=", false, make_value(value)};
        if (!check_field_value(condition.key, condition.value, value)) return false;
        selector.conditions.push_back(std::move(condition));
      }
      finish = take().column + 1;
    }
    selector.text = std::string(source_.substr(start - 1, finish - start));
    return true;
  }

  // Span kinds and status codes have a fixed vocabulary: catch typos early.
  bool check_field_value(const std::string& key, const Value& value, const Token& at) {
    static const char* const kinds[] = {"server",   "client",   "producer",
                                        "consumer", "internal", "unspecified"};
    static const char* const statuses[] = {"unset", "ok", "error"};
    const auto known = [&](const auto& names) {
      for (const char* name : names) {
        if (value.text == name) return true;
      }
      return false;
    };
    if (key == "kind" && !known(kinds)) {
      return failed(at, "unknown span kind '" + value.text +
                            "' (expected server, client, producer, consumer, internal or "
                            "unspecified)");
    }
    if (key == "status" && !known(statuses)) {
      return failed(at, "unknown status '" + value.text + "' (expected unset, ok or error)");
    }
    return true;
  }

  bool parse_operator(Assertion& assertion, const std::string& subject) {
    const Token& op = take();
    if (op.kind == Token::Kind::op) {
      static const std::pair<const char*, Operator> operators[] = {
          {"=", Operator::eq},  {"==", Operator::eq}, {"!=", Operator::ne}, {"<", Operator::lt},
          {"<=", Operator::le}, {">", Operator::gt},  {">=", Operator::ge}};
      for (const auto& [text, value] : operators) {
        if (op.text == text) assertion.op = value;
      }
    } else if (op.kind == Token::Kind::word && op.text == "contains") {
      assertion.op = Operator::contains;
    } else if (op.kind == Token::Kind::word &&
               (op.text == "exists" || (op.text == "not" && is_word("exists")))) {
      if (op.text == "not") take();
      assertion.op = op.text == "not" ? Operator::not_exists : Operator::exists;
      const bool always_there =
          assertion.subject != Assertion::Subject::span_field || is_span_field(assertion.field);
      if (always_there) {
        return failed(op, subject + " is always there: exists checks an attribute");
      }
      return true;
    } else {
      return failed(op, "expected an operator (=, !=, <, <=, >, >=, contains, exists) after " +
                            subject + ", found " + describe(op));
    }
    const Token& value = take();
    if (!is_name(value)) {
      return failed(value, "expected a value after " + subject + " " + op.text + ", found " +
                               describe(value));
    }
    assertion.value = make_value(value);
    const bool ordering = assertion.op == Operator::lt || assertion.op == Operator::le ||
                          assertion.op == Operator::gt || assertion.op == Operator::ge;
    const bool timing =
        assertion.subject == Assertion::Subject::trace_duration ||
        (assertion.subject == Assertion::Subject::span_field && assertion.field == "duration");
    if (timing) {
      if (assertion.op == Operator::contains) {
        return failed(op, "a duration is compared with = != < <= > >=, not contains");
      }
      if (!assertion.value.nanoseconds) {
        return failed(
            value, "expected a duration with a unit (e.g. 250ms, 1.5s), found " + describe(value));
      }
    } else if (assertion.subject == Assertion::Subject::span_count) {
      if (assertion.op == Operator::contains) {
        return failed(op, "a count is compared with = != < <= > >=, not contains");
      }
      const double* count = assertion.value.number ? &*assertion.value.number : nullptr;
      if (count == nullptr || *count < 0 || *count > 1e15 || std::floor(*count) != *count) {
        return failed(value, "expected a whole number for the count, found " + describe(value));
      }
    } else if (ordering && is_span_field(assertion.field)) {
      return failed(op, "'" + op.text + "' compares numbers; " + assertion.field + " is text");
    } else if (ordering && !assertion.value.number) {
      return failed(value,
                    "'" + op.text + "' compares numbers; " + describe(value) + " is not a number");
    } else if (assertion.field == "kind" || assertion.field == "status") {
      if (!check_field_value(assertion.field, assertion.value, value)) return false;
    }
    return true;
  }

  bool parse_assertion(Assertion& assertion) {
    if (is_word("trace") && is_word("duration", 1)) {
      take();
      take();
      assertion.subject = Assertion::Subject::trace_duration;
      return parse_operator(assertion, "trace duration");
    }
    if (is_word("count") && peek(1).kind == Token::Kind::open_paren) {
      take();
      const Token open = take();
      assertion.subject = Assertion::Subject::span_count;
      if (!parse_selector(assertion.selector)) return false;
      if (peek().kind != Token::Kind::close_paren) {
        return failed(peek(), "expected ')' to close count( opened at column " +
                                  std::to_string(open.column) + ", found " + describe(peek()));
      }
      take();
      return parse_operator(assertion, "count(" + assertion.selector.text + ")");
    }
    assertion.subject = Assertion::Subject::span_field;
    if (!parse_selector(assertion.selector)) return false;
    const Token& field = peek();
    if (!is_name(field)) {
      return failed(field,
                    "expected a field (duration, name, kind, status, service or an "
                    "attribute key) after " +
                        assertion.selector.text + ", found " + describe(field));
    }
    assertion.field = take().text;
    return parse_operator(assertion, assertion.field);
  }

  std::string_view source_;
  std::vector<Token> tokens_;
  std::size_t position_ = 0;
  SyntaxError& error_;
};

}  // namespace

const char* to_string(Operator op) noexcept {
  switch (op) {
    case Operator::eq:
      return "=";
    case Operator::ne:
      return "!=";
    case Operator::lt:
      return "<";
    case Operator::le:
      return "<=";
    case Operator::gt:
      return ">";
    case Operator::ge:
      return ">=";
    case Operator::contains:
      return "contains";
    case Operator::exists:
      return "exists";
    case Operator::not_exists:
      return "not exists";
  }
  return "?";
}

std::optional<Expectation> parse_expectation(std::string_view text, SyntaxError& error) {
  std::vector<Token> tokens;
  if (!tokenize(text, tokens, error)) return std::nullopt;
  return Parser(text, std::move(tokens), error).parse();
}

}  // namespace tracemesh::verify
