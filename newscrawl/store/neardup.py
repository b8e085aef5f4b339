"""Near-duplicates: each article's SimHash indexed in four bands, pairs and clusters."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from newscrawl import simhash
from newscrawl.store.rows import StoreError, utcnow

MAX_NEAR_LINKS = 50  # near-duplicate pairs recorded per new article, nearest first
MASK64 = (1 << 64) - 1


def as_signed(value: int) -> int:
    """A 64-bit unsigned value as SQLite stores integers: signed."""
    return value - (1 << 64) if value >= 1 << 63 else value


class NearDuplicates:
    """The Store's near-duplicate index (a mixin: needs ``conn``, ``path``, ``near_distance``)."""

    conn: sqlite3.Connection
    path: Path
    near_distance: int

    def _link_near_duplicates(self, seq: int, content_hash: str, value: int, now: str) -> int:
        """Index a new article's SimHash, record its near-duplicates and give it a cluster."""
        # The nearest few suffice to place an article in its cluster; templated short notices
        # could otherwise link every new article to thousands of old ones.
        found = sorted(self._near(value, exclude=seq), key=lambda f: f[2])[:MAX_NEAR_LINKS]
        for other_hash, _, distance in found:
            self.conn.execute(
                "INSERT OR IGNORE INTO near_duplicates (older_hash, newer_hash, distance,"
                " found_at) VALUES (?, ?, ?, ?)",
                (other_hash, content_hash, distance, now),
            )
        clusters = {cluster for _, cluster, _ in found if cluster is not None}
        cluster = min(clusters | {seq})
        if len(clusters) > 1 or (clusters and min(clusters) != cluster):
            marks = ",".join("?" * len(clusters))
            self.conn.execute(
                f"UPDATE articles SET cluster = ? WHERE cluster IN ({marks})", (cluster, *clusters)
            )
        self.conn.execute("UPDATE articles SET cluster = ? WHERE seq = ?", (cluster, seq))
        self.conn.executemany(
            "INSERT OR IGNORE INTO simhash_bands (band, value, seq, fingerprint)"
            " VALUES (?, ?, ?, ?)",
            [(band, part, seq, as_signed(value)) for band, part in enumerate(simhash.bands(value))],
        )
        return len(found)

    def _near(self, value: int, *, exclude: int | None = None, distance: int | None = None):
        """(content_hash, cluster, distance) of stored articles within ``distance`` bits."""
        limit = self.near_distance if distance is None else distance
        if not value:
            return []  # an article with no words is like nothing
        # The band rows carry the whole SimHash, so candidates are read from the index alone, and
        # the articles are looked up only for the few within the distance: candidates grow with
        # the store, and a look-up per candidate became most of the cost of a write.
        signed = as_signed(value)
        near: dict[int, int] = {}
        for band, part in enumerate(simhash.bands(value)):
            probes = simhash.probes(part)
            marks = ",".join("?" * len(probes))
            rows = self.conn.execute(
                f"SELECT seq, fingerprint FROM simhash_bands WHERE band = ? AND value IN ({marks})",
                (band, *probes),
            )
            for seq, fingerprint in rows:
                bits = ((signed ^ fingerprint) & MASK64).bit_count()
                if bits <= limit:
                    near[seq] = bits
        near.pop(exclude, None)
        found = []
        for seq in sorted(near):
            other_hash, cluster = self.conn.execute(
                "SELECT content_hash, cluster FROM articles WHERE seq = ?", (seq,)
            ).fetchone()
            found.append((other_hash, cluster, near[seq]))
        return found

    def _backfill_simhashes(self) -> None:
        rows = self.conn.execute("SELECT seq, content_hash, body FROM articles ORDER BY seq")
        now = utcnow()
        for seq, content_hash, body in rows.fetchall():
            value = simhash.simhash(body, cleaned=True)
            self.conn.execute(
                "UPDATE articles SET simhash = ? WHERE seq = ?", (simhash.to_hex(value), seq)
            )
            self._link_near_duplicates(seq, content_hash, value, now)

    def similar(self, content_hash: str, distance: int | None = None) -> list[dict[str, Any]]:
        """An article's near-duplicates, nearest first, with outlet, date, distance and title.

        ``distance`` (at most simhash.MAX_DISTANCE) searches afresh; by default the pairs
        recorded as articles arrived are listed.
        """
        row = self.conn.execute(
            "SELECT seq, simhash FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with content hash {content_hash} in {self.path}")
        if distance is not None:
            pairs = [(h, d) for h, _, d in self._near(simhash.from_hex(row[1]), exclude=row[0],
                                                       distance=distance)]  # fmt: skip
        else:
            pairs = self.conn.execute(
                "SELECT newer_hash, distance FROM near_duplicates WHERE older_hash = :h UNION"
                " SELECT older_hash, distance FROM near_duplicates WHERE newer_hash = :h",
                {"h": content_hash},
            ).fetchall()
        result = []
        for other_hash, bits in pairs:
            article = self.conn.execute(
                "SELECT outlet, published_at, title, url, cluster FROM articles"
                " WHERE content_hash = ?",
                (other_hash,),
            ).fetchone()
            outlet, published_at, title, url, cluster = article
            result.append({"content_hash": other_hash, "distance": bits, "outlet": outlet,
                           "published_at": published_at, "title": title, "url": url,
                           "cluster": cluster})  # fmt: skip
        return sorted(result, key=lambda r: (r["distance"], r["published_at"] or ""))
