// Service discovery on a fixture repository: compose build contexts,
// Dockerfiles, services/<name>/ folders, app folders, shared libraries,
// frameworks, and imports resolved to the repository's own files.
#include "audit/rules/services.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "audit_fixture.h"

namespace tracemesh::audit {
namespace {

const std::string fixture = std::string(TRACEMESH_SOURCE_DIR) + "/tests/fixtures/fleet-fastapi";

const Service& service(const ServiceMap& map, const std::string& name) {
  for (const Service& found : map.services) {
    if (found.name == name) return found;
  }
  ADD_FAILURE() << "no service " << name;
  return map.services.front();
}

class FleetServices : public ::testing::Test {
 protected:
  void SetUp() override {
    auto scanned = scan_repository(fixture, {});
    ASSERT_TRUE(scanned) << scanned.error().text();
    repository_ = std::move(*scanned);
    map_ = discover_services(repository_);
  }
  Repository repository_;
  ServiceMap map_;
};

TEST_F(FleetServices, FindsEveryServiceAndHowItWasFound) {
  std::vector<std::string> names;
  for (const Service& found : map_.services)
    names.push_back(found.name + "@" + found.root + ":" + found.found_by);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "admin@admin:app-folder", "billing@services/billing:compose",
                       "gateway@gateway:compose", "notifier@services/notifier:services-folder",
                       "orders@services/orders:compose"}));
  EXPECT_TRUE(map_.problems.empty());
}

TEST_F(FleetServices, NamesEachServicesFrameworkAndServer) {
  EXPECT_EQ(service(map_, "gateway").framework, "fastapi");
  EXPECT_TRUE(service(map_, "gateway").has_http_server);
  EXPECT_EQ(service(map_, "orders").framework, "fastapi");
  EXPECT_EQ(service(map_, "billing").framework, "aiohttp");
  EXPECT_TRUE(service(map_, "billing").has_http_server);
  EXPECT_EQ(service(map_, "admin").framework, "flask");
  EXPECT_EQ(service(map_, "notifier").framework, "");
  EXPECT_FALSE(service(map_, "notifier").has_http_server);
  EXPECT_EQ(service(map_, "gateway").modules,
            (std::vector<std::string>{
                "gateway/app/__init__.py", "gateway/app/clients.py", "gateway/app/main.py",
                "gateway/app/routers/__init__.py", "gateway/app/routers/alerts.py",
                "gateway/app/routers/legacy.py", "gateway/tests/__init__.py",
                "gateway/tests/integration/test_alerts_flow.py", "gateway/tests/test_gateway.py"}));
}

TEST_F(FleetServices, RecognisesSharedLibrariesAndTheirUsers) {
  ASSERT_EQ(map_.libraries.size(), 1U);
  EXPECT_EQ(map_.libraries[0].root, "shared");
  EXPECT_EQ(map_.libraries[0].used_by, (std::vector<std::string>{"gateway", "orders"}));
  EXPECT_EQ(map_.unowned, std::vector<std::string>{"tools/scripts/cleanup.py"});
}

TEST_F(FleetServices, ResolvesRelativeAndAbsoluteImports) {
  const ImportResolver resolver(repository_);
  EXPECT_EQ(resolver.resolve("gateway/app/main.py",
                             {"shared.tracing", "TRACE_ID_HEADER", "TRACE_ID_HEADER", 6}),
            "shared/tracing.py");
  EXPECT_EQ(resolver.resolve("gateway/app/main.py", {".clients", "make_client", "make_client", 7}),
            "gateway/app/clients.py");
  EXPECT_EQ(resolver.resolve("gateway/app/main.py", {"httpx", "", "httpx", 3}), "");
  EXPECT_EQ(resolver.resolve("gateway/app/main.py", {".", "clients", "clients", 1}),
            "gateway/app/clients.py");
  EXPECT_EQ(resolver.resolve("services/orders/orders/api.py", {"orders", "api", "api", 1}),
            "services/orders/orders/api.py");
  EXPECT_EQ(resolver.resolve("gateway/app/main.py", {"shared", "", "shared", 1}),
            "shared/__init__.py");
}

TEST_F(FleetServices, ReadsEachServicesDeploymentAndTheInfrastructure) {
  const Service& gateway = service(map_, "gateway");
  EXPECT_EQ(gateway.environment.at("ORDERS_URL"), "http://orders:8001");
  EXPECT_EQ(gateway.ports, std::set<int>{8000});
  const Service& orders = service(map_, "orders");
  EXPECT_EQ(orders.environment.at("BILLING_URL"), "http://billing:8002");      // compose
  EXPECT_EQ(orders.environment.at("ORDERS_DB"), "postgres://db:5432/orders");  // ENV k=v
  EXPECT_EQ(orders.environment.at("BILLING_TIMEOUT"), "3");
  EXPECT_EQ(orders.environment.at("LOG_LEVEL"), "info");  // ENV k v
  EXPECT_EQ(orders.ports, std::set<int>{8001});           // EXPOSE and --port
  ASSERT_EQ(map_.infrastructure.size(), 2U);
  EXPECT_EQ(map_.infrastructure[0].name, "mosquitto");
  EXPECT_EQ(map_.infrastructure[1].name, "redis");
  EXPECT_EQ(map_.infrastructure[1].image, "redis:7");
  EXPECT_EQ(map_.infrastructure[1].ports, std::set<int>{6379});
}

TEST(Services, ConfiguredServicesComeFirstAndComposeProblemsAreReported) {
  Repository repository;
  repository.root = fixture;
  repository.compose_files = {"missing-compose.yml"};
  PythonModule module;
  module.path = "api/main.py";
  module.calls.push_back({"FastAPI", "", "app", {}, {}, 3, false});
  repository.modules.push_back(module);
  const ServiceMap map = discover_services(repository, {{"public-api", "api"}});
  ASSERT_EQ(map.services.size(), 1U);
  EXPECT_EQ(map.services[0].name, "public-api");
  EXPECT_EQ(map.services[0].found_by, "config");
  EXPECT_TRUE(map.services[0].has_http_server);
  ASSERT_EQ(map.problems.size(), 1U);
  EXPECT_EQ(map.problems[0].path, "missing-compose.yml");
}

std::vector<std::string> found(const std::filesystem::path& root) {
  auto scanned = scan_repository(root, {});
  EXPECT_TRUE(scanned) << scanned.error().text();
  if (!scanned) return {};
  std::vector<std::string> names;
  for (const Service& service : discover_services(*scanned).services)
    names.push_back(service.name + "@" + (service.root.empty() ? "." : service.root) + ":" +
                    service.found_by + ":" + std::to_string(service.modules.size()));
  return names;
}

// The services of the repository at `root` (an empty map when it cannot be scanned).
ServiceMap discovered(const std::filesystem::path& root) {
  auto scanned = scan_repository(root, {});
  EXPECT_TRUE(scanned) << scanned.error().text();
  return scanned ? discover_services(*scanned) : ServiceMap{};
}

// A `services` folder inside a Python package is a subpackage of one
// application (neutron/services/qos), and one under a test folder holds
// tests; neither is a fleet of services.
TEST(Services, ServicesFoldersInsidePackagesOrTestsAreNotServices) {
  const testing::TemporaryRepository repository;
  for (const char* path :
       {"netapp/__init__.py", "netapp/services/__init__.py", "netapp/services/qos/__init__.py",
        "netapp/services/qos/plugin.py", "netapp/tests/unit/services/qos/test_plugin.py"})
    repository.write(path, "import os\n");
  repository.write("tests/services/billing/test_billing.py", "def test_it():\n    pass\n");
  repository.write("services/orders/main.py", "import os\n");
  repository.write("backend/services/payments/main.py", "import os\n");
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"orders@services/orders:services-folder:1",
                                      "payments@backend/services/payments:services-folder:1"}));
}

// The common one-service repository: the app module at its root. The
// service is named after the repository's folder and owns every file.
TEST(Services, AnAppAtTheRootMakesTheRepositoryAService) {
  const testing::TemporaryRepository repository;
  repository.write("main.py",
                   "from fastapi import FastAPI\nfrom routers import items\napp = FastAPI()\n");
  repository.write("routers/items.py", "import httpx\n");
  repository.write("tests/test_items.py", "def test_it():\n    pass\n");
  const std::string name = repository.root().filename().string();
  EXPECT_EQ(found(repository.root()), std::vector<std::string>{name + "@.:root-app:3"});
  // Named after the folder however the path is written (here with a trailing slash).
  EXPECT_EQ(found(repository.root() / ""), std::vector<std::string>{name + "@.:root-app:3"});
  // A compose build context at the root already names it.
  repository.write("compose.yaml", "services:\n  api: {build: .}\n");
  EXPECT_EQ(found(repository.root()), std::vector<std::string>{"api@.:compose:3"});
}

// Tests build apps too (TestClient(FastAPI())): they make no service.
TEST(Services, AppsBuiltInTestsAreNotServices) {
  const testing::TemporaryRepository repository;
  repository.write("conftest.py", "from fastapi import FastAPI\napp = FastAPI()\n");
  repository.write("tests/test_app.py", "from flask import Flask\napp = Flask(__name__)\n");
  repository.write("lib/client.py", "import httpx\n");
  const std::string name = repository.root().filename().string();
  EXPECT_EQ(found(repository.root()), std::vector<std::string>{name + "@.:repository:3"});
}

// A service at the root owns every file no deeper service owns, except
// what a service nested in it imports: that code is shared by them.
TEST(Services, ARootAppOwnsWhatNoDeeperServiceOwnsOrImports) {
  const testing::TemporaryRepository repository;
  repository.write("main.py",
                   "from fastapi import FastAPI\nfrom helpers import views\napp = FastAPI()\n");
  repository.write("helpers/views.py", "import os\n");
  repository.write("services/orders/app.py", "from common import util\n");
  repository.write("common/util.py", "import os\n");
  const std::string name = repository.root().filename().string();
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"orders@services/orders:services-folder:1",
                                      name + "@.:root-app:2"}));
  const ServiceMap map = discovered(repository.root());
  ASSERT_EQ(map.libraries.size(), 1U);
  EXPECT_EQ(map.libraries[0].modules, std::vector<std::string>{"common/util.py"});
  EXPECT_EQ(map.libraries[0].used_by, std::vector<std::string>{"orders"});
}

// Without any service layout (no compose file, Dockerfile, services folder
// or known app), the repository is audited as one service instead of not at
// all; with one, code outside every service stays outside.
TEST(Services, WithoutAnyLayoutTheRepositoryIsOneService) {
  const testing::TemporaryRepository repository;
  repository.write("compute/manager.py", "import requests\n");
  repository.write("compute/api.py", "import webob\n");
  const std::string name = repository.root().filename().string();
  EXPECT_EQ(found(repository.root()), std::vector<std::string>{name + "@.:repository:2"});
  repository.write("services/worker/main.py", "import os\n");
  EXPECT_EQ(found(repository.root()),
            std::vector<std::string>{"worker@services/worker:services-folder:1"});
  EXPECT_TRUE(found(testing::TemporaryRepository().root()).empty());  // no Python file
}

// Services without Python code (a frontend's Dockerfile) leave the Python
// code to the repository-wide service.
TEST(Services, ServicesWithoutPythonLeaveTheRepositoryToOneService) {
  const testing::TemporaryRepository repository;
  repository.write("frontend/Dockerfile", "FROM node:20\n");
  repository.write("frontend/package.json", "{}\n");
  repository.write("compute/manager.py", "import requests\n");
  const std::string name = repository.root().filename().string();
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"frontend@frontend:dockerfile:0", name + "@.:repository:1"}));
}

// A development compose file and a production one name the same services:
// one service each, with what both files say of it; a production file that
// runs the image the development file builds makes it no infrastructure.
TEST(Services, TheSameServiceInSeveralComposeFilesIsOneService) {
  const testing::TemporaryRepository repository;
  repository.write("docker-compose.yml",
                   "services:\n  api:\n    build: ./api\n    ports: ['8000:8000']\n"
                   "  db: {image: postgres}\n");
  repository.write("docker-compose.prod.yml",
                   "services:\n  api:\n    build: {context: ./api, dockerfile: Dockerfile.prod}\n"
                   "    expose: ['9000']\n    environment: {MODE: prod}\n"
                   "  db: {image: postgres}\n");
  repository.write("docker-compose.override.yml", "services:\n  api: {image: registry/api}\n");
  repository.write("api/main.py", "from fastapi import FastAPI\napp = FastAPI()\n");
  const ServiceMap map = discovered(repository.root());
  ASSERT_EQ(map.services.size(), 1U);
  EXPECT_EQ(map.services[0].ports, (std::set<int>{8000, 9000}));
  EXPECT_EQ(map.services[0].environment.at("MODE"), "prod");
  ASSERT_EQ(map.infrastructure.size(), 1U);
  EXPECT_EQ(map.infrastructure[0].name, "db");
}

// Compose entries build from a context above the service so that a shared
// folder can be copied in: the service lives where its Dockerfile and code
// are, unless the Dockerfile sits in a packaging folder. Entries that run a
// test or lint tool are no services; a locally built database is
// infrastructure, and its Dockerfile makes no service either.
TEST(Services, ComposeBuildContextsAboveTheServiceAndEntriesThatAreNoService) {
  const testing::TemporaryRepository repository;
  repository.write("backend/docker-compose.yml",
                   "services:\n"
                   "  orders:\n    build: {context: ., dockerfile: services/orders/Dockerfile}\n"
                   "  web:\n    build: {context: ., dockerfile: docker/app/Dockerfile}\n"
                   "  test:\n    build: {context: ., dockerfile: docker/app/Dockerfile}\n"
                   "    entrypoint: pytest\n"
                   "  lint:\n    build: .\n    command: [\"python\", \"-m\", \"flake8\"]\n"
                   "  db:\n    build: {context: ., dockerfile: docker/db/Dockerfile}\n");
  repository.write("backend/services/orders/Dockerfile", "FROM python:3.12\n");
  repository.write("backend/services/orders/app.py",
                   "from flask import Flask\nfrom shared import log\napp = Flask(__name__)\n");
  repository.write("backend/shared/log.py", "import logging\n");
  repository.write("backend/docker/app/Dockerfile", "FROM python:3.12\nCMD [\"uwsgi\"]\n");
  repository.write("backend/docker/app/wait_for_db.py", "import socket\n");
  repository.write("backend/docker/db/Dockerfile",
                   "FROM alpine:3.9\nRUN apk add python3\nCMD [\"postgres\"]\n");
  repository.write("backend/site/views.py", "import requests\n");
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"orders@backend/services/orders:compose:1",
                                      "web@backend:compose:2"}));
  const ServiceMap map = discovered(repository.root());
  ASSERT_EQ(map.infrastructure.size(), 1U);
  EXPECT_EQ(map.infrastructure[0].name, "db");
  EXPECT_EQ(map.infrastructure[0].image, "built from backend/docker/db/Dockerfile");
}

// A folder of services/ that nothing runs and the services import is their
// shared code; one that nothing imports is still a service (a worker started
// by hand).
TEST(Services, AServicesFolderTheOthersImportIsASharedLibrary) {
  const testing::TemporaryRepository repository;
  repository.write("services/api/Dockerfile", "FROM python\n");
  repository.write("services/api/main.py",
                   "import sys\nsys.path.insert(0, '/app/shared')\nfrom tracing import setup\n");
  repository.write("services/shared/tracing.py", "def setup():\n    pass\n");
  repository.write("services/worker/loop.py", "import time\n");
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"api@services/api:dockerfile:1",
                                      "worker@services/worker:services-folder:1"}));
  const ServiceMap map = discovered(repository.root());
  ASSERT_EQ(map.libraries.size(), 1U);
  EXPECT_EQ(map.libraries[0].modules, std::vector<std::string>{"services/shared/tracing.py"});
  EXPECT_EQ(map.libraries[0].used_by, std::vector<std::string>{"api"});
}

// Imports the way services run: a folder put on sys.path (by a container
// path or a path built from __file__) is looked for beside each folder above
// the importer; without that sys.path entry the import stays unresolved.
TEST(Services, ImportsThroughFoldersPutOnSysPath) {
  const testing::TemporaryRepository repository;
  repository.write("fleet/gateway/main.py", "import sys\nsys.path.insert(0, '/app/common/')\n");
  repository.write("fleet/orders/main.py",
                   "import os, sys\n"
                   "sys.path.append(os.path.join(os.path.dirname(__file__), '..', 'common'))\n");
  repository.write("fleet/billing/main.py", "import os\n");
  repository.write("fleet/jobs/main.py",
                   "import sys\nfrom pathlib import Path\n"
                   "SHARED = Path(__file__).parent.parent / 'common'\n"
                   "sys.path.insert(0, str(SHARED))\n");
  repository.write("fleet/common/tracing/__init__.py", "import os\n");
  repository.write("fleet/common/headers.py", "import os\n");
  auto scanned = scan_repository(repository.root(), {});
  ASSERT_TRUE(scanned);
  const ImportResolver resolver(*scanned);
  EXPECT_EQ(resolver.resolve("fleet/gateway/main.py", {"headers", "", "headers", 3}),
            "fleet/common/headers.py");
  EXPECT_EQ(resolver.resolve("fleet/gateway/main.py", {"tracing", "setup", "setup", 3}),
            "fleet/common/tracing/__init__.py");
  EXPECT_EQ(resolver.resolve("fleet/orders/main.py", {"headers", "", "headers", 3}),
            "fleet/common/headers.py");
  EXPECT_EQ(resolver.resolve("fleet/billing/main.py", {"headers", "", "headers", 3}), "");
  // The folder named through a module-level name (SHARED = BASE / "common").
  EXPECT_EQ(resolver.resolve("fleet/jobs/main.py", {"headers", "", "headers", 5}),
            "fleet/common/headers.py");
}

// A runnable app above other services' folders (a backend/app.py run by
// hand beside backend/services/*) is a service of its own; the code beside
// it that the nested services import stays shared.
TEST(Services, ARunnableAppAboveOtherServicesIsAServiceToo) {
  const testing::TemporaryRepository repository;
  repository.write("backend/app.py",
                   "from flask import Flask\nfrom shared import log\napp = Flask(__name__)\n"
                   "if __name__ == '__main__':\n    app.run()\n");
  repository.write("backend/shared/log.py", "import logging\n");
  repository.write("backend/services/orders/Dockerfile", "FROM python\n");
  repository.write("backend/services/orders/app.py",
                   "from flask import Flask\nfrom shared import log\napp = Flask(__name__)\n");
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"backend@backend:app-folder:1",
                                      "orders@backend/services/orders:dockerfile:1"}));
  const ServiceMap map = discovered(repository.root());
  ASSERT_EQ(map.libraries.size(), 1U);
  EXPECT_EQ(map.libraries[0].modules, std::vector<std::string>{"backend/shared/log.py"});
  EXPECT_EQ(map.libraries[0].used_by, (std::vector<std::string>{"backend", "orders"}));
}

// What the discovery rules must not do: merge same-named services of two
// projects' compose files (the second keeps its root as its name), call an
// app on an nginx image infrastructure, or make a service of a runnable
// example that sits above no other service.
TEST(Services, NegativesOfTheDiscoveryRules) {
  const testing::TemporaryRepository repository;
  repository.write("shop/docker-compose.yml", "services:\n  web: {build: .}\n");
  repository.write("shop/main.py", "from fastapi import FastAPI\napp = FastAPI()\n");
  repository.write("blog/docker-compose.yml", "services:\n  web: {build: .}\n");
  repository.write("blog/Dockerfile", "FROM nginx:1.27\nCMD [\"gunicorn\", \"app:app\"]\n");
  repository.write("blog/app.py", "from flask import Flask\napp = Flask(__name__)\n");
  repository.write("shop/examples/demo/app.py",
                   "from flask import Flask\napp = Flask(__name__)\n"
                   "if __name__ == '__main__':\n    app.run()\n");
  EXPECT_EQ(found(repository.root()),
            (std::vector<std::string>{"shop@shop:compose:2", "web@blog:compose:1"}));
}

}  // namespace
}  // namespace tracemesh::audit
