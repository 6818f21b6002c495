#include "audit/rules/messaging.h"

#include <algorithm>
#include <map>

#include "audit/index/bindings.h"
#include "audit/index/dotted.h"
#include "model/ascii.h"

namespace tracemesh::audit {
namespace {

bool is_mqtt_client(const std::string& name) {
  return name == "paho.mqtt.client.Client" || name == "aiomqtt.Client" ||
         name == "asyncio_mqtt.Client" || name == "aiomqtt.client.Client";
}

// The string literals in a piece of source text.
std::vector<std::string> literals(std::string_view text) {
  std::vector<std::string> found;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char quote = text[at];
    if (quote != '"' && quote != '\'') continue;
    const std::size_t end = text.find(quote, at + 1);
    if (end == std::string_view::npos) break;
    found.emplace_back(text.substr(at + 1, end - at - 1));
    at = end;
  }
  return found;
}

class Finder {
 public:
  explicit Finder(const Fleet& fleet) : fleet_(fleet), index_(fleet.index()) {}

  std::vector<MessagingSite> run() const {
    std::vector<MessagingSite> sites;
    for (const PythonModule& module : fleet_.repository().modules) {
      if (is_test_file(module.path)) continue;
      const ModuleView& view = index_.view(module.path);
      std::map<std::string, bool> clients;
      for (const Call& call : module.calls) {
        if (!call.assigned_to.empty() && is_mqtt_client(index_.canonical(view, call.callee)))
          clients[binding_key(call)] = true;
      }
      for (const Call& call : module.calls) {
        MessagingSite site;
        if (!classify(view, call, clients, site)) continue;
        for (const std::string& service : fleet_.services_of(module.path)) {
          MessagingSite attributed = site;
          attributed.service = service;
          attributed.reachable = fleet_.served(service).contains(module.path);
          const auto function = view.functions.find(call.function);
          if (const auto topic = fleet_.values().resolve(
                  view, function == view.functions.end() ? nullptr : function->second, site.topic,
                  service)) {
            attributed.topic = *topic;
          }
          sites.push_back(std::move(attributed));
        }
      }
    }
    std::sort(sites.begin(), sites.end(), [](const MessagingSite& a, const MessagingSite& b) {
      return std::tie(a.service, a.file, a.line) < std::tie(b.service, b.file, b.line);
    });
    return sites;
  }

 private:
  bool classify(const ModuleView& view, const Call& call,
                const std::map<std::string, bool>& clients, MessagingSite& site) const {
    const std::string name = index_.canonical(view, call.callee);
    const std::string receiver = before_last(call.callee);
    const std::string verb = receiver.empty() ? std::string() : after_last(call.callee);
    const bool single = name == "paho.mqtt.publish.single" || name == "paho.mqtt.publish.multiple";
    if (!single) {
      if (verb != "publish" && verb != "subscribe") return false;
      const auto function = view.functions.find(call.function);
      if (find_binding(clients, call.function,
                       function == view.functions.end() ? nullptr : function->second,
                       receiver) == nullptr) {
        return false;  // not on an MQTT client
      }
    }
    site.file = view.module->path;
    site.line = call.line;
    site.role = verb == "subscribe" ? "subscriber" : "publisher";
    site.topic = !call.arguments.empty() ? call.arguments[0] : keyword(call, "topic");
    if (site.role == "publisher") {
      std::string payload =
          call.arguments.size() > 1 ? call.arguments[1] : keyword(call, "payload");
      if (name == "paho.mqtt.publish.multiple") payload = site.topic;  // [(topic, payload)...]
      site.how = publisher_evidence(view, call, payload);
    } else {
      site.how = subscriber_evidence(view, call);
    }
    site.trace_id_in_payload = !site.how.empty();
    if (site.how.empty()) {
      site.how = site.role == "publisher" ? "no trace id in the payload or user properties"
                                          : "the module reads no trace id from messages";
    }
    return true;
  }

  static std::string keyword(const Call& call, std::string_view name) {
    for (const Keyword& keyword : call.keywords) {
      if (keyword.name == name) return keyword.value;
    }
    return {};
  }

  // A trace field among the strings of `text`, of the helpers it calls, and
  // of the enclosing function when it passes a local built there.
  std::string publisher_evidence(const ModuleView& view, const Call& call,
                                 const std::string& payload) const {
    const auto in_text = [&](const std::string& text, const std::string& where) -> std::string {
      for (const std::string& literal : literals(text)) {
        if (is_trace_field(literal, index_.headers())) return where + literal;
      }
      for (const auto& [identifier, called] : identifiers(text)) {
        if (const auto value = index_.constant_named(view, identifier);
            value && is_trace_field(*value, index_.headers()))
          return where + *value + " (" + identifier + ")";
        const Function* scope = nullptr;
        if (called) {
          if (const auto helper = index_.function_named(view, identifier)) scope = helper->second;
        } else if (const auto local = view.functions.find(call.function);
                   local != view.functions.end() && local->second->locals.contains(identifier)) {
          scope = local->second;
        }
        if (scope == nullptr) continue;
        for (const std::string& literal : scope->strings) {
          if (is_trace_field(literal, index_.headers()))
            return where + literal + " (built in " + scope->qualified + ")";
        }
      }
      return {};
    };
    if (std::string found = in_text(payload, "payload field "); !found.empty()) return found;
    return in_text(keyword(call, "properties"), "user property ");
  }

  // A trace field read in the subscribing function, else in a message
  // callback of its module (a function taking the message: on_message(client,
  // userdata, msg), handle(message)).
  std::string subscriber_evidence(const ModuleView& view, const Call& call) const {
    std::vector<const Function*> functions;
    if (const auto own = view.functions.find(call.function); own != view.functions.end())
      functions.push_back(own->second);
    for (const Function& function : view.module->functions) {
      const auto& parameters = function.parameters;
      if (std::any_of(parameters.begin(), parameters.end(), [](const std::string& parameter) {
            return parameter == "msg" || parameter == "message" || parameter == "payload";
          })) {
        functions.push_back(&function);
      }
    }
    for (const Function* function : functions) {
      for (const std::string& literal : function->strings) {
        if (is_trace_field(literal, index_.headers()))
          return "reads " + literal + " in " + function->qualified;
      }
    }
    return {};
  }

  const Fleet& fleet_;
  const CodeIndex& index_;
};

}  // namespace

bool is_trace_field(std::string_view name, const TraceHeaders& headers) {
  if (headers.contains(name)) return true;
  std::string folded;
  for (const char c : name) {
    if (c != '_' && c != '-' && c != '.') folded += model::ascii_lower(c);
  }
  static const char* const fields[] = {"traceid",        "traceparent", "xtraceid", "correlationid",
                                       "xcorrelationid", "requestid",   "b3",       "tracecontext"};
  return std::any_of(std::begin(fields), std::end(fields),
                     [&](const char* field) { return folded == field; });
}

std::vector<MessagingSite> find_messaging(const Fleet& fleet) {
  return Finder(fleet).run();
}

bool topic_matches(std::string_view filter, std::string_view topic) {
  while (true) {
    const std::size_t filter_end = filter.find('/');
    const std::size_t topic_end = topic.find('/');
    const std::string_view level = filter.substr(0, filter_end);
    if (level == "#") return true;
    // "a/#" also matches "a" itself.
    if (topic_end == std::string_view::npos && filter_end != std::string_view::npos &&
        filter.substr(filter_end + 1) == "#" &&
        (level == "+" || level == topic || topic.find('{') != std::string_view::npos)) {
      return true;
    }
    if (level.find('{') == std::string_view::npos && level != "+" &&
        level != topic.substr(0, topic_end) &&
        topic.substr(0, topic_end).find('{') == std::string_view::npos) {
      return false;
    }
    if (filter_end == std::string_view::npos || topic_end == std::string_view::npos)
      return filter_end == topic_end;
    filter = filter.substr(filter_end + 1);
    topic = topic.substr(topic_end + 1);
  }
}

}  // namespace tracemesh::audit
