#include "audit/rules/routes.h"

#include "audit/index/dotted.h"
#include "audit/python/source_text.h"
#include "audit/rules/route_paths.h"
#include "model/ascii.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace tracemesh::audit {
namespace {

constexpr int max_mount_depth = 8;

const std::set<std::string, std::less<>> http_verbs = {"get",    "post", "put",     "patch",
                                                       "delete", "head", "options", "trace"};

// Something routes hang on: an app, a router/blueprint, a route table.
struct Owner {
  std::string kind;  // "app", "router", "table"
  std::string prefix;
};

struct Mount {
  std::string parent;  // owner key "file:name"
  std::string prefix;
  bool replaces = false;  // Flask: a registration's url_prefix replaces the blueprint's own
};

struct Declared {
  std::string owner;  // owner key; "" when the module's app (aiohttp web.get in add_routes)
  std::string file;
  int line = 0;
  std::string method;
  std::string path;
  std::string handler;
};

class Finder {
 public:
  explicit Finder(const Fleet& fleet) : fleet_(fleet), index_(fleet.index()) {}

  std::vector<Route> run() {
    for (const PythonModule& module : fleet_.repository().modules) {
      if (is_test_file(module.path) || fleet_.services_of(module.path).empty()) continue;
      find_owners(index_.view(module.path));
    }
    for (const PythonModule& module : fleet_.repository().modules) {
      if (is_test_file(module.path) || fleet_.services_of(module.path).empty()) continue;
      const ModuleView& view = index_.view(module.path);
      find_mounts(view);
      find_decorated(view);
      find_registered(view);
    }
    std::vector<Route> routes;
    for (const Declared& declared : declared_) {
      for (const std::string& service : fleet_.services_of(declared.file)) {
        const bool file_served = fleet_.served(service).contains(declared.file);
        const auto paths = owner_paths(declared.owner, 0);
        for (const auto& [prefix, mounted] : paths) {
          Route route;
          route.service = service;
          route.file = declared.file;
          route.line = declared.line;
          route.method = declared.method;
          route.path = join_paths(prefix, declared.path);
          // Django's URLconf paths are relative ("orders/<int:id>/").
          if (declared.owner.ends_with(":urlpatterns") && !route.path.empty() &&
              route.path.front() != '/')
            route.path.insert(0, "/");
          if (route.path.empty()) route.path = "/";
          route.handler = declared.handler;
          route.served = file_served && mounted;
          routes.push_back(std::move(route));
        }
      }
    }
    std::sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
      return std::tie(a.service, a.file, a.line, a.method, a.path) <
             std::tie(b.service, b.file, b.line, b.method, b.path);
    });
    routes.erase(std::unique(routes.begin(), routes.end(),
                             [](const Route& a, const Route& b) {
                               return std::tie(a.service, a.file, a.line, a.method, a.path) ==
                                      std::tie(b.service, b.file, b.line, b.method, b.path);
                             }),
                 routes.end());
    return routes;
  }

 private:
  std::string text_value(const ModuleView& view, const std::string& function,
                         const std::string& expression) const {
    const auto found = view.functions.find(function);
    const auto resolved =
        fleet_.values().resolve(view, found == view.functions.end() ? nullptr : found->second,
                                expression, fleet_.services_of(view.module->path).front());
    return resolved ? *resolved : "{" + expression + "}";  // unknown: matches any segment
  }

  static std::string keyword(const std::vector<Keyword>& keywords, std::string_view name) {
    for (const Keyword& keyword : keywords) {
      if (keyword.name == name) return keyword.value;
    }
    return {};
  }

  // Django: each URLconf's urlpatterns is a router; the settings' ROOT_URLCONF is the app.
  void find_django_owners(const ModuleView& view) {
    const PythonModule& module = *view.module;
    if (module.assignments.contains("urlpatterns") &&
        !owners_.contains(module.path + ":urlpatterns"))
      owners_[module.path + ":urlpatterns"] = Owner{"router", {}};
    const auto root = module.constants.find("ROOT_URLCONF");
    if (root == module.constants.end()) return;
    const std::string file = url_module(view, root->second);
    if (!file.empty()) owners_[file + ":urlpatterns"] = Owner{"app", {}};
  }

  // The file of the URLconf module named by dotted `name` from `view`; "" when not found.
  std::string url_module(const ModuleView& view, const std::string& name) const {
    return index_.resolver().resolve(view.module->path, Import{name, {}, {}, 0});
  }

  void find_owners(const ModuleView& view) {
    find_django_owners(view);
    for (const Call& call : view.module->calls) {
      if (call.assigned_to.empty() || call.assigned_to.find('.') != std::string::npos) continue;
      const std::string name = index_.canonical(view, call.callee);
      Owner owner;
      if (!app_framework(name).empty()) {
        owner.kind = "app";
      } else if (name == "fastapi.APIRouter" || name == "fastapi.routing.APIRouter" ||
                 name == "starlette.routing.Router") {
        owner.kind = "router";
        owner.prefix = keyword(call.keywords, "prefix");
      } else if (name == "flask.Blueprint" || name == "quart.Blueprint") {
        owner.kind = "router";
        owner.prefix = keyword(call.keywords, "url_prefix");
      } else if (name == "aiohttp.web.RouteTableDef") {
        owner.kind = "table";
      } else if (is_rest_api(name)) {
        owner.kind = "router";
        owner.prefix = keyword(call.keywords, "prefix");
      } else if (name == "flask_restplus.Namespace" || name == "flask_restx.Namespace") {
        // A namespace's path is "/" + its name unless given.
        owner.kind = "router";
        owner.prefix = keyword(call.keywords, "path");
        if (owner.prefix.empty() && !call.arguments.empty()) {
          if (const auto literal = string_literal(call.arguments[0]))
            owner.prefix = "\"/" + literal->content + "\"";
        }
      } else {
        continue;
      }
      if (!owner.prefix.empty()) owner.prefix = text_value(view, call.function, owner.prefix);
      const std::string key = view.module->path + ":" + call.assigned_to;
      if (owner.kind == "app") apps_[view.module->path] = key;
      owners_[key] = owner;
    }
  }

  // The owner key an expression names in `view`: local, or imported.
  std::string owner_key(const ModuleView& view, const std::string& expression) const {
    std::string local = view.module->path + ":" + expression;
    if (owners_.contains(local)) return local;
    if (const auto target = index_.imported(view, expression)) {
      std::string key = target->first->module->path + ":" + target->second;
      if (owners_.contains(key)) return key;
    }
    return {};
  }

  void find_mounts(const ModuleView& view) {
    for (const Call& call : view.module->calls) {
      const std::string name = index_.canonical(view, call.callee);
      if (after_last(call.callee) == "init_app" && !call.arguments.empty()) {
        // Api() then api.init_app(app) in an app factory.
        const std::string child = owner_key(view, before_last(call.callee));
        const std::string parent = owner_key(view, call.arguments[0]);
        if (!child.empty() && !parent.empty() && owners_.at(child).kind == "router")
          mounts_[child].push_back({parent, {}, false});
        continue;
      }
      if (is_rest_api(name) && !call.arguments.empty() && !call.assigned_to.empty()) {
        // Api(app) or Api(blueprint): the API's resources hang on it.
        const std::string parent = owner_key(view, call.arguments[0]);
        const std::string child = owner_key(view, call.assigned_to);
        if (!parent.empty() && !child.empty()) mounts_[child].push_back({parent, {}, false});
        continue;
      }
      if (is_django_path(name) && call.arguments.size() >= 2 &&
          call.arguments[1].rfind("include(", 0) == 0 && owners_.contains(django_owner(view))) {
        const CallText include = split_call(call.arguments[1]);
        const auto literal =
            include.arguments.empty() ? std::nullopt : string_literal(include.arguments[0]);
        const std::string file = literal ? url_module(view, literal->content) : std::string();
        if (!file.empty() && owners_.contains(file + ":urlpatterns")) {
          mounts_[file + ":urlpatterns"].push_back(
              {django_owner(view), text_value(view, call.function, call.arguments[0]), false});
        }
        continue;
      }
      const std::string method = after_last(call.callee);
      if (method == "add_namespace" && !call.arguments.empty()) {
        const std::string parent = owner_key(view, before_last(call.callee));
        const std::string child = owner_key(view, call.arguments[0]);
        std::string prefix = keyword(call.keywords, "path");
        if (prefix.empty() && call.arguments.size() >= 2) prefix = call.arguments[1];
        if (parent.empty() || child.empty()) continue;
        if (!prefix.empty()) prefix = text_value(view, call.function, prefix);
        mounts_[child].push_back({parent, prefix, !prefix.empty()});
        continue;
      }
      if (method != "include_router" && method != "register_blueprint" && method != "add_subapp" &&
          method != "add_routes" && method != "mount") {
        continue;
      }
      const std::string parent = owner_key(view, before_last(call.callee));
      if (parent.empty()) continue;
      std::string child;
      std::string prefix;
      if ((method == "include_router" || method == "register_blueprint") &&
          !call.arguments.empty()) {
        child = owner_key(view, call.arguments[0]);
        prefix = keyword(call.keywords, method == "include_router" ? "prefix" : "url_prefix");
      } else if ((method == "add_subapp" || method == "mount") && call.arguments.size() >= 2) {
        // aiohttp add_subapp(prefix, app); FastAPI/Starlette mount(path, app).
        child = owner_key(view, call.arguments[1]);
        prefix = call.arguments[0];
      } else if (method == "mount") {
        child = owner_key(view, keyword(call.keywords, "app"));
        prefix = call.arguments.empty() ? keyword(call.keywords, "path") : call.arguments[0];
      } else if (method == "add_routes" && !call.arguments.empty()) {
        child = owner_key(view, call.arguments[0]);  // a RouteTableDef
      }
      if (child.empty() || child == parent) continue;
      if (!prefix.empty()) prefix = text_value(view, call.function, prefix);
      mounts_[child].push_back({parent, prefix, method == "register_blueprint" && !prefix.empty()});
    }
  }

  void declare(const ModuleView& view, const std::string& owner, int line, std::string method,
               const std::string& path, const std::string& handler, const std::string& function) {
    declared_.push_back({owner, view.module->path, line, std::move(method),
                         path.empty() ? std::string() : text_value(view, function, path), handler});
  }

  // Methods from `methods=["GET", "POST"]`; `fallback` when not given.
  static std::vector<std::string> methods_of(const std::vector<Keyword>& keywords,
                                             const std::string& fallback) {
    const std::string list = keyword(keywords, "methods");
    std::vector<std::string> methods;
    for (std::size_t at = 0; at < list.size(); ++at) {
      if (list[at] != '"' && list[at] != '\'') continue;
      const std::size_t end = list.find(list[at], at + 1);
      if (end == std::string::npos) break;
      methods.push_back(model::ascii_uppercase(list.substr(at + 1, end - at - 1)));
      at = end;
    }
    if (methods.empty()) methods.push_back(fallback);
    return methods;
  }

  void find_decorated(const ModuleView& view) {
    for (const Function& function : view.module->functions) {
      for (std::size_t at = 0; at < function.decorators.size(); ++at) {
        const CallText call = split_call(function.decorators[at]);
        const std::string verb = after_last(call.callee);
        std::vector<std::string> methods;
        if (http_verbs.contains(verb)) {
          methods = {model::ascii_uppercase(verb)};
        } else if (verb == "route" || verb == "api_route") {
          methods = methods_of(call.keywords, "GET");
        } else if (verb == "websocket" || verb == "websocket_route") {
          methods = {"WEBSOCKET"};
        } else if (verb == "view") {
          methods = {"*"};
        } else {
          continue;
        }
        const std::string owner = owner_key(view, before_last(call.callee));
        if (owner.empty()) continue;
        const std::string path =
            call.arguments.empty() ? keyword(call.keywords, "path") : call.arguments[0];
        for (const std::string& method : methods)
          declare(view, owner, function.decorator_lines[at], method, path, function.qualified, {});
      }
    }
  }

  // Whether `call` (an .expose(app)) is prometheus-fastapi-instrumentator's.
  bool exposes_metrics(const ModuleView& view, const Call& call) const {
    if (call.callee.find("Instrumentator") != std::string::npos) return true;
    const std::string receiver = before_last(call.callee);
    const auto function = view.functions.find(call.function);
    std::string made = function == view.functions.end() ? std::string() : [&] {
      const auto local = function->second->locals.find(receiver);
      return local == function->second->locals.end() ? std::string() : local->second;
    }();
    if (made.empty()) {
      const auto global = view.module->assignments.find(receiver);
      if (global != view.module->assignments.end()) made = global->second;
    }
    return index_.canonical(view, split_call(made).callee)
               .rfind("prometheus_fastapi_instrumentator", 0) == 0;
  }

  static std::string django_owner(const ModuleView& view) {
    return view.module->path + ":urlpatterns";
  }

  // The HTTP methods class `name` (as written in `view`, local or imported)
  // handles: its methods named get, post...; empty when it is not a project class.
  std::vector<std::string> class_methods(const ModuleView& view, const std::string& name) const {
    const ModuleView* home = &view;
    std::string local = name;
    if (const auto target = index_.imported(view, name)) {
      home = target->first;
      local = target->second;
    }
    std::vector<std::string> methods;
    for (const Function& function : home->module->functions) {
      const std::string verb = after_last(function.qualified);
      if (function.class_name == local && http_verbs.contains(verb))
        methods.push_back(model::ascii_uppercase(verb));
    }
    return methods;
  }

  // Flask-RESTPlus/RESTX: `@ns.route("/x")` on a Resource class routes its methods.
  void find_resources(const ModuleView& view) {
    for (const Class& found : view.module->classes) {
      for (std::size_t at = 0; at < found.decorators.size(); ++at) {
        const CallText call = split_call(found.decorators[at]);
        if (after_last(call.callee) != "route" || call.arguments.empty()) continue;
        const std::string owner = owner_key(view, before_last(call.callee));
        if (owner.empty()) continue;
        for (const std::string& method : class_methods(view, found.name)) {
          declare(view, owner, found.decorator_lines[at], method, call.arguments[0],
                  found.name + "." + model::ascii_lowercase(method), {});
        }
      }
    }
  }

  // Django: path("orders/", view) in a URLconf: a function view takes any
  // method unless a decorator names them; a class view (X.as_view()) the
  // methods it defines.
  void declare_django(const ModuleView& view, const Call& call) {
    const std::string handler = call.arguments[1];
    std::vector<std::string> methods;
    if (const std::size_t at = handler.find(".as_view("); at != std::string::npos) {
      methods = class_methods(view, handler.substr(0, at));
    } else if (const auto function = index_.function_named(view, handler)) {
      for (const std::string& decorator : function->second->decorators) {
        const CallText restriction = split_call(decorator);
        const std::string verb = after_last(restriction.callee);
        if (verb == "api_view" || verb == "require_http_methods") {
          std::vector<Keyword> listed{
              {"methods", restriction.arguments.empty()
                              ? keyword(restriction.keywords, "http_method_names")
                              : restriction.arguments[0]}};
          methods = methods_of(listed, "*");
        } else if (verb == "require_GET" || verb == "require_POST" || verb == "require_safe") {
          methods = {verb == "require_POST" ? "POST" : "GET"};
        }
      }
    }
    if (methods.empty()) methods = {"*"};
    std::string path = call.arguments[0];
    if (after_last(index_.canonical(view, call.callee)) != "path") path = django_regex_path(path);
    for (const std::string& method : methods)
      declare(view, django_owner(view), call.line, method, path, handler, call.function);
  }

  void find_registered(const ModuleView& view) {
    find_resources(view);
    // The module's app, for web.get(...) in add_routes.
    const auto app = apps_.find(view.module->path);
    const std::string module_app = app == apps_.end() ? std::string() : app->second;
    for (const Call& call : view.module->calls) {
      const std::string name = index_.canonical(view, call.callee);
      const std::string verb = after_last(call.callee);
      const auto argument = [&](std::size_t i) {
        return i < call.arguments.size() ? call.arguments[i] : std::string();
      };
      if (is_django_path(name) && call.arguments.size() >= 2 &&
          call.arguments[1].rfind("include(", 0) != 0 && owners_.contains(django_owner(view))) {
        declare_django(view, call);
        continue;
      }
      // prometheus-fastapi-instrumentator: Instrumentator().expose(app) serves GET /metrics.
      if (verb == "expose" && !call.arguments.empty() && exposes_metrics(view, call)) {
        const std::string owner = owner_key(view, call.arguments[0]);
        std::string endpoint = keyword(call.keywords, "endpoint");
        if (endpoint.empty()) endpoint = "\"/metrics\"";
        if (!owner.empty())
          declare(view, owner, call.line, "GET", endpoint, "Instrumentator.expose", call.function);
        continue;
      }
      // Flask-RESTful: api.add_resource(Resource, "/a", "/b").
      if (verb == "add_resource" && call.arguments.size() >= 2) {
        const std::string owner = owner_key(view, before_last(call.callee));
        if (owner.empty()) continue;
        for (std::size_t i = 1; i < call.arguments.size(); ++i) {
          for (const std::string& method : class_methods(view, call.arguments[0]))
            declare(view, owner, call.line, method, call.arguments[i], call.arguments[0],
                    call.function);
        }
        continue;
      }
      // aiohttp: app.router.add_get(path, handler), add_route(method, path, handler).
      if (call.callee.find(".router.add_") != std::string::npos ||
          call.callee.find(".add_") != std::string::npos) {
        std::string receiver = before_last(call.callee);
        if (receiver.ends_with(".router")) receiver = receiver.substr(0, receiver.size() - 7);
        const std::string owner = owner_key(view, receiver);
        if (owner.empty()) continue;
        if (verb.rfind("add_", 0) == 0 && http_verbs.contains(verb.substr(4))) {
          declare(view, owner, call.line, model::ascii_uppercase(verb.substr(4)), argument(0),
                  argument(1), call.function);
        } else if (verb == "add_route" && call.arguments.size() >= 3) {
          const std::string method =
              model::ascii_uppercase(text_value(view, call.function, argument(0)));
          declare(view, owner, call.line, method, argument(1), argument(2), call.function);
        } else if (verb == "add_api_route" || verb == "add_url_rule") {
          std::string handler =
              keyword(call.keywords, verb == "add_url_rule" ? "view_func" : "endpoint");
          if (handler.empty()) handler = argument(verb == "add_url_rule" ? 2 : 1);
          for (const std::string& method : methods_of(call.keywords, "GET"))
            declare(view, owner, call.line, method, argument(0), handler, call.function);
        } else if (verb == "add_websocket_route") {
          declare(view, owner, call.line, "WEBSOCKET", argument(0), argument(1), call.function);
        }
        continue;
      }
      // aiohttp web.get(path, handler) in add_routes; Starlette Route(path, endpoint).
      if (name.rfind("aiohttp.web.", 0) == 0 && http_verbs.contains(verb)) {
        declare(view, module_app, call.line, model::ascii_uppercase(verb), argument(0), argument(1),
                call.function);
      } else if (name == "aiohttp.web.route" && call.arguments.size() >= 3) {
        declare(view, module_app, call.line,
                model::ascii_uppercase(text_value(view, call.function, argument(0))), argument(1),
                argument(2), call.function);
      } else if (name == "starlette.routing.Route") {
        std::string handler = keyword(call.keywords, "endpoint");
        if (handler.empty()) handler = argument(1);
        for (const std::string& method : methods_of(call.keywords, "GET"))
          declare(view, module_app, call.line, method, argument(0), handler, call.function);
      } else if (name == "starlette.routing.WebSocketRoute") {
        declare(view, module_app, call.line, "WEBSOCKET", argument(0), argument(1), call.function);
      }
    }
  }

  // Every full prefix under which `owner` is reachable, and whether that
  // chain ends at an app.
  std::vector<std::pair<std::string, bool>> owner_paths(const std::string& owner, int depth) const {
    if (owner.empty()) return {{"", true}};
    const auto found = owners_.find(owner);
    if (found == owners_.end()) return {{"", false}};
    const Owner& self = found->second;
    if (self.kind == "app") {
      // An app mounted as a sub-app carries its mount's prefix.
      const auto mounts = mounts_.find(owner);
      if (mounts == mounts_.end() || depth >= max_mount_depth) return {{"", true}};
      std::vector<std::pair<std::string, bool>> paths;
      for (const Mount& mount : mounts->second) {
        for (auto [prefix, mounted] : owner_paths(mount.parent, depth + 1))
          paths.emplace_back(join_paths(prefix, mount.prefix), mounted);
      }
      return paths;
    }
    const auto mounts = mounts_.find(owner);
    if (mounts == mounts_.end() || depth >= max_mount_depth) return {{self.prefix, false}};
    std::vector<std::pair<std::string, bool>> paths;
    for (const Mount& mount : mounts->second) {
      for (auto [prefix, mounted] : owner_paths(mount.parent, depth + 1)) {
        const std::string own = mount.replaces ? std::string() : self.prefix;
        paths.emplace_back(join_paths(join_paths(prefix, mount.prefix), own), mounted);
      }
    }
    return paths;
  }

  const Fleet& fleet_;
  const CodeIndex& index_;
  std::map<std::string, Owner> owners_;
  std::map<std::string, std::string> apps_;  // file → its (last) app's owner key
  std::map<std::string, std::vector<Mount>> mounts_;
  std::vector<Declared> declared_;
};

}  // namespace

std::vector<Route> find_routes(const Fleet& fleet) {
  return Finder(fleet).run();
}

}  // namespace tracemesh::audit
