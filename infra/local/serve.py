"""`make serve`: the HTTP API on 127.0.0.1:$PORT over the embedded AWS on 127.0.0.1:$AWS_PORT."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from campaign_status.settings import settings
from infra.local.gateway import LocalGateway, serve_http
from infra.local.runtime import LocalAws


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    aws_port = int(os.environ.get("AWS_PORT", "4566"))
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    aws = LocalAws(port=aws_port).start()
    server = serve_http(LocalGateway(aws), port)
    print(f"API:            http://127.0.0.1:{port}  (try /health)")
    print(f"Embedded AWS:   {aws.endpoint}  (region us-east-1, any credentials)")
    print(f"Meta webhook:   http://127.0.0.1:{port}/webhooks/whatsapp")
    print(f"  app secret    WHATSAPP_APP_SECRET={settings().app_secret}")
    print(f"  verify token  WHATSAPP_VERIFY_TOKEN={settings().verify_token}")
    # `make stop PORT=...` reads it: the server is a child of make, which does not pass a kill on.
    pid_file = Path(f".serve-{port}.pid")
    pid_file.write_text(f"{os.getpid()}\n")
    print(f"Ctrl-C (or make stop PORT={port}) stops.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        aws.stop()
        pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
