// Continue a trace from an inbound traceparent and print what goes downstream.
#include <tracemesh/tracemesh.h>

#include <iostream>
#include <map>
#include <string>

int main() {
  const std::map<std::string, std::string> inbound{
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  auto propagator = tracemesh::make_propagator("tracecontext");
  if (!propagator) return 2;
  auto context = (*propagator)->extract(tracemesh::MapReader(inbound), {});
  if (!context) return 3;
  std::map<std::string, std::string> outbound;
  tracemesh::MapWriter writer(outbound);
  (*propagator)->inject(*context, writer);
  std::cout << outbound["traceparent"] << '\n';
  return 0;
}
