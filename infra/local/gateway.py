"""The embedded API Gateway: HTTP requests become the HTTP API (payload 2.0) events the
deployed API would send, routed by the template's routes to the same handlers."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from infra.local.runtime import LocalAws


@dataclass
class GatewayResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class LocalGateway:
    def __init__(self, aws: LocalAws):
        self.aws = aws
        self.routes = aws.template.routes()

    def handle(self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> GatewayResponse:
        url = urlsplit(target)
        path = url.path or "/"
        route = next((r for r in self.routes if r.matches(method, path)), None)
        if route is None:
            message = {"message": "Not Found"}  # what API Gateway itself answers
            return GatewayResponse(404, {"content-type": "application/json"}, json.dumps(message).encode())
        event = self._event(method, path, url.query, headers or {}, body, route)
        result = self.aws.functions[route.function].invoke(event)
        if method != "GET":
            # Deployed, the stream reaches the counters within a second; here, before we answer.
            self.aws.pump.drain()
        raw = result.get("body") or ""
        data = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
        return GatewayResponse(int(result.get("statusCode", 200)), {k.lower(): v for k, v in (result.get("headers") or {}).items()}, data)

    @staticmethod
    def _event(method, path, query, headers, body, route) -> dict:
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        try:
            text, encoded = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        route_key = f"{route.method} {route.path}"
        event = {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": path,
            "rawQueryString": query,
            "headers": {k.lower(): v for k, v in headers.items()},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": "127.0.0.1",
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                         "userAgent": headers.get("User-Agent", "")},
                "requestId": uuid.uuid4().hex,
                "routeKey": route_key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
                "timeEpoch": int(time.time() * 1000),
            },
            "body": text if body else None,
            "isBase64Encoded": encoded,
        }
        if params:
            event["queryStringParameters"] = params
        if route.path.endswith("{proxy+}"):
            event["pathParameters"] = {"proxy": path[len(route.path) - len("{proxy+}"):]}
        return event


def serve_http(gateway: LocalGateway, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                response = gateway.handle(self.command, self.path, dict(self.headers.items()), body)
            except Exception as error:  # the embedded gateway answers like API Gateway would
                response = GatewayResponse(500, {"content-type": "application/json"},
                                           json.dumps({"message": f"Internal Server Error: {type(error).__name__}"}).encode())
            self.send_response(response.status)
            for key, value in response.headers.items():
                if key not in ("content-length", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer

        def log_message(self, *args):  # requests are not logged: URLs can carry lead ids
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
