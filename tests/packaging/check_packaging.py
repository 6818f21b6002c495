#!/usr/bin/env python3
"""Check that the container image and the systemd unit fit the binary they ship.

  - the Dockerfile's runtime stage installs the Debian package of every shared
    library the tracemesh binary links (found with ldd and dpkg -S on this
    machine, which runs the image's Debian 12);
  - it runs as a user of its own, listens on 0.0.0.0 inside the container and
    exposes 4317, 4318 and 16686;
  - every TRACEMESH_* variable the Dockerfile, the unit and its environment
    file set is one `tracemesh collect --help` names (no setting silently ignored).

Usage: check_packaging.py BINARY REPOSITORY_ROOT
"""
import os
import re
import subprocess
import sys

# In every Debian image already; the sanitizers' runtimes only in test builds.
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}
SANITIZER = re.compile(r"^lib(asan|ubsan|lsan|tsan)\d*$")


def package_of(path):
    real = os.path.realpath(path)
    for candidate in (real, real.removeprefix("/usr"), path, path.removeprefix("/usr")):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0]
    return None


def linked_packages(binary):
    output = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    packages = set()
    for line in output.splitlines():
        match = re.search(r"=> (/\S+)", line)
        if not match:
            continue
        package = package_of(match.group(1))
        if package is None:
            sys.exit(f"no Debian package provides {match.group(1)}: the image cannot install it")
        packages.add(package)
    return {p for p in packages if p not in BASE_PACKAGES and not SANITIZER.match(p)}


def runtime_stage(dockerfile):
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)
    if len(stages) < 3:
        sys.exit("the Dockerfile must build in one stage and run in another")
    return stages[-1]


def main():
    binary, root = sys.argv[1], sys.argv[2]
    failures = []
    dockerfile = open(os.path.join(root, "Dockerfile")).read()
    # Comments say nothing about what the image holds.
    runtime = "\n".join(line for line in runtime_stage(dockerfile).splitlines()
                        if not line.lstrip().startswith("#"))
    installed = set(re.findall(r"\b(lib[\w.+-]+|zlib1g|ca-certificates)\b", runtime))
    for package in sorted(linked_packages(binary)):
        if package not in installed:
            failures.append(f"Dockerfile: the runtime stage does not install {package}, "
                            f"which the binary links")
    if not re.search(r"^USER (?!root\b)\S+", runtime, flags=re.MULTILINE):
        failures.append("Dockerfile: the runtime stage must run as a user other than root")
    exposed = {port for line in re.findall(r"^EXPOSE (.+)$", runtime, flags=re.MULTILINE)
               for port in line.split()}
    for port in ("4317", "4318", "16686"):
        if port not in exposed:
            failures.append(f"Dockerfile: port {port} is not exposed")
    for variable in ("TRACEMESH_OTLP_LISTEN", "TRACEMESH_OTLP_GRPC_LISTEN", "TRACEMESH_HTTP_LISTEN"):
        if not re.search(variable + r"=0\.0\.0\.0:", runtime):
            failures.append(f"Dockerfile: {variable} must listen on 0.0.0.0 inside the container")

    help_text = subprocess.run([binary, "collect", "--help"], capture_output=True, text=True).stdout
    known = set(re.findall(r"\(Env:(TRACEMESH_\w+)\)", help_text))
    if not known:
        failures.append("tracemesh collect --help names no TRACEMESH_* variable")
    for name in ("Dockerfile", "packaging/tracemesh.service", "packaging/tracemesh.env"):
        text = open(os.path.join(root, name)).read()
        for variable in sorted(set(re.findall(r"\b(TRACEMESH_[A-Z_]+)=", text))):
            if variable not in known:
                failures.append(f"{name}: {variable} is no flag of tracemesh collect")
    unit = open(os.path.join(root, "packaging/tracemesh.service")).read()
    if not re.search(r"^ExecStart=/usr/local/bin/tracemesh collect\b", unit, flags=re.MULTILINE):
        failures.append("packaging/tracemesh.service: ExecStart must run tracemesh collect")

    for failure in failures:
        print(failure)
    print(f"{len(failures)} problem(s); {len(known)} TRACEMESH_* variables known")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
