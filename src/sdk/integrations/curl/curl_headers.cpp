// inject_headers: propagation for code that keeps its own curl handles.
#include "sdk/integrations/curl/curl_easy.h"
#include "tracemesh/curl_client.h"
#include "tracemesh/current_context.h"

namespace tracemesh {
namespace {

// Return the header name of a CURLOPT_HTTPHEADER line ("Name: value",
// "Name;" for an empty value, "Name:" to remove a header).
std::string_view line_name(std::string_view line) {
  const auto end = line.find_first_of(":;");
  return end == std::string_view::npos ? line : line.substr(0, end);
}

bool injected(const HttpHeaders& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (header_name_equals(header.first, name)) return true;
  }
  return false;
}

}  // namespace

curl_slist* inject_headers(curl_slist* headers, const Propagator& propagator,
                           const Context& context) noexcept {
  try {
    HttpHeaders propagation;
    SequenceWriter writer(propagation);
    propagator.inject(context, writer);
    if (propagation.empty()) return headers;
    detail::CurlHeaderList list;
    for (const curl_slist* line = headers; line != nullptr; line = line->next) {
      if (line->data == nullptr || injected(propagation, line_name(line->data))) continue;
      curl_slist* extended = curl_slist_append(list.get(), line->data);
      if (extended == nullptr) return headers;
      (void)list.release();
      list.reset(extended);
    }
    for (const auto& [name, value] : propagation) {
      if (!detail::append_header(list, name, value)) return headers;
    }
    curl_slist_free_all(headers);
    return list.release();
  } catch (...) {
    return headers;
  }
}

curl_slist* inject_headers(curl_slist* headers, const Propagator& propagator) noexcept {
  try {
    return inject_headers(headers, propagator, current_context());
  } catch (...) {
    return headers;
  }
}

}  // namespace tracemesh
