"""A loopback HTTP server that stands in for a news site in tests.

Routes map a path (with its query string) to a response; anything else is a 404. Every request
is logged, so tests can count what the crawler fetched. Routes may change while it runs.

A page can also misbehave on purpose (``tests/test_hostile.py``): stall after its headers, stream
a body of any size from chunks (never held in memory whole), declare a Content-Length it never
delivers, or cut the connection part-way, with a FIN or a TCP reset.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
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
    # -- misbehaviour (all off by default) --
    # Body chunks to stream instead of ``body`` (a callable, so every request streams afresh).
    # Sent with chunked transfer encoding unless ``content_length`` is given.
    chunks: Callable[[], Iterable[bytes]] | None = None
    content_length: int | None = None  # the Content-Length to declare, true or not
    stall: float = 0.0  # seconds to wait after the headers, before the first body byte
    abort_after: int | None = None  # close the connection after this many body bytes
    reset: bool = False  # ...with a TCP reset (RST) rather than an orderly close


Handler = Callable[[str], Page]


def _misbehaves(page: Page) -> bool:
    return bool(
        page.chunks is not None
        or page.content_length is not None
        or page.stall
        or page.abort_after is not None
        or page.reset
    )


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
                if _misbehaves(page):
                    self._misbehave(page)
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args: object) -> None:
                pass

            def _misbehave(self, page: Page) -> None:
                self.close_connection = True
                chunked = page.chunks is not None and page.content_length is None
                length = page.content_length
                if length is None and page.chunks is None:
                    length = len(page.body)
                try:
                    self.send_response(page.status)
                    self.send_header("Content-Type", page.content_type)
                    if chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                    else:
                        self.send_header("Content-Length", str(length))
                    self.send_header("Connection", "close")
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if page.stall:
                        time.sleep(page.stall)
                    budget = page.abort_after
                    for chunk in page.chunks() if page.chunks else [page.body]:
                        if budget is not None:
                            chunk = chunk[:budget]
                            budget -= len(chunk)
                        if chunked and chunk:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        elif chunk:
                            self.wfile.write(chunk)
                        if budget == 0:
                            break
                    else:
                        if chunked:
                            self.wfile.write(b"0\r\n\r\n")
                    if page.reset:
                        # Linger 0: close() sends RST instead of FIN, discarding unsent data.
                        linger = struct.pack("ii", 1, 0)
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                        self.connection.close()
                except OSError:
                    pass  # the crawler hung up first (timeout, size limit): that is the test

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
