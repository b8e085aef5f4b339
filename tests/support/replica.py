"""A loopback HTTP server that stands in for a news site in tests.

Routes map a path (with its query string) to a response; anything else is a 404. Every request
is logged, so tests can count what the crawler fetched. Routes may change while it runs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Handler = Callable[[str], Page]


class Replica:
    def __init__(self) -> None:
        self.routes: dict[str, Page | Handler] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        replica = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with replica._lock:
                    replica.requests.append(self.path)
                    route = replica.routes.get(self.path)
                page = route(self.path) if callable(route) else route
                if page is None:
                    page = Page(b"<html><body>not found</body></html>", status=404)
                if page.delay:
                    time.sleep(page.delay)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Replica:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, path: str, body: bytes | str, **kwargs: object) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Page(body, **kwargs)

    def add_file(self, path: str, file: Path, **kwargs: object) -> None:
        self.add(path, file.read_bytes(), **kwargs)

    def hits(self) -> Counter[str]:
        with self._lock:
            return Counter(self.requests)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
