"""Stock Neo4j 5.26 community from Maven Central, in a child JVM, for the tests and `make neo4j`.

Test infrastructure, not part of kgloader. `tests/neo4j/pom.xml` names the artifacts; the first
build asks Maven for their classpath (jars cached in ~/.m2) and compiles the launcher
(`tests/neo4j/src/Neo4jServer.java`) with javac, both into `tests/neo4j/target`; later starts
are a plain `java -cp`, redone only when the pom or the launcher change.

    python tests/neo4j_server.py [--home DIR]    # the server in the foreground, until Ctrl-C
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent / "neo4j"
POM = PROJECT / "pom.xml"
SOURCE = PROJECT / "src" / "Neo4jServer.java"
TARGET = PROJECT / "target"
CLASSPATH = TARGET / "classpath.txt"
CLASSES = TARGET / "classes"
READY = "NEO4J_READY "
FAILED = "NEO4J_FAILED "
INSTALL = "Java 17 and Maven (Debian: apt-get install default-jdk-headless maven)"


class Unavailable(Exception):
    """Neo4j cannot be started here: Java or Maven missing, the artifacts unresolvable, or the server failed."""


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=1200)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise Unavailable(f"{what} failed (exit {done.returncode}): {tail}")


def build() -> list[str]:
    """The command that starts the launcher; resolves the classpath and compiles it first where needed."""
    missing = [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]
    if missing:
        raise Unavailable(f"{', '.join(missing)} not found: install {INSTALL}")
    if not CLASSPATH.exists() or CLASSPATH.stat().st_mtime < POM.stat().st_mtime or not all(
            Path(jar).exists() for jar in CLASSPATH.read_text().strip().split(os.pathsep)):
        _run(["mvn", "-B", "-q", "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH}"],
             "resolving Neo4j from Maven Central (mvn dependency:build-classpath)")
    jars = CLASSPATH.read_text().strip()
    compiled = CLASSES / "Neo4jServer.class"
    if not compiled.exists() or compiled.stat().st_mtime < SOURCE.stat().st_mtime:
        _run(["javac", "-d", str(CLASSES), "-cp", jars, str(SOURCE)], "compiling the launcher (javac)")
    return ["java", "-Xms256m", "-Xmx1g", "-cp", f"{CLASSES}{os.pathsep}{jars}", "Neo4jServer"]


@dataclass
class Neo4jServer:
    """A running server this process started; stopping it is closing its standard input."""

    process: subprocess.Popen[bytes]
    bolt: str
    http: str
    user: str
    password: str
    home: Path

    @property
    def ports(self) -> tuple[int, int]:
        return int(self.bolt.rsplit(":", 1)[1]), int(self.http.rsplit(":", 1)[1])

    @classmethod
    def start(cls, home: Path, password: str | None = None, ports: tuple[int, int] | None = None,
              timeout: float = 180, auth: bool = True) -> Neo4jServer:
        """Start on `home` (created, or reused with its data). A new password is generated unless given;
        ports are free ones unless given (to start again where a killed server was)."""
        command = [*build(), "--home", str(home), "--stop-on-eof"]
        if ports:
            command += ["--bolt-port", str(ports[0]), "--http-port", str(ports[1])]
        env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "NEO4J_AUTH")}
        if not auth:
            env["NEO4J_AUTH"] = "none"  # authentication off (the launcher reports an empty password)
        if password:
            env["NEO4J_PASSWORD"] = password
        home.mkdir(parents=True, exist_ok=True)
        out = home / "launcher.out"
        with out.open("wb") as handle:  # a file, not a pipe: nothing the JVM prints can ever block it
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=handle, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in out.read_text(errors="replace").splitlines():
                if line.startswith(READY):
                    info = json.loads(line.removeprefix(READY))
                    return cls(process, info["bolt"], info["http"], info["user"], info["password"], home)
                if line.startswith(FAILED):
                    break
            if process.poll() is not None:
                break
            time.sleep(0.1)
        process.kill()
        process.wait()
        log = home / "logs" / "neo4j.log"
        tail = " | ".join(out.read_text(errors="replace").strip().splitlines()[-3:])
        if log.exists():
            tail += " | " + " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
        raise Unavailable(f"Neo4j did not start within {timeout:.0f} s (logs in {home / 'logs'}): {tail}")

    def stop(self, timeout: float = 60) -> None:
        """Close its standard input (the launcher then stops the server cleanly); SIGKILL if it hangs."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                assert self.process.stdin is not None
                self.process.stdin.close()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 12) -> str:
        """The end of the server's logs, for a failing test's message."""
        out = []
        for name in ("neo4j.log", "debug.log"):
            path = self.home / "logs" / name
            if path.exists():
                out += [f"--- {path}", *path.read_text(errors="replace").strip().splitlines()[-lines:]]
        return "\n".join(out)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no checkpoint, as in a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description="Stock Neo4j 5.26 community on loopback, in the foreground.")
    parser.add_argument("--home", type=Path, help="data and logs (kept); default: a temporary folder, deleted")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="kgloader-neo4j-"))
    started = time.monotonic()
    try:
        server = Neo4jServer.start(home.resolve(), password=os.environ.get("NEO4J_PASSWORD"))
    except Unavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(f"Neo4j is running (started in {time.monotonic() - started:.1f} s); Ctrl-C stops it.\n"
          f"  Bolt      {server.bolt}\n"
          f"  Browser   {server.http}/browser/  (connect URL {server.bolt}, user {server.user})\n"
          f"  user      {server.user}\n"
          f"  password  {server.password}\n"
          f"  data      {server.home}{'' if args.home else ' (temporary)'}\n"
          f"Try:  NEO4J_PASSWORD='{server.password}' .venv/bin/kgloader load examples/articles --uri {server.bolt}",
          flush=True)
    stop = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.append(True))
    while not stop and server.process.poll() is None:
        time.sleep(0.2)
    server.stop()
    if not args.home:
        shutil.rmtree(home, ignore_errors=True)
    print("Neo4j stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
