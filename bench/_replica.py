"""A loopback replica of Daily Inqilab in a process of its own, fast enough not to be measured.

``python -m bench._replica --articles N`` builds the site (``bench._site``) in memory, prints
``PORT <n>`` and serves HTTP/1.1 keep-alive on 127.0.0.1 from one asyncio loop: pages are bytes
built once, so a request costs a dictionary look-up and a socket write. The threaded
``http.server`` the tests use spends more CPU per request than the crawler under test, and in the
crawler's process it would also hold the GIL against it; a separate process on the second core
keeps the crawler's figures its own.

Control paths (not counted as pages): ``/__stats`` (JSON: requests by kind, first and last
request on the monotonic clock, article paths fetched), ``/__reset``, ``/__publish?n=10``.

``Replica`` (below) starts and stops the server from a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from bench._proc import PROJECT
from bench._site import CATEGORIES, Site

ROBOTS = b"User-agent: *\nDisallow: /search\n"
HTML = "text/html; charset=utf-8"
LISTING_PATHS = {"/" + c: c for c in CATEGORIES}


class App:
    """Routes a request target to (kind, content type, body) and keeps the request log."""

    def __init__(self, site: Site):
        self.site = site
        self.cache: dict[str, tuple[str, str, bytes]] = {}
        self.reset()

    def reset(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.articles: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float | None = None
        self.bytes = 0

    def control(self, target: str) -> bytes | None:
        parts = urlsplit(target)
        if parts.path == "/__stats":
            return json.dumps(self.stats()).encode()
        if parts.path == "/__reset":
            self.reset()
            return b"{}"
        if parts.path == "/__publish":
            self.site.publish(int(parse_qs(parts.query).get("n", ["1"])[0]))
            self.cache.clear()  # feed, sitemap and listings change with every new article
            return json.dumps({"articles": len(self.site.articles)}).encode()
        return None

    def stats(self) -> dict:
        return {
            "kinds": dict(self.kinds),
            "requests": sum(self.kinds.values()),
            "first": self.first,
            "last": self.last,
            "bytes": self.bytes,
            "article_paths": dict(self.articles),
        }

    def page(self, target: str) -> tuple[int, str, bytes]:
        kind, content_type, body = self.cache.get(target) or self._route(target)
        if kind != "missing":
            self.cache[target] = (kind, content_type, body)
        now = time.monotonic()
        self.first = self.first if self.first is not None else now
        self.last = now
        self.kinds[kind] += 1
        self.bytes += len(body)
        if kind == "article":
            self.articles[target] += 1
        return (404 if kind == "missing" else 200), content_type, body

    def _route(self, target: str) -> tuple[str, str, bytes]:
        parts = urlsplit(target)
        path = parts.path
        if path in self.site.pages:
            return "article", HTML, self.site.pages[path]
        if path == "/robots.txt":
            return "robots", "text/plain", ROBOTS
        if path == "/rss/rss.xml":
            return "feed", "application/rss+xml", self.site.feed()
        if path == "/news-sitemap.xml":
            return "sitemap", "application/xml", self.site.sitemap()
        if path in LISTING_PATHS:
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            kind = "listing" if page == 1 else "listing-next"
            return kind, HTML, self.site.listing(LISTING_PATHS[path], page)
        return "missing", HTML, b"<html><body><h1>404 Not Found</h1></body></html>"


async def serve_connection(app: App, reader, writer) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].decode("latin-1")
            body = app.control(target)
            if body is not None:
                status, content_type = 200, "application/json"
            else:
                status, content_type, body = app.page(target)
            reason = "OK" if status == 200 else "Not Found"
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode("latin-1")
            )
            writer.write(body)
            await writer.drain()
            if b"connection: close" in head.lower():
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(args: argparse.Namespace) -> None:
    site = Site(
        args.articles,
        seed=args.seed,
        page_bytes=args.page_kb * 1000,
        per_page=args.per_page,
        sitemap_urls=args.sitemap_urls,
    )
    app = App(site)
    server = await asyncio.start_server(
        lambda r, w: serve_connection(app, r, w), "127.0.0.1", 0, backlog=256
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--page-kb", type=int, default=60)
    parser.add_argument("--per-page", type=int, default=50, help="links per listing page")
    parser.add_argument("--sitemap-urls", type=int, default=500, help="newest N in the sitemap")
    return parser.parse_args(argv)


# -- used by the benchmarks ----------------------------------------------------------------------


class Replica:
    """The replica server as a child process: ``with Replica(articles=2000) as site: site.url``."""

    def __init__(
        self,
        articles: int,
        *,
        page_kb: int = 60,
        per_page: int = 50,
        seed: int = 0,
        sitemap_urls: int = 500,
    ):
        self.args = [
            "--articles", str(articles), "--page-kb", str(page_kb), "--per-page", str(per_page),
            "--seed", str(seed), "--sitemap-urls", str(sitemap_urls),
        ]  # fmt: skip
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> Replica:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench._replica", *self.args],
            cwd=PROJECT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        match = re.fullmatch(r"PORT (\d+)\n", line)
        if not match:
            self.__exit__()
            raise RuntimeError(f"replica server did not start (said {line!r})")
        self.url = f"http://127.0.0.1:{match.group(1)}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.loads(response.read())

    def stats(self) -> dict:
        return self._get("/__stats")

    def reset(self) -> None:
        self._get("/__reset")

    def publish(self, n: int) -> int:
        return self._get(f"/__publish?n={n}")["articles"]


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args()))
    except KeyboardInterrupt:
        os._exit(0)
