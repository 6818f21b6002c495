#!/usr/bin/env python3
"""Start the demo fleet on loopback: mosquitto, a tracemesh collector and seven services.

Every service listens on a free loopback port chosen at start and exports its
spans to the one collector, whose store lives in a temporary data directory.
The fleet runs until SIGINT/SIGTERM, then every process it started is stopped
(services first, so their last spans reach the collector) and the temporary
directory is removed.

    fleet.py --build-dir build/release [--break EDGE] [--http-listen 127.0.0.1:16686]
             [--ready-file FILE]

--break EDGE makes the caller drop the trace context on that edge, as a
forgotten plain client would: it still records its CLIENT/PRODUCER span, but
the callee receives no trace headers. EDGE is CALLER->CALLEE, one of
FLEET_EDGES (ops-worker->SERVICE for any service it health-checks).

Once everything is up, the endpoints are printed (and written as JSON to
--ready-file): {"collector": {"otlp", "http"}, "mqtt", "services": {name: url},
"logs", "break"}. Exit codes: 0 stopped by a signal with every process
stopping cleanly, 1 the fleet failed to start, a process died, or one exited
with an error when stopped (its log's tail is printed), 2 usage error.
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
START_TIMEOUT_SECONDS = 30
STOP_GRACE_SECONDS = 5

# The services in start order (each one's callees are up before it starts):
# name -> (language, the environment variables naming its callees).
SERVICES = {
    "auth": ("C++ (Boost.Beast)", {}),
    "agent": ("Node.js (OpenTelemetry JS SDK)", {}),
    "webhook-receiver": ("Python (FastAPI)", {"AUTH_URL": "auth"}),
    "delivery-worker": ("C++ (libcurl, libmosquitto)", {"WEBHOOK_URL": "webhook-receiver"}),
    "mqtt-consumer": ("C++ (libmosquitto)", {}),
    "ui": ("C++ (cpp-httplib)", {"AUTH_URL": "auth", "AGENT_URL": "agent", "DELIVERY_URL": "delivery-worker"}),
    "ops-worker": ("C++ (libcurl)", {}),
}
HEALTH_CHECKED = ["ui", "auth", "agent", "delivery-worker", "webhook-receiver", "mqtt-consumer"]
FLEET_EDGES = [
    "ui->auth", "ui->agent", "ui->delivery-worker", "delivery-worker->webhook-receiver",
    "delivery-worker->mqtt-consumer", "webhook-receiver->auth",
] + [f"ops-worker->{name}" for name in HEALTH_CHECKED]
AUTH_TOKENS = "demo-token,webhook-token"
# Services whose log lines are JSON naming the request's trace id (the ui
# through tracemesh's spdlog formatter, the webhook-receiver by hand).
JSON_LOGGERS = ("ui", "webhook-receiver")
# As examples/fleet/alert-trace.yaml says why: a server span ends after its
# response is written, so its caller may end first by a scheduling delay.
SKEW_TOLERANCE = "25ms"
# The webhook-receiver runs on Debian's python3-fastapi, uvicorn and httpx: the
# system interpreter, not whichever python3 (pyenv, a virtualenv) comes first in PATH.
SYSTEM_PYTHON = os.environ.get("FLEET_PYTHON") or (
    "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)


class FleetError(Exception):
    """The fleet could not start; the message says which process and why."""


def normalized_edge(edge):
    """EDGE with the spaces around its arrow removed, or FleetError when unknown."""
    caller, arrow, callee = edge.partition("->")
    normalized = f"{caller.strip()}->{callee.strip()}"
    if not arrow or normalized not in FLEET_EDGES:
        raise FleetError(f"unknown edge '{edge}'; one of: {', '.join(FLEET_EDGES)}")
    return normalized


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent():
    """In the child: get SIGTERM when the launcher dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Fleet:
    """The running fleet; use as a context manager so that every process is stopped."""

    def __init__(self, build_dir, tracemesh, broken_edge=None, http_listen="127.0.0.1:0",
                 grace="2s", log=print, work_dir=None):
        self.build_dir = os.path.abspath(build_dir)
        self.tracemesh = os.path.abspath(tracemesh)
        self.broken_edge = normalized_edge(broken_edge) if broken_edge else None
        self.http_listen = http_listen
        self.grace = grace
        self.log = log
        # A folder of the caller's is left in place (it may want the logs); our own is removed.
        self.own_work = work_dir is None
        self.work = tempfile.mkdtemp(prefix="tracemesh-fleet.") if self.own_work else os.path.abspath(work_dir)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.failures = {}  # name -> exit status of a process that did not stop cleanly
        self.processes = []  # (name, Popen) in start order
        self.urls = {}
        self.collector = {}
        self.mqtt_port = 0

    def __enter__(self):
        try:
            self._start_mosquitto()
            self._start_collector()
            for name in SERVICES:
                self._start_service(name)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, name, lines=15):
        try:
            with open(self.log_path(name), encoding="utf-8", errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError as error:
            return f"(no log: {error})\n"

    def endpoints(self):
        return {"collector": self.collector, "mqtt": f"mqtt://127.0.0.1:{self.mqtt_port}",
                "services": dict(self.urls), "logs": self.logs, "break": self.broken_edge}

    def dead(self):
        """Names of started processes that exited."""
        return [name for name, process in self.processes if process.poll() is not None]

    def log_path(self, name):
        return os.path.join(self.logs, f"{name}.log")

    def stop(self):
        """Stop every process and clean up: the services together (SIGTERM, SIGKILL after a
        grace), so their last spans reach the collector; then the collector; then mosquitto.

        A process that exits with a non-zero status, dies of a signal or needs SIGKILL is
        recorded in `failures`, its log's tail printed: a crash on the way out (a sanitizer
        report, a lost flush) is a failure too."""
        stage = {"collector": 1, "mosquitto": 2}  # every other process is a service: stage 0
        for group in ([entry for entry in self.processes if stage.get(entry[0], 0) == k] for k in range(3)):
            for _, process in group:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for name, process in group:
                try:
                    status = process.wait(STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    self.log(f"fleet: {name} ignored SIGTERM for {STOP_GRACE_SECONDS} s; killing it")
                    process.kill()
                    status = process.wait()
                    self.failures[name] = status
                if status != 0 and name not in self.failures:
                    self.failures[name] = status
                if name in self.failures:
                    self.log(f"fleet: {name} stopped with status {self.failures[name]}; its log:\n"
                             + self.log_tail(name))
        self.processes.clear()
        if self.own_work:
            shutil.rmtree(self.work, ignore_errors=True)

    # -- starting -------------------------------------------------------------

    def _spawn(self, name, argv, env=None, cwd=None):
        log = open(self.log_path(name), "wb")  # pylint: disable=consider-using-with
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       env=env, cwd=cwd, start_new_session=True,
                                       preexec_fn=_die_with_parent)
        except OSError as error:
            raise FleetError(f"cannot start {name} ({argv[0]}): {error}") from error
        finally:
            log.close()
        self.processes.append((name, process))
        return process

    def _failed(self, name, process, waiting_for):
        why = f"exited with status {process.returncode}" if process.poll() is not None else \
            f"did not {waiting_for} within {START_TIMEOUT_SECONDS} s"
        return FleetError(f"{name} {why}; its log ({self.log_path(name)}):\n{self.log_tail(name)}")

    def _wait_for_line(self, name, process, prefix):
        """Wait until the log of `name` has a line starting with `prefix`; return that line."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            with open(self.log_path(name), encoding="utf-8", errors="replace") as log:
                for line in log:
                    if line.startswith(prefix):
                        return line.strip()
            if process.poll() is not None or time.monotonic() > deadline:
                raise self._failed(name, process, f"print '{prefix}'")
            time.sleep(0.05)

    def _wait_for_port(self, name, process, port, retry):
        """Wait until `process` accepts on loopback `port` and is still running a moment
        later (a port someone else took makes it exit instead). False when it exited and
        `retry` allows another port; FleetError otherwise."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                time.sleep(0.2)
                if process.poll() is None:
                    return True
            except OSError:
                time.sleep(0.05)
        if process.poll() is not None and retry:
            return False
        raise self._failed(name, process, f"accept on port {port}")

    def _start_mosquitto(self):
        mosquitto = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
        if mosquitto is None:
            raise FleetError("mosquitto is not installed (scripts/bootstrap installs it)")
        # mosquitto cannot report a port it chose: pick a free one, and pick again if
        # something took it before mosquitto bound it.
        for attempt in range(3):
            self.mqtt_port = free_port()
            config = os.path.join(self.work, "mosquitto.conf")
            with open(config, "w", encoding="utf-8") as out:
                out.write(f"listener {self.mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                          "log_dest stdout\n")
            process = self._spawn("mosquitto", [mosquitto, "-c", config])
            if self._wait_for_port("mosquitto", process, self.mqtt_port, retry=attempt < 2):
                return
            self.processes.remove(("mosquitto", process))

    def _start_collector(self):
        argv = [self.tracemesh, "collect", "--otlp-listen", "127.0.0.1:0", "--otlp-grpc-listen", "127.0.0.1:0", "--http-listen", self.http_listen,
                "--data", os.path.join(self.work, "data"), "--grace", self.grace,
                "--skew-tolerance", SKEW_TOLERANCE, "--format", "json"]
        # The services that log JSON lines with their trace id: the trace view shows their lines.
        for name in JSON_LOGGERS:
            argv += ["--log-file", f"{self.log_path(name)}:{name}"]
        process = self._spawn("collector", argv)
        line = self._wait_for_line("collector", process, '{"otlp"')
        started = json.loads(line)
        self.collector = {"otlp": started["otlp"], "http": started["http"]}

    def _environment(self, name, extra):
        # A developer's OTEL_* settings must not change the fleet, nor a proxy take loopback calls.
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("OTEL_") and key.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        otlp_base = self.collector["otlp"].removesuffix("/v1/traces")
        env.update({
            "OTEL_SERVICE_NAME": name,
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_base,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "LISTEN": "127.0.0.1:0",
            "MQTT_HOST": "127.0.0.1",
            "MQTT_PORT": str(self.mqtt_port),
            "AUTH_TOKENS": AUTH_TOKENS,
            "FLEET_BREAK": self.broken_edge or "",
        })
        env.update(extra)
        return env

    def _start_service(self, name):
        _, callees = SERVICES[name]
        extra = {variable: self.urls[callee] for variable, callee in callees.items()}
        cwd = None
        if name == "agent":
            argv = ["node", os.path.join(HERE, "agent", "agent.cjs")]
            extra["NODE_PATH"] = os.path.join(self.build_dir, "agent", "node_modules")
        elif name == "webhook-receiver":
            argv = [SYSTEM_PYTHON, os.path.join(HERE, "webhook-receiver", "app.py")]
            cwd = os.path.join(HERE, "webhook-receiver")
        else:
            argv = [os.path.join(self.build_dir, f"fleet-{name}")]
        if name == "ops-worker":
            extra["HEALTH_TARGETS"] = ",".join(f"{target}={self.urls[target]}/healthz" for target in HEALTH_CHECKED)
        process = self._spawn(name, argv, env=self._environment(name, extra), cwd=cwd)
        if name == "ops-worker":
            self._wait_for_line(name, process, "checking ")
            return
        line = self._wait_for_line(name, process, "listening on http://")
        self.urls[name] = line.removeprefix("listening on ").strip()
        if name == "mqtt-consumer":
            self._wait_for_line(name, process, "subscribed to ")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Edges: " + ", ".join(FLEET_EDGES))
    parser.add_argument("--build-dir", default="build/release/examples/fleet",
                        help="the build tree's examples/fleet (default: %(default)s)")
    parser.add_argument("--tracemesh", default="build/release/src/cli/tracemesh",
                        help="the tracemesh binary (default: %(default)s)")
    parser.add_argument("--break", dest="broken_edge", metavar="EDGE",
                        help="drop the trace context on this edge, e.g. delivery-worker->webhook-receiver")
    parser.add_argument("--http-listen", default="127.0.0.1:0",
                        help="the collector's query API and UI listener (default: any free loopback port)")
    parser.add_argument("--grace", default="2s", help="the collector's settle time (default: %(default)s)")
    parser.add_argument("--ready-file", help="write the endpoints here as JSON once the fleet is up")
    parser.add_argument("--work-dir", help="keep the collector's store and the logs in this folder (left in place); "
                                           "default: a temporary folder, removed at exit")
    return parser.parse_args(argv)


def main(argv):
    arguments = parse_arguments(argv)
    stop = []
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda number, _frame: stop.append(number))
    try:
        fleet = Fleet(arguments.build_dir, arguments.tracemesh, arguments.broken_edge, arguments.http_listen,
                      arguments.grace, log=lambda line: print(line, file=sys.stderr), work_dir=arguments.work_dir)
        with fleet:
            endpoints = fleet.endpoints()
            print(json.dumps(endpoints), flush=True)
            if arguments.ready_file:
                with open(arguments.ready_file + ".tmp", "w", encoding="utf-8") as out:
                    json.dump(endpoints, out)
                os.replace(arguments.ready_file + ".tmp", arguments.ready_file)
            while not stop and not fleet.dead():
                time.sleep(0.2)
            if fleet.dead():
                print(f"fleet: {', '.join(fleet.dead())} exited; stopping the fleet", file=sys.stderr)
        # Stopped: 0 only when every process was running and stopped cleanly.
        return 1 if fleet.failures or not stop else 0
    except FleetError as error:
        print(f"fleet: {error}", file=sys.stderr)
        return 2 if str(error).startswith("unknown edge") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
