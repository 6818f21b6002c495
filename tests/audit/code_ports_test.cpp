// Ports a service's own code listens on (its run call), and the loopback
// URLs they let the audit resolve to that service.
#include "audit/rules/code_ports.h"

#include <gtest/gtest.h>

#include "audit/audit.h"
#include "audit/audit_fixture.h"

namespace tracemesh::audit {
namespace {

using testing::AuditedRepository;
using testing::TemporaryRepository;

TEST(CodePorts, TheRunCallsPortResolvedLikeAnyValue) {
  const TemporaryRepository repository;
  repository.write(
      "services/inventory/app.py",
      "from aiohttp import web\nPORT = 9002\napp = web.Application()\n"
      "if __name__ == '__main__':\n    web.run_app(app, host='127.0.0.1', port=PORT)\n");
  repository.write("services/orders/main.py",
                   "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n"
                   "uvicorn.run(app, port=8001)\n");
  repository.write("services/shop/app.py",
                   "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
                   "app.run(port=int(os.environ['PORT']))\n");
  const AuditedRepository audited(repository.root());
  std::map<std::string, std::set<int>> ports;
  for (const Service& service : audited.services().services)
    ports[service.name] = code_ports(audited.fleet(), service);
  EXPECT_EQ(ports["inventory"], std::set<int>{9002});
  EXPECT_EQ(ports["orders"], std::set<int>{8001});
  EXPECT_TRUE(ports["shop"].empty());  // not known from the code
}

TEST(CodePorts, ALoopbackUrlReachesTheServiceListeningOnItsPort) {
  const TemporaryRepository repository;
  repository.write("services/inventory/app.py",
                   "from aiohttp import web\nPORT = 9002\napp = web.Application()\n"
                   "web.run_app(app, port=PORT)\n");
  repository.write("services/front/app.py",
                   "import httpx\nfrom aiohttp import web\napp = web.Application()\n"
                   "async def stock(request):\n"
                   "    return httpx.get('http://127.0.0.1:9002/stock')\n"
                   "web.run_app(app, port=9000)\n");
  AuditOptions options;
  options.threads = 1;
  const auto result = run_audit(repository.root(), options);
  ASSERT_TRUE(result) << result.error().text();
  ASSERT_EQ(result->outbound_calls.size(), 1U);
  EXPECT_EQ(result->outbound_calls[0].target_kind, "service");
  EXPECT_EQ(result->outbound_calls[0].target_service, "inventory");
  EXPECT_TRUE(result->outbound_calls[0].cross_service);
}

}  // namespace
}  // namespace tracemesh::audit
