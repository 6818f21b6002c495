#include <mutex>

#include "sdk/code_attributes.h"
#include "sdk/integrations/curl/curl_easy.h"
#include "sdk/integrations/curl/url_parts.h"
#include "tracemesh/curl_client.h"
#include "tracemesh/current_context.h"

namespace tracemesh {
namespace {

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The method a redirect hop uses, as browsers and curl do: 303 turns
// everything but HEAD into GET; 301/302 turn POST into GET; 307/308 keep it.
std::string redirected_method(long status, const std::string& method) {
  if (status == 303 && method != "HEAD") return "GET";
  if ((status == 301 || status == 302) && method == "POST") return "GET";
  return method;
}

// Return the curl failure as a short, low-cardinality error.type.
std::string curl_error_type(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_COULDNT_CONNECT:
      return "connection_refused";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "name_resolution";
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "invalid_url";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return "connection_reset";
    default:
      return "_OTHER";
  }
}

// Return the list for CURLOPT_HTTPHEADER, or null on allocation failure.
bool build_header_list(const HttpHeaders& headers, detail::CurlHeaderList& list) {
  for (const auto& [name, value] : headers) {
    if (!detail::append_header(list, name, value)) return false;
  }
  // No "Expect: 100-continue" round trip for request bodies.
  return detail::append_header(list, "Expect", "");
}

// Set the method and body, overriding whatever an earlier request on this
// handle set (handles are reused without curl_easy_reset, which would cost
// more than the request's tracing). HTTPGET drops an earlier body.
void set_method(CURL* curl, const HttpRequest& request) {
  const bool head = request.method == "HEAD";
  const bool has_body = !head && (!request.body.empty() || request.method == "POST" ||
                                  request.method == "PUT" || request.method == "PATCH");
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (head) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  }
  const bool standard = head || request.method == "GET" || (has_body && request.method == "POST");
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, standard ? nullptr : request.method.c_str());
}

}  // namespace

struct HttpClient::State {
  State(Tracer tracer_in, HttpClientOptions options_in)
      : tracer(std::move(tracer_in)), options(std::move(options_in)) {}

  Tracer tracer;
  HttpClientOptions options;
  std::mutex mutex;
  std::vector<detail::CurlHandle> idle;  // handles keep their connections between requests

  detail::CurlHandle acquire() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        detail::CurlHandle handle = std::move(idle.back());
        idle.pop_back();
        return handle;
      }
    }
    detail::CurlHandle handle = detail::make_curl_handle();
    if (handle) {  // the options every hop shares
      CURL* curl = handle.get();
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
      curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options.connect_timeout.count()));
    }
    return handle;
  }
  void release(detail::CurlHandle handle) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(handle));
  }

  // Send one hop in its own CLIENT span under `parent`.
  Expected<HttpResponse> send_hop(CURL* curl, const HttpRequest& request, const Context& parent,
                                  int resend_count, CodeLocation where,
                                  std::string& redirect_url) const {
    SpanOptions span_options;
    span_options.kind = SpanKind::client;
    span_options.parent = parent;
    Span span = tracer.start_span(request.method, span_options);
    if (span.is_recording()) {
      detail::UrlParts parts = detail::url_parts(request.url);
      span.set_attribute("http.request.method", request.method)
          .set_attribute("url.full", std::move(parts.full))
          .set_attribute("server.address", std::move(parts.host))
          .set_attribute("server.port", parts.port);
      if (resend_count > 0) span.set_attribute("http.request.resend_count", resend_count);
      detail::set_code_location(span, where);
    }

    HttpHeaders headers = request.headers;
    SequenceWriter writer(headers);
    tracer.propagator().inject(parent.with_span_context(span.context()), writer);
    detail::CurlHeaderList list;
    if (!build_header_list(headers, list)) throw std::bad_alloc();

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.get());
    set_method(curl, request);
    if (options.configure_handle) options.configure_handle(curl);
    detail::CurlResponse collected;
    collected.body_limit = options.max_response_bytes;
    detail::collect_response(curl, collected);

    const CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
      span.set_attribute("error.type", curl_error_type(code));
      span.set_status(StatusCode::error, curl_easy_strerror(code));
      return Error{ErrorCode::transport_error,
                   request.method + " " + request.url + ": " + curl_easy_strerror(code)};
    }
    HttpResponse response;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    span.set_attribute("http.response.status_code", response.status);
    if (response.status >= 400) {
      span.set_attribute("error.type", std::to_string(response.status));
      span.set_status(StatusCode::error);
    }
    if (collected.body_truncated) {
      span.set_attribute("error.type", "response_too_large");
      span.set_status(StatusCode::error, "response body over the client's limit");
      return Error{ErrorCode::transport_error,
                   request.method + " " + request.url + ": response body exceeds " +
                       std::to_string(options.max_response_bytes) + " bytes"};
    }
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    redirect_url = location != nullptr ? location : "";
    response.headers = std::move(collected.headers);
    response.body = std::move(collected.body);
    response.url = request.url;
    return response;
  }

  Expected<HttpResponse> send(const HttpRequest& original, CodeLocation where) {
    const Context parent = current_context();
    detail::CurlHandle handle = acquire();
    if (!handle) return Error{ErrorCode::transport_error, "libcurl could not create a handle"};
    HttpRequest request = original;
    for (int redirects = 0;; ++redirects) {
      std::string redirect_url;
      auto response = send_hop(handle.get(), request, parent, redirects, where, redirect_url);
      if (!response) return response;  // the handle may be in a bad state: drop it
      response->redirects = redirects;
      if (!is_redirect(response->status) || redirect_url.empty() || options.max_redirects == 0) {
        release(std::move(handle));
        return response;
      }
      if (redirects >= options.max_redirects) {
        release(std::move(handle));
        return Error{ErrorCode::transport_error,
                     original.method + " " + original.url + ": more than " +
                         std::to_string(options.max_redirects) + " redirects"};
      }
      const std::string method = redirected_method(response->status, request.method);
      if (method != request.method) request.body.clear();
      request.method = method;
      request.url = std::move(redirect_url);
    }
  }
};

HttpClient::HttpClient(Tracer tracer, HttpClientOptions options)
    : state_(std::make_shared<State>(std::move(tracer), std::move(options))) {
  detail::ensure_curl_initialized();
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Expected<HttpResponse> HttpClient::send(const HttpRequest& request, CodeLocation where) const {
  try {
    return state_->send(request, where);
  } catch (const std::exception& error) {
    return Error{ErrorCode::transport_error,
                 request.method + " " + request.url + ": " + error.what()};
  }
}

Expected<HttpResponse> HttpClient::get(std::string url, HttpHeaders headers,
                                       CodeLocation where) const {
  HttpRequest request;
  request.url = std::move(url);
  request.headers = std::move(headers);
  return send(request, where);
}

Expected<HttpResponse> HttpClient::post(std::string url, std::string body, std::string content_type,
                                        HttpHeaders headers, CodeLocation where) const {
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.body = std::move(body);
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", std::move(content_type));
  return send(request, where);
}

}  // namespace tracemesh
