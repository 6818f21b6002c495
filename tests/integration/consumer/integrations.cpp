// Uses one entry point of each installed integration; prints the header
// lines inject_headers adds for a fixed context.
#include <tracemesh/beast_middleware.h>
#include <tracemesh/curl_client.h>
#include <tracemesh/httplib_middleware.h>
#include <tracemesh/mosquitto.h>
#include <tracemesh/otlp_exporter.h>
#include <tracemesh/spdlog.h>

#include <iostream>
#include <map>

int main() {
  const std::map<std::string, std::string> inbound{
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  auto propagator = tracemesh::make_propagator("tracecontext");
  if (!propagator) return 2;
  auto context = (*propagator)->extract(tracemesh::MapReader(inbound), {});
  if (!context) return 3;
  curl_slist* headers = tracemesh::inject_headers(nullptr, **propagator, *context);
  for (const curl_slist* line = headers; line != nullptr; line = line->next)
    std::cout << line->data << '\n';
  curl_slist_free_all(headers);
  auto formatter = tracemesh::make_pattern_formatter("%Q %v");
  const tracemesh::ExporterFactory factory = tracemesh::exporter_factory();
  return formatter && factory ? 0 : 4;
}
