"""Near-duplicates: each article's SimHash indexed in four bands, pairs and clusters."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from newscrawl import simhash
from newscrawl.store.rows import StoreError, utcnow

# Near-duplicate pairs recorded per new article, nearest first: enough to place it in its
# cluster. Each costs a read of the older article's row (its cluster sits past the body).
MAX_NEAR_LINKS = 20
# Templated pages (weather, prayer times, market closes) are all within a few bits of each
# other, so every band bucket of theirs fills up: read the newest few per probed bucket, never
# the whole bucket, and an insert costs the same at 100 or 100,000 of them.
CANDIDATES_PER_BUCKET = 64
# A new article bridging clusters folds the others into the oldest; a cluster already this big
# is left apart (its pairs are still recorded), so one hub article cannot chain thousands of
# templated pages into one cluster, nor relabel them all on one insert.
MAX_CLUSTER_MERGE = 200
MASK64 = (1 << 64) - 1
_BUCKET = (
    "SELECT * FROM (SELECT seq, fingerprint FROM simhash_bands"
    " WHERE band = {band} AND value = {value} ORDER BY seq DESC LIMIT ?{limit})"
)


def _probes_sql() -> str:
    """The newest rows of every probed bucket of every band, in one statement of BANDS + 1
    parameters (the band values, then the rows per bucket): each band's value and its one-bit
    neighbours (simhash.probes), the bit flipped in SQL (SQLite has no XOR: a ^ m = (a | m) - (a
    & m)) rather than bound as 68 × 3 parameters, which cost more to build and bind than the
    look-ups themselves."""
    assert simhash.PROBE_RADIUS == 1
    limit = simhash.BANDS + 1
    buckets = []
    for band in range(simhash.BANDS):
        value = f"?{band + 1}"
        buckets.append(_BUCKET.format(band=band, value=value, limit=limit))
        for bit in range(simhash.BAND_BITS):
            flipped = f"(({value} | {1 << bit}) - ({value} & {1 << bit}))"
            buckets.append(_BUCKET.format(band=band, value=flipped, limit=limit))
    return " UNION ALL ".join(buckets)


_PROBES = _probes_sql()
# An article's SimHash in the band index: one statement of BANDS rows (parameters: the band
# values, then seq and the whole SimHash).
_INDEX_BANDS = (
    "INSERT OR IGNORE INTO simhash_bands (band, value, seq, fingerprint) VALUES "
    + ", ".join(
        f"({band}, ?{band + 1}, ?{simhash.BANDS + 1}, ?{simhash.BANDS + 2})"
        for band in range(simhash.BANDS)
    )
)


def as_signed(value: int) -> int:
    """A 64-bit unsigned value as SQLite stores integers: signed."""
    return value - (1 << 64) if value >= 1 << 63 else value


class NearDuplicates:
    """The Store's near-duplicate index (a mixin: needs ``conn``, ``path``, ``near_distance``)."""

    conn: sqlite3.Connection
    path: Path
    near_distance: int

    def _link_near_duplicates(self, seq: int, content_hash: str, value: int, now: str) -> int:
        """Index a stored article's SimHash, record its near-duplicates and give it a cluster."""
        found, cluster = self._placed(seq, value)
        self.conn.execute("UPDATE articles SET cluster = ? WHERE seq = ?", (cluster, seq))
        return self._record_near(seq, content_hash, value, now, found, cluster)

    def _placed(self, seq: int, value: int) -> tuple[list[tuple[str, int | None, int]], int]:
        """A new article's nearest near-duplicates and the cluster it joins (the oldest it
        touches, else its own): known before it is stored, so it is stored with its cluster."""
        # The nearest few suffice to place an article in its cluster; templated short notices
        # could otherwise link every new article to thousands of old ones.
        found = sorted(self._near(value, exclude=seq, nearest=MAX_NEAR_LINKS), key=lambda f: f[2])
        clusters = {cluster for _, cluster, _ in found if cluster is not None}
        return found, min(clusters | {seq})

    def _record_near(
        self,
        seq: int,
        content_hash: str,
        value: int,
        now: str,
        found: list[tuple[str, int | None, int]],
        cluster: int,
    ) -> int:
        """Record the pairs, fold the clusters the article bridges into its own (those small
        enough) and index its SimHash; the number of pairs."""
        if found:
            self.conn.executemany(
                "INSERT OR IGNORE INTO near_duplicates (older_hash, newer_hash, distance,"
                " found_at) VALUES (?, ?, ?, ?)",
                [(other_hash, content_hash, distance, now) for other_hash, _, distance in found],
            )
            clusters = {c for _, c, _ in found if c is not None}
            folded = [
                c for c in clusters if c != cluster and self._cluster_size(c) <= MAX_CLUSTER_MERGE
            ]
            if folded:
                marks = ",".join("?" * len(folded))
                self.conn.execute(
                    f"UPDATE articles SET cluster = ? WHERE cluster IN ({marks})",
                    (cluster, *folded),
                )
        self.conn.execute(_INDEX_BANDS, (*simhash.bands(value), seq, as_signed(value)))
        return len(found)

    def _cluster_size(self, cluster: int) -> int:
        """Articles in a cluster, counted up to MAX_CLUSTER_MERGE + 1 (all that matters)."""
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM articles WHERE cluster = ? LIMIT ?)",
            (cluster, MAX_CLUSTER_MERGE + 1),
        ).fetchone()[0]

    def _near(
        self,
        value: int,
        *,
        exclude: int | None = None,
        distance: int | None = None,
        bucket_limit: int | None = None,
        nearest: int | None = None,
    ):
        """(content_hash, cluster, distance) of stored articles within ``distance`` bits, among
        the newest ``bucket_limit`` of each probed band bucket; only the ``nearest`` few (by
        distance, then newest) are looked up and returned when given."""
        limit = self.near_distance if distance is None else distance
        if not value:
            return []  # an article with no words is like nothing
        # The band rows carry the whole SimHash, so candidates are read from the index alone, and
        # the articles are looked up only for the few within the distance: candidates grow with
        # the store, and a look-up per candidate became most of the cost of a write.
        signed = as_signed(value)
        per_bucket = CANDIDATES_PER_BUCKET if bucket_limit is None else bucket_limit
        near: dict[int, int] = {}
        # The newest CANDIDATES_PER_BUCKET of each probed bucket (the primary key's order), every
        # bucket of every band in one statement.
        for seq, fingerprint in self.conn.execute(_PROBES, (*simhash.bands(value), per_bucket)):
            bits = ((signed ^ fingerprint) & MASK64).bit_count()
            if bits <= limit:
                near[seq] = bits
        near.pop(exclude, None)
        chosen = sorted(near)
        if nearest is not None and len(chosen) > nearest:
            chosen = sorted(sorted(near, key=lambda q: (near[q], -q))[:nearest])
        if not chosen:
            return []
        marks = ",".join("?" * len(chosen))
        query = f"SELECT seq, content_hash, cluster FROM articles WHERE seq IN ({marks})"
        rows = {seq: (h, cluster) for seq, h, cluster in self.conn.execute(query, chosen)}
        return [(*rows[seq], near[seq]) for seq in chosen]

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
            # Searched afresh, every candidate is read (LIMIT -1: no limit), however templated.
            found = self._near(
                simhash.from_hex(row[1]), exclude=row[0], distance=distance, bucket_limit=-1
            )
            pairs = [(h, d) for h, _, d in found]
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
