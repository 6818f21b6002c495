#include "tracemesh/resource.h"

#include "sdk/list_members.h"
#include "sdk/percent_encoding.h"

namespace tracemesh {

std::string_view Resource::service_name() const noexcept {
  const auto* value = find_attribute(attributes_, "service.name");
  if (value == nullptr) return {};
  const auto* text = value->get_if<std::string>();
  return text != nullptr ? std::string_view(*text) : std::string_view{};
}

Expected<Attributes> parse_resource_attributes(std::string_view text) {
  Attributes attributes;
  detail::ListMembers list(text);
  std::string_view member;
  while (list.next(member)) {
    if (member.empty()) continue;
    const auto equals = member.find('=');
    if (equals == std::string_view::npos) {
      return Error{ErrorCode::invalid_config,
                   "OTEL_RESOURCE_ATTRIBUTES: member '" + std::string(member) + "' has no '='"};
    }
    const auto key = detail::trim_ows(member.substr(0, equals));
    const auto encoded = detail::trim_ows(member.substr(equals + 1));
    if (key.empty()) {
      return Error{ErrorCode::invalid_config, "OTEL_RESOURCE_ATTRIBUTES: member '" +
                                                  std::string(member) + "' has an empty key"};
    }
    std::string value = detail::percent_decode(encoded);
    set_attribute(attributes, key, std::move(value));
  }
  return attributes;
}

}  // namespace tracemesh
