#!/usr/bin/env python3
"""Generate a large synthetic Python service repository for the audit benchmark.

A compose file, then per service a FastAPI app with routers, a traced-client
factory, request sites (traced and forgotten), models with plenty of ordinary
code, and integration tests. Deterministic for a seed.

Two styles, with the same routes, calls, models and tests:
  realistic (default)  written like real service code: docstrings, comments,
                       logging and descriptive names, calibrated to the token
                       density, line length and comment and string shares
                       measured on real service code (docs/benchmarks.md);
  dense                the same code with none of that: 1.8x the syntax
                       tokens per byte of the median real service measured
                       (1.5x the densest).

Usage: bench/generate_audit_repo.py OUT_DIR [--services N] [--modules-per-service M]
                                    [--style realistic|dense]
"""
import argparse
import os
import random

HEADER = '''"""Module {name} of service {service}: generated for the audit benchmark."""
import json
import os

import httpx
from fastapi import APIRouter

from shared.tracing import TRACE_ID_HEADER, trace_headers
from ..clients import make_client

PEER_URL = os.getenv("{peer_env}", "http://{peer}:8000")
router = APIRouter(prefix="/{name}")
client = make_client(PEER_URL)
'''

ROUTE = '''

@router.{verb}("/items{index}/{{item_id}}")
async def handler_{index}(item_id: str, trace_id: str | None = None):
    headers = {{}}
    if trace_id:
        headers[TRACE_ID_HEADER] = trace_id
    values = [value * {index} for value in range(16) if value % 3]
    summary = {{"id": item_id, "values": values, "count": len(values)}}
    for key in sorted(summary):
        summary[key] = summary[key]
    {call}
    return summary
'''

CALLS = [
    'response = await client.get(f"/items/{{item_id}}")',
    'response = httpx.post(f"{{PEER_URL}}/items", json=summary, headers=trace_headers())',
    'response = httpx.get(f"{{PEER_URL}}/items/{{item_id}}", headers=headers)',
    'response = httpx.get(f"{{PEER_URL}}/forgotten/{{item_id}}")',
]

MODEL = '''

class Model{index}:
    """A plain model class: ordinary code the audit reads and ignores."""

    def __init__(self, name: str, size: int = {index}) -> None:
        self.name = name
        self.size = size
        self.items = []

    def add(self, item) -> None:
        if item is None:
            raise ValueError("no item")
        self.items.append(item)

    def total(self) -> int:
        return sum(len(str(item)) for item in self.items) + self.size

    def to_json(self) -> str:
        return json.dumps({{"name": self.name, "size": self.size, "items": self.items}})
'''

TEST = '''import httpx
import pytest

BASE_URL = "http://localhost:{port}"


@pytest.mark.integration
def test_{name}_{index}():
    response = httpx.get(f"{{BASE_URL}}/api/{name}/items{index}/42")
    assert response.status_code == 200
'''


# The realistic style: the same code as written in real services.
R_HEADER = '''"""{title}.

{paragraph}

Routes of the {name} area of {service}; each handler answers from local state
and calls {peer} for the rest.
"""
import json
import logging
import os

import httpx
from fastapi import APIRouter

from shared.tracing import TRACE_ID_HEADER, trace_headers
from ..clients import make_client

logger = logging.getLogger(__name__)

# Where {peer} listens: compose sets {peer_env}; the default is the compose
# host name, for running the service next to the others without compose.
PEER_URL = os.getenv("{peer_env}", "http://{peer}:8000")
router = APIRouter(prefix="/{name}")
# One client per module: the factory adds the trace header to every request.
client = make_client(PEER_URL)
'''

R_ROUTE = '''

@router.{verb}("/items{index}/{{item_id}}")
async def handle_inventory_item_{index}(item_id: str, trace_id: str | None = None):
    """{summary}{paragraph}"""{comment}
    outgoing_request_headers = {{}}
    if trace_id:
        outgoing_request_headers[TRACE_ID_HEADER] = trace_id
    computed_values = [position * {index} for position in range(16) if position % 3]
    inventory_item_summary = {{
        "id": item_id,
        "values": computed_values,
        "count": len(computed_values),
    }}
    for field_name in sorted(inventory_item_summary):
        inventory_item_summary[field_name] = inventory_item_summary[field_name]
    logger.debug("{name}: item %s has %d values", item_id, len(computed_values))
    {call}
    return inventory_item_summary
'''

R_CALLS = [
    'peer_service_response = await client.get(f"/items/{{item_id}}")',
    'peer_service_response = httpx.post(\n'
    '        f"{{PEER_URL}}/items", json=inventory_item_summary, headers=trace_headers()\n'
    '    )',
    'peer_service_response = httpx.get(\n'
    '        f"{{PEER_URL}}/items/{{item_id}}", headers=outgoing_request_headers\n'
    '    )',
    'peer_service_response = httpx.get(f"{{PEER_URL}}/forgotten/{{item_id}}")',
]

R_MODEL = '''

class InventoryRecord{index}:
    """{summary}{paragraph}"""

    def __init__(self, record_name: str, initial_size: int = {index}) -> None:
        self.record_name = record_name
        self.initial_size = initial_size
        # Items in the order they were added; duplicates are kept on purpose.
        self.items = []

    def add_item(self, item) -> None:
        if item is None:
            raise ValueError("no item")
        self.items.append(item)

    def total_size(self) -> int:
        """The size of every item as text, plus the initial size."""
        # Sizes are those of the items' text form, which is what the wire carries.
        return sum(len(str(item)) for item in self.items) + self.initial_size

    def to_json(self) -> str:
        return json.dumps(
            {{"name": self.record_name, "size": self.initial_size, "items": self.items}}
        )
'''

R_TEST = '''"""Integration test of the {name} routes against a running service."""
import httpx
import pytest

# The service's port as compose publishes it.
BASE_URL = "http://localhost:{port}"


@pytest.mark.integration
def test_{name}_{index}():
    """The route answers for an item it has never seen."""
    response = httpx.get(f"{{BASE_URL}}/api/{name}/items{index}/42")
    assert response.status_code == 200
'''

SUBJECTS = ["the order", "the invoice", "the shipment", "the customer account", "the price list",
            "the stock level", "the payment", "the refund", "the delivery slot",
            "the catalogue entry"]
VERBS = ["Return", "Look up", "Recompute", "Validate", "Summarise", "Refresh", "Reserve", "Check"]
SENTENCES = [
    "The result is cached by the peer for a short while, so repeated calls are cheap.",
    "Callers must not rely on the order of the values; they are sorted only for display.",
    "A missing item is not an error here: the peer answers with an empty summary.",
    "The trace id, when the caller sends one, travels with the request to the peer.",
    "Values are recomputed on every call; nothing is stored between requests.",
    "This mirrors the behaviour of the previous version of the API, kept for old clients.",
    "The peer may be slow under load; the client's timeout bounds the wait.",
    "Identifiers are opaque strings; the service never parses them.",
]


def paragraph(rng, count, indent):
    """`count` sentences, wrapped at 88 columns under `indent` spaces."""
    if count == 0:
        return ""
    lines, line = [], ""
    for word in " ".join(rng.choice(SENTENCES) for _ in range(count)).split():
        if line and indent + len(line) + 1 + len(word) > 88:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    if indent == 0:
        return "\n".join(lines)
    # A docstring's body: a blank line after the summary, the closing quotes on their own line.
    margin = "\n" + " " * indent
    return "\n" + margin + margin.join(lines) + margin


def summary(rng):
    return f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} for one inventory item."


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def router_module(style, rng, prose, module, service, peer):
    """One router module: a header, six routes (one request site each), six models.

    `rng` draws the code (calls, verbs), the same in both styles; `prose`
    draws the realistic style's docstrings and comments."""
    peer_env = peer.upper() + "_URL"
    if style == "dense":
        body = HEADER.format(name=module, service=service, peer=peer, peer_env=peer_env)
        for index in range(6):
            call = CALLS[rng.randrange(len(CALLS))].format()
            body += ROUTE.format(verb=rng.choice(["get", "post", "put"]), index=index, call=call)
        for index in range(6):
            body += MODEL.format(index=index)
        return body
    body = R_HEADER.format(title=f"Inventory routes of {service}: {module}",
                           paragraph=paragraph(prose, 1, 0), name=module, service=service,
                           peer=peer, peer_env=peer_env)
    for index in range(6):
        call = R_CALLS[rng.randrange(len(R_CALLS))].format()
        comment = ("\n    # Forward the caller's trace id when there is one, so that the peer's"
                   "\n    # spans join the same trace." if prose.random() < 0.7 else "")
        body += R_ROUTE.format(verb=rng.choice(["get", "post", "put"]), index=index, call=call,
                               name=module, summary=summary(prose), comment=comment,
                               paragraph=paragraph(prose, int(prose.random() < 0.35), 4))
    for index in range(6):
        body += R_MODEL.format(index=index, summary=summary(prose),
                               paragraph=paragraph(prose, prose.randint(0, 1), 4))
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--modules-per-service", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--style", choices=["realistic", "dense"], default="realistic")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    prose = random.Random(args.seed + 1)
    names = [f"svc{n:03d}" for n in range(args.services)]
    compose = ["services:"]
    for n, service in enumerate(names):
        compose += [f"  {service}:", f"    build: ./services/{service}",
                    f'    ports: ["{9000 + n}:8000"]']
    write(os.path.join(args.out, "docker-compose.yml"), "\n".join(compose) + "\n")
    write(os.path.join(args.out, "shared", "__init__.py"), "")
    write(os.path.join(args.out, "shared", "tracing.py"),
          'import contextvars\n\nTRACE_ID_HEADER = "X-Trace-ID"\n'
          'current = contextvars.ContextVar("trace_id", default=None)\n\n\n'
          'def trace_headers() -> dict:\n    tid = current.get()\n'
          '    return {TRACE_ID_HEADER: tid} if tid else {}\n')
    files = 2
    for n, service in enumerate(names):
        root = os.path.join(args.out, "services", service)
        package = os.path.join(root, "app")
        peer = names[(n + 1) % len(names)]
        modules = [f"mod{m:03d}" for m in range(args.modules_per_service)]
        write(os.path.join(root, "Dockerfile"),
              'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app", "--port", "8000"]\n')
        write(os.path.join(package, "__init__.py"), "")
        write(os.path.join(package, "routers", "__init__.py"), "")
        write(os.path.join(package, "clients.py"),
              "import httpx\n\nfrom shared.tracing import trace_headers\n\n\n"
              "def make_client(base_url: str) -> httpx.AsyncClient:\n"
              '    return httpx.AsyncClient(base_url=base_url, event_hooks={"request": [_add]})\n\n\n'
              "async def _add(request: httpx.Request) -> None:\n"
              "    request.headers.update(trace_headers())\n")
        main = ["from fastapi import FastAPI", "from .routers import " + ", ".join(modules), "",
                "app = FastAPI()"]
        main += [f'app.include_router({m}.router, prefix="/api")' for m in modules]
        write(os.path.join(package, "main.py"), "\n".join(main) + "\n")
        files += 5
        for m, module in enumerate(modules):
            write(os.path.join(package, "routers", f"{module}.py"),
                  router_module(args.style, rng, prose, module, service, peer))
            files += 1
            if m % 10 == 0:
                test = TEST if args.style == "dense" else R_TEST
                write(os.path.join(root, "tests", "integration", f"test_{module}.py"),
                      test.format(port=9000 + n, name=module, index=m % 6))
                files += 1
    print(f"{files} files written under {args.out}")


if __name__ == "__main__":
    main()
