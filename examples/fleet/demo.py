#!/usr/bin/env python3
"""The tracemesh demo: one alert through a seven-service fleet becomes one connected trace.

Starts the fleet (fleet.py: mosquitto, a collector, C++, Node.js and Python
services), sends a few alerts to the ui, and prints what tracemesh sees:
the first alert's trace as a tree with its integrity verdict and the checks
of examples/fleet/alert-trace.yaml (`tracemesh verify`), the same alert
judged from the services' JSON logs alone (`tracemesh verify --logs`), the service graph
with each edge's propagation health (the collector's /api/graph), and the
static audit of examples/fleet (`tracemesh audit`). Then it leaves the
collector's UI running until Ctrl-C.

With --break EDGE one service drops the trace context on that edge; the demo
then checks that both halves of tracemesh catch it: verify fails naming the
edge, and the graph shows the edge's propagation health below 100 %.

Exit codes: 0 every check held, 1 a check failed, 2 the fleet could not start
or usage error. DEMO_ONCE=1 (or --once) exits after the checks instead of
waiting for Ctrl-C.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import fleet as fleet_module

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "alert-trace.yaml")
ALERTS = [
    {"device": "pump-7", "severity": "critical", "message": "pressure above 9 bar"},
    {"device": "valve-3", "severity": "warning", "message": "slow to close"},
    {"device": "meter-12", "severity": "high", "message": "no reading for 10 minutes"},
]
TOKEN = "demo-token"
LANGUAGES = {"python": "Python", "cpp": "C++", "javascript": "JavaScript"}


class Checks:
    """Every check the demo makes, printed as it is made."""

    def __init__(self):
        self.failed = 0

    def check(self, holds, description):
        print(f"  {'ok  ' if holds else 'FAIL'}  {description}", flush=True)
        self.failed += 0 if holds else 1
        return holds


def heading(text):
    print(f"\n== {text} ==", flush=True)


# Loopback only: a developer's http_proxy must not take these requests.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_json(url, body=None, headers=None, timeout=10):
    """(status, parsed JSON body or None); status 0 when no response came."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})},
                                     method="POST" if data is not None else "GET")
    try:
        with OPENER.open(request, timeout=timeout) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        print(f"demo: {request.method} {url}: {error}", file=sys.stderr)
        return 0, None
    try:
        return status, json.loads(text or b"null")
    except ValueError:
        return status, None


def send_alerts(ui_url, checks):
    heading(f"sending {len(ALERTS)} alerts: POST {ui_url}/api/alerts")
    trace_ids = []
    for alert in ALERTS:
        status, answer = http_json(f"{ui_url}/api/alerts", alert, {"Authorization": f"Bearer {TOKEN}"})
        trace_id = (answer or {}).get("trace_id", "")
        checks.check(status == 201 and len(trace_id) == 32,
                     f"{alert['device']:<9} {alert['severity']:<8} -> {status}, trace {trace_id or '(none)'}")
        if trace_id:
            trace_ids.append(trace_id)
    return trace_ids


def verify(tracemesh, collector, arguments, spec=True):
    """Run tracemesh verify against the collector; return (exit code, its JSON report or None)."""
    command = [tracemesh, "verify", "--collector", collector] + (["--spec", SPEC] if spec else []) + arguments
    finished = subprocess.run(command + ["--format", "json"], capture_output=True, text=True, check=False)
    try:
        return finished.returncode, json.loads(finished.stdout)
    except json.JSONDecodeError:
        print(finished.stderr.rstrip(), file=sys.stderr)
        return finished.returncode, None


def failure_messages(report):
    return [result["message"] for trace in (report or {}).get("traces", [])
            for result in trace.get("results", []) if not result.get("passed")]


def show_traces(tracemesh, collector, trace_ids, broken_edge, checks):
    heading("the first alert's trace: tracemesh verify --spec examples/fleet/alert-trace.yaml")
    shown = subprocess.run([tracemesh, "verify", "--collector", collector, "--spec", SPEC, "--trace", trace_ids[0]],
                           capture_output=True, text=True, check=False)
    print((shown.stdout + shown.stderr).rstrip())
    heading(f"every alert: tracemesh verify on {len(trace_ids)} traces")
    code, report = verify(tracemesh, collector, ["--root-service", "ui", "--root-operation", "POST /api/alerts"])
    if broken_edge is None:
        checks.check(code == 0, f"{len(trace_ids)} alerts, each one connected trace: ui -> auth, ui -> agent, "
                                f"ui -> delivery-worker -> webhook-receiver -> auth, "
                                f"delivery-worker -> (mqtt) -> mqtt-consumer (exit {code})")
        return
    caller, callee = broken_edge.split("->")
    if caller == "ops-worker":  # no alert crosses that edge: judge the oldest health tick instead
        _, found = http_json(f"{collector}/api/traces?root_service=ops-worker&integrity=broken_hop&limit=1000")
        ticks = (found or {}).get("traces", [])
        code, report = verify(tracemesh, collector, ["--trace", ticks[-1]["trace_id"]], spec=False) if ticks \
            else (None, None)
    named = [message for message in failure_messages(report) if caller in message and callee in message]
    checks.check(code == 1 and bool(named), f"verify fails (exit {code}) naming {caller} and {callee}")
    if named:
        print(f"        {named[0]}")


def show_logs(tracemesh, fleet, trace_ids, broken_edge, checks):
    """The same request judged from logs alone, as a fleet without spans would: verify --logs."""
    logs = [fleet.log_path("ui"), fleet.log_path("webhook-receiver")]
    heading("the first alert from logs alone: tracemesh verify --logs ui.log --logs webhook-receiver.log")
    command = [tracemesh, "verify", "--trace-id", trace_ids[0], "--expect", "ui -> webhook-receiver"]
    for path in logs:
        command += ["--logs", path]
    shown = subprocess.run(command, capture_output=True, text=True, check=False)
    print((shown.stdout + shown.stderr).rstrip())
    on_path = broken_edge in ("ui->delivery-worker", "delivery-worker->webhook-receiver")
    if not on_path:
        checks.check(shown.returncode == 0, "both services logged the alert's id, ui first: the hop is in the logs "
                                            f"too (exit {shown.returncode})")
    else:
        checks.check(shown.returncode == 1 and "never webhook-receiver" in shown.stdout,
                     f"verify --logs fails (exit {shown.returncode}) saying the id never reached webhook-receiver")


def show_graph(collector, broken_edge, checks):
    heading(f"service graph: GET {collector}/api/graph")
    _, graph = http_json(f"{collector}/api/graph?lookback=1h")
    edges = (graph or {}).get("edges", [])
    print(f"  {'caller -> callee':<38} {'proto':<5} {'calls':>5} {'connected':>9} {'broken':>6} {'health':>7} "
          f"{'p50':>8}")
    for edge in edges:
        name = f"{edge['caller']} -> {edge['callee']}"
        health = edge.get("propagation_health")
        health_text = "-" if health is None else f"{100 * health:.0f}%"
        print(f"  {name:<38} {edge['protocol']:<5} {edge['calls']:>5} {edge['connected']:>9} {edge['broken']:>6} "
              f"{health_text:>7} {edge['p50_ms']:>6.1f}ms")
    summary = (graph or {}).get("summary", {})
    print(f"  services with tracing {summary.get('services_with_tracing')}/{summary.get('services_total')}, "
          f"cross-service calls traced {summary.get('cross_service_calls_traced_percent')}%")
    expected = {tuple(edge.split("->")) for edge in fleet_module.FLEET_EDGES}
    seen = {(edge["caller"], edge["callee"]) for edge in edges}
    checks.check(expected <= seen, f"the graph has all {len(expected)} edges of the fleet"
                 + ("" if expected <= seen else f" (missing: {sorted(expected - seen)})"))
    unhealthy = sorted(f"{edge['caller']}->{edge['callee']}" for edge in edges if edge["broken"] > 0)
    if broken_edge is None:
        checks.check(not unhealthy, "every edge propagates the trace (health 100%)"
                     + ("" if not unhealthy else f"; below 100%: {', '.join(unhealthy)}"))
    else:
        checks.check(unhealthy == [broken_edge], f"only {broken_edge} is below 100% health"
                     + ("" if unhealthy == [broken_edge] else f" (below 100%: {', '.join(unhealthy) or 'none'})"))


def run_json(command, what, checks):
    """Run a tool that prints JSON; return (report, exit code), or (None, code) after a failed check."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout), done.returncode
    except json.JSONDecodeError:
        checks.check(False, f"{what} printed no JSON (exit {done.returncode}): {done.stderr.strip()}")
        return None, done.returncode


def show_audit(tracemesh, broken_edge, checks):
    heading("static audit: tracemesh audit examples/fleet")
    report, returncode = run_json([tracemesh, "audit", HERE, "--format", "json"], "tracemesh audit", checks)
    if report is None:
        return
    for service in report["services"]:
        language = LANGUAGES.get(service["language"], service["language"])
        if not service["audited"]:
            print(f"  {service['name']:<17} {language:<10} listed, not audited (the audit reads Python)")
            continue
        middleware = service["inbound_middleware"]
        where = f"{middleware['file']}:{middleware['line']}" if middleware["present"] else "none"
        print(f"  {service['name']:<17} {language:<10} {service['framework'] or '-'}, "
              f"tracing middleware: {where}")
    for call in report["outbound_calls"]:
        if call["target_kind"] == "telemetry":
            continue
        traced = "traced" if call["propagates_trace"] else "NOT traced"
        print(f"    {call['file']}:{call['line']}  {call['method']} {call['target']}  {traced}"
              + (f" ({call['how']})" if call["propagates_trace"] else ""))
    metrics = report["metrics"]
    print(f"  services with tracing {metrics['services_with_tracing']}/{metrics['services_total']}, "
          f"cross-service call sites traced {metrics['cross_service_traced']}/{metrics['cross_service_call_sites']}")
    checks.check(returncode == 0, f"audit thresholds of examples/fleet/.tracemesh.yaml hold "
                                  f"(exit {returncode})")
    untraced = [call for call in report["outbound_calls"]
                if not call["propagates_trace"] and call["target_kind"] != "telemetry"]
    if untraced:
        print("  the untraced site is the code path --break webhook-receiver->auth takes: "
              "the audit finds it without running anything")
    if broken_edge == "webhook-receiver->auth":
        checks.check(any(call["target_service"] == "auth" for call in untraced),
                     "the audit flags the broken edge's call site statically")


def show_fix(tracemesh, checks):
    heading("the fixer: tracemesh fix examples/fleet")
    report, returncode = run_json([tracemesh, "fix", HERE, "--format", "json"], "tracemesh fix", checks)
    if report is None:
        return
    for site in report["fixed"]:
        print(f"  {site['file']}:{site['line']}  {site['idiom']}")
    for line in report["patch"].splitlines():
        print(f"    {line}")
    checks.check(returncode == 0 and len(report["fixed"]) == 1 and not report["skipped"],
                 "the fixer writes the patch for the untraced site in the service's own idiom "
                 "(`--write` applies it; the end-to-end test FleetFix shows the edge connected after a restart)")


def show_map(tracemesh, collector, broken_edge, checks):
    heading(f"propagation map: tracemesh audit examples/fleet --against {collector}")
    report, _ = run_json([tracemesh, "audit", HERE, "--against", collector, "--since", "1h",
                          "--wait-settled", "10s", "--format", "json"], "tracemesh audit --against", checks)
    if report is None:
        return
    for edge in report["edges"]:
        name = f"{edge['caller']} -> {edge['callee'] or edge['peer'] or '?'}"
        endpoint = f"{edge['method'] or ''} {edge['endpoint']}".strip()
        sites = [site for site in edge["sites"] if site["blamed"]] or edge["sites"]
        where = ", ".join(f"{site['file']}:{site['line']}" for site in sites)
        print(f"  {edge['state']:<16} {name:<36} {edge['protocol']:<5} {endpoint:<20} {where}")
    coverage = report["coverage"]
    print(f"  edges proven {coverage['edges_proven']}/{coverage['edges_judged']} ({coverage['percent']:.1f} %)")
    states = {(edge["caller"], edge["callee"]): edge for edge in report["edges"]}
    if broken_edge is None:
        others = sorted(f"{edge['caller']}->{edge['callee']}: {edge['state']}" for edge in report["edges"]
                        if edge["state"] != "proven")
        checks.check(not others, "every edge of the code is proven at runtime"
                     + ("" if not others else f" (not proven: {', '.join(others)})"))
        return
    caller, callee = broken_edge.split("->")
    edge = states.get((caller, callee))
    blamed = [f"{site['file']}:{site['line']}" for site in (edge or {}).get("sites", []) if site["blamed"]]
    checks.check(edge is not None and edge["state"] == "broken_in_code" and len(blamed) == 1,
                 f"{broken_edge} is broken_in_code, blamed on {', '.join(blamed) or 'no call site'}")
    others = [name for name, found in states.items() if name != (caller, callee) and found["state"] != "proven"]
    checks.check(not others, "every other edge is proven"
                 + ("" if not others else f" (not proven: {others})"))


def wait_for_interrupt(fleet, collector):
    print(f"\nThe UI is at {collector} (traces, integrity, service graph). Ctrl-C stops the fleet.", flush=True)
    try:
        while not fleet.dead():
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("\nstopping the fleet", flush=True)
        return 0
    print(f"demo: {', '.join(fleet.dead())} exited; stopping the fleet", file=sys.stderr)
    return 1


def interrupt(number, _frame):
    """SIGTERM and SIGHUP stop the demo as Ctrl-C does: the fleet is stopped, its folder removed."""
    raise KeyboardInterrupt(f"signal {number}")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                     epilog="Edges: " + ", ".join(fleet_module.FLEET_EDGES))
    parser.add_argument("--build-dir", default="build/release", help="the build tree (default: %(default)s)")
    parser.add_argument("--break", dest="broken_edge", metavar="EDGE", default=os.environ.get("BREAK") or None,
                        help="drop the trace context on this edge (or BREAK=EDGE)")
    parser.add_argument("--http-listen", default=os.environ.get("DEMO_HTTP_LISTEN", "127.0.0.1:16686"),
                        help="the collector's UI and query API (default: %(default)s, or DEMO_HTTP_LISTEN)")
    parser.add_argument("--once", action="store_true", default=os.environ.get("DEMO_ONCE", "") not in ("", "0"),
                        help="exit after the checks (or DEMO_ONCE=1)")
    return parser.parse_args(argv)


def main(argv):
    arguments = parse_arguments(argv)
    build_dir = os.path.abspath(arguments.build_dir)
    tracemesh = os.path.join(build_dir, "src", "cli", "tracemesh")
    if not os.access(tracemesh, os.X_OK):
        print(f"demo: no tracemesh binary at {tracemesh}; run `make demo`", file=sys.stderr)
        return 2
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, interrupt)
    checks = Checks()
    heading("tracemesh demo: starting the fleet on loopback")
    try:
        fleet = fleet_module.Fleet(os.path.join(build_dir, "examples", "fleet"), tracemesh, arguments.broken_edge,
                                   arguments.http_listen, grace="2s", log=lambda line: print(line, file=sys.stderr))
        with fleet:
            collector = fleet.collector["http"]
            print(f"  {'mosquitto':<17} {'MQTT broker':<32} mqtt://127.0.0.1:{fleet.mqtt_port}")
            print(f"  {'collector':<17} {'tracemesh collect':<32} {collector} (UI), {fleet.collector['otlp']}")
            for name, (language, _) in fleet_module.SERVICES.items():
                print(f"  {name:<17} {language:<32} {fleet.urls.get(name, '(no server: a background loop)')}")
            print(f"  broken edge: {fleet.broken_edge or 'none'}")
            trace_ids = send_alerts(fleet.urls["ui"], checks)
            if trace_ids:
                show_traces(tracemesh, collector, trace_ids, fleet.broken_edge, checks)
                show_logs(tracemesh, fleet, trace_ids, fleet.broken_edge, checks)
            show_graph(collector, fleet.broken_edge, checks)
            show_audit(tracemesh, fleet.broken_edge, checks)
            show_map(tracemesh, collector, fleet.broken_edge, checks)
            show_fix(tracemesh, checks)
            heading("result")
            print(f"  {'every check held' if checks.failed == 0 else f'{checks.failed} check(s) failed'}"
                  f"{'' if fleet.broken_edge is None else f' (with --break {fleet.broken_edge})'}", flush=True)
            if not arguments.once and wait_for_interrupt(fleet, collector) != 0:
                return 1
        if fleet.failures:
            print(f"demo: {', '.join(fleet.failures)} did not stop cleanly (see above)", file=sys.stderr)
            return 1
    except fleet_module.FleetError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ndemo: interrupted; the fleet is stopped", file=sys.stderr)
        return 130
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
