"""Fetching a handful of pages once, politely, for a person at a terminal.

Plain ``urllib``, not a Scrapy crawl: ``scrapy newoutlet`` makes a few requests one after the
other and decides each next one from the last answer (robots.txt, then a feed, then articles),
which a synchronous loop says plainly; a Twisted reactor can also start only once per process.
The politeness is the crawl's: robots.txt obeyed, the project's User-Agent, ``DOWNLOAD_DELAY``
between requests, ``DOWNLOAD_TIMEOUT`` and ``DOWNLOAD_MAXSIZE`` per request, same origin only.
"""

from __future__ import annotations

import gzip
import io
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin

from newscrawl.spiders.discovery import origin_of


class FetchError(Exception):
    """A page that could not be fetched; the message says why."""


@dataclass
class Fetcher:
    base_url: str
    user_agent: str
    delay: float = 1.0
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    fetched: list[str] = field(default_factory=list)
    _robots: urllib.robotparser.RobotFileParser | None = None
    _last: float = 0.0

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/") + "/"
        self.origin = origin_of(self.base_url)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def robots_txt(self) -> str:
        """The site's robots.txt ("" when it has none); read once."""
        if self._robots is not None:
            return self._text
        self._robots = urllib.robotparser.RobotFileParser()
        try:
            self._text = self._get(self.url("/robots.txt")).decode("utf-8", "replace")
        except FetchError:
            self._text = ""
        self._robots.parse(self._text.splitlines())
        return self._text

    def allowed(self, url: str) -> bool:
        self.robots_txt()
        assert self._robots is not None
        return self._robots.can_fetch(self.user_agent, url)

    def get(self, url: str) -> bytes:
        """The body of a same-origin URL robots.txt allows; FetchError otherwise."""
        if origin_of(url) != self.origin:
            raise FetchError(f"{url} is not on {self.base_url}")
        if not self.allowed(url):
            raise FetchError(f"{url} is disallowed by robots.txt")
        return self._get(url)

    def _get(self, url: str) -> bytes:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if origin_of(response.geturl()) != self.origin:
                    raise FetchError(f"{url} redirected off the site, to {response.geturl()}")
                body = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FetchError(f"{url}: {reason}") from None
        finally:
            self._last = time.monotonic()
            self.fetched.append(url)
        if len(body) > self.max_bytes:
            raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(self.max_bytes + 1)
            except (OSError, EOFError):
                raise FetchError(f"{url}: broken gzip") from None
        return body
