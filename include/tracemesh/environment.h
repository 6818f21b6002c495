// The process environment as the configuration step reads it, and the table
// of every environment variable the SDK understands.
//
// Reading goes through the Environment interface so tests (and hosts with
// their own configuration sources) can supply values without setenv().
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tracemesh {

class Environment {
 public:
  virtual ~Environment() = default;
  // Return the value of variable `name`, or nullopt when it is unset.
  virtual std::optional<std::string> get(std::string_view name) const = 0;
};

// Return the real process environment (getenv).
const Environment& process_environment();

// An environment backed by a map, for tests and embedding.
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> values)
      : values_(std::move(values)) {}
  std::optional<std::string> get(std::string_view name) const override;
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// One environment variable the SDK reads.
struct EnvironmentVariable {
  std::string_view name;
  std::string_view default_value;
  std::string_view description;
};

// Return every environment variable the SDK reads (the source of docs/environment.md).
std::span<const EnvironmentVariable> environment_variables() noexcept;

}  // namespace tracemesh
