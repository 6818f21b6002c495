#include "report/json_writer.h"

#include <cassert>
#include <cmath>

#include "model/json_text.h"

namespace tracemesh::report {

void JsonWriter::indent() {
  if (layout_ == Layout::compact) return;
  out_ += '\n';
  out_.append(2 * levels_.size(), ' ');
}

// The comma after the previous member or element, and the next line.
void JsonWriter::separate() {
  if (levels_.empty()) return;
  if (!levels_.back().empty) out_ += ',';
  levels_.back().empty = false;
  indent();
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  assert(levels_.empty() || !levels_.back().object);  // a value in an object follows its key
  separate();
}

JsonWriter& JsonWriter::key(std::string_view name) {
  assert(!levels_.empty() && levels_.back().object && !after_key_);
  separate();
  model::append_json_string(out_, name);
  out_ += layout_ == Layout::compact ? ":" : ": ";
  after_key_ = true;
  return *this;
}

void JsonWriter::open(char bracket) {
  before_value();
  out_ += bracket;
  levels_.push_back({bracket == '{'});
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

void JsonWriter::close(char bracket) {
  assert(!levels_.empty() && levels_.back().object == (bracket == '}') && !after_key_);
  const bool empty = levels_.empty() || levels_.back().empty;
  if (!levels_.empty()) levels_.pop_back();
  if (!empty) indent();
  out_ += bracket;
}

JsonWriter& JsonWriter::end_object() {
  close('}');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  model::append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::text_or_null(std::string_view text) {
  return text.empty() ? null() : value(text);
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  before_value();
  model::append_json_number(out_, number);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t number) {
  before_value();
  model::append_json_number(out_, number);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  before_value();
  const std::size_t start = out_.size();
  model::append_json_number(out_, number);
  // A whole number still reads as a floating-point one: 80.0, not 80.
  if (out_.find_first_of(".e", start) == std::string::npos) out_ += ".0";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

std::string JsonWriter::take() {
  assert(levels_.empty() && !after_key_);
  std::string document = std::move(out_);
  if (layout_ == Layout::indented) document += '\n';
  out_.clear();
  levels_.clear();
  after_key_ = false;
  return document;
}

}  // namespace tracemesh::report
