// Carriers: the header maps that propagators read from and write to.
//
// A propagator sees a carrier only through these two small interfaces, so any
// header container works: implement them over your HTTP library's headers,
// or use the adapters below for standard maps and vectors of pairs. Header
// names are compared ASCII case-insensitively, as HTTP requires.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace tracemesh {

// Return whether two header names are equal ignoring ASCII case.
bool header_name_equals(std::string_view a, std::string_view b) noexcept;

// Read access to a header map.
class CarrierReader {
 public:
  virtual ~CarrierReader() = default;
  // Return the value of the first header named `name`, or nullopt.
  virtual std::optional<std::string_view> get(std::string_view name) const = 0;
  // Return how many headers are named `name`, storing up to values.size() of
  // them in `values`. The default reports at most the one that get() finds;
  // containers that can hold repeated headers should override it.
  virtual std::size_t get_all(std::string_view name, std::span<std::string_view> values) const;
};

// Write access to a header map.
class CarrierWriter {
 public:
  virtual ~CarrierWriter() = default;
  // Set header `name` to `value`, replacing any header of that name.
  virtual void set(std::string_view name, std::string_view value) = 0;
};

// Reads any range of (name, value) pairs: std::map, std::unordered_map,
// std::multimap, a case-insensitive map, or a vector of pairs. Lookups scan
// the range comparing names case-insensitively; header maps are small, so
// this beats building a lowercased copy. The reader refers to the range, so
// it cannot be built from a temporary (that would dangle).
template <typename Range>
class PairRangeReader : public CarrierReader {
 public:
  explicit PairRangeReader(const Range& headers) : headers_(headers) {}
  explicit PairRangeReader(const Range&& headers) = delete;

  std::optional<std::string_view> get(std::string_view name) const override {
    for (const auto& [key, value] : headers_) {
      if (header_name_equals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
  }
  std::size_t get_all(std::string_view name, std::span<std::string_view> values) const override {
    std::size_t count = 0;
    for (const auto& [key, value] : headers_) {
      if (!header_name_equals(key, name)) continue;
      if (count < values.size()) values[count] = value;
      ++count;
    }
    return count;
  }

 private:
  const Range& headers_;
};

// A reader over a map (any associative container of string names and values).
template <typename Map>
class MapReader final : public PairRangeReader<Map> {
 public:
  using PairRangeReader<Map>::PairRangeReader;
};
template <typename Map>
MapReader(const Map&) -> MapReader<Map>;

// A reader over a sequence of pairs such as std::vector<std::pair<std::string, std::string>>.
template <typename Sequence>
class SequenceReader final : public PairRangeReader<Sequence> {
 public:
  using PairRangeReader<Sequence>::PairRangeReader;
};
template <typename Sequence>
SequenceReader(const Sequence&) -> SequenceReader<Sequence>;

// Adapts a mutable map-like container: set() erases every header of that name
// (any case) and inserts the new one.
template <typename Map>
class MapWriter final : public CarrierWriter {
 public:
  explicit MapWriter(Map& map) : map_(map) {}
  void set(std::string_view name, std::string_view value) override {
    for (auto it = map_.begin(); it != map_.end();) {
      it = header_name_equals(it->first, name) ? map_.erase(it) : std::next(it);
    }
    map_.emplace(std::string(name), std::string(value));
  }

 private:
  Map& map_;
};

// Adapts a mutable sequence of (name, value) pairs: set() replaces the first
// header of that name in place, drops any others, or appends.
template <typename Sequence>
class SequenceWriter final : public CarrierWriter {
 public:
  explicit SequenceWriter(Sequence& headers) : headers_(headers) {}
  void set(std::string_view name, std::string_view value) override {
    bool replaced = false;
    for (auto it = headers_.begin(); it != headers_.end();) {
      if (!header_name_equals(it->first, name)) {
        ++it;
      } else if (!replaced) {
        it->second.assign(value);
        replaced = true;
        ++it;
      } else {
        it = headers_.erase(it);
      }
    }
    if (!replaced) headers_.emplace_back(std::string(name), std::string(value));
  }

 private:
  Sequence& headers_;
};

}  // namespace tracemesh
