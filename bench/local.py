"""The embedded AWS for the benchmarks.

The same `LocalAws` the tests use (the stack's table, bucket and state machine, the
project's handlers as the functions, the stream pump feeding the counter function), with
one difference: moto runs in its own process rather than in a thread of this one. The
counting benchmarks do not run Step Functions, and a separate process lets moto use the
second core instead of sharing this interpreter's GIL with the 16 writer threads, which
roughly halves the wall time of the replays. Nothing it counts depends on this.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import requests

from infra.local.runtime import LocalAws, StreamPump


class BenchAws(LocalAws):
    def start(self) -> "BenchAws":
        self._configure_environment()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                requests.get(f"{self.endpoint}/moto-api/", timeout=1)
                break
            except requests.RequestException:
                if time.time() > deadline or self._process.poll() is not None:
                    raise RuntimeError("moto server did not start")
                time.sleep(0.1)
        from infra.local.runtime import LocalFunction

        self.functions = {k: LocalFunction(k, s) for k, s in self.template.function_sources().items()}
        self.pump = StreamPump(self.function("functions/counter"))
        self.create_resources()
        return self

    def stop(self) -> None:
        process = getattr(self, "_process", None)
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            self._process = None
