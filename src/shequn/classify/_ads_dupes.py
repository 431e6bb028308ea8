"""The same or nearly the same text, posted by one member in several groups or many times.

Ad posters paste one text into every group they are in, often changing a digit, an emoji or
the handle so that exact matching misses it. :class:`NearDuplicates` reads messages in time
order and says, for each, in how many groups and how many times its author posted the same
or nearly the same text within a time window before it (this message included).

Texts are compared by MinHash signatures over character shingles (three characters of the
text with spaces, digits and punctuation removed), looked up through locality-sensitive
hashing in bands, so a message is compared with the few that share a band, not with all.
Signatures of a batch are computed at once with numpy. Memory is bounded: entries older
than the window are dropped, and at most ``max_entries`` are kept (the oldest go first).
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = ["NearDuplicates", "core_text", "shingles"]

_PRIME: Final = (1 << 61) - 1
_NOISE: Final = re.compile(r"[\s\d\W_]+")  # spaces, digits, punctuation, emoji


def core_text(norm: str) -> str:
    """A normalised text with spaces, digits, punctuation and emoji left out."""
    return _NOISE.sub("", norm)


def shingles(norm: str, size: int = 3) -> set[str]:
    """The character shingles of a normalised text, spaces, digits and punctuation left out."""
    core = core_text(norm)
    if len(core) <= size:
        return {core} if core else set()
    return {core[i : i + size] for i in range(len(core) - size + 1)}


@dataclass
class _Seen:
    signature: bytes
    group_id: int
    member: int | None
    ts_us: int


class NearDuplicates:
    """Counts near-duplicate posts within a sliding time window (see the module docstring).

    ``similarity`` is the share of signature positions two texts must share (an estimate of
    the Jaccard similarity of their shingles); texts with fewer than ``min_chars`` characters
    after cleaning are never counted as duplicates ("ok", "谢谢" are said by everyone).
    """

    def __init__(
        self,
        *,
        window_us: int = 7 * 86_400 * 1_000_000,
        num_perm: int = 64,
        bands: int = 16,
        similarity: float = 0.5,
        min_chars: int = 12,
        max_entries: int = 100_000,
        bucket_cap: int = 256,
        seed: int = 1,
    ) -> None:
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, _PRIME, size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, size=num_perm, dtype=np.uint64)
        self.window_us = window_us
        self.rows = num_perm // bands
        self.bands = bands
        self.similarity = similarity
        self.min_chars = min_chars
        self.max_entries = max_entries
        self.bucket_cap = bucket_cap
        self._buckets: dict[tuple[int, bytes], deque[int]] = {}
        self._seen: dict[int, _Seen] = {}
        self._order: deque[tuple[int, int, list[tuple[int, bytes]]]] = deque()  # (ts, serial, band keys)
        self._serial = 0

    def signatures(self, norms: list[str]) -> list[bytes | None]:
        """MinHash signatures of a batch of normalised texts; None for texts too short to compare."""
        hashes: list[int] = []
        starts: list[int] = []
        keep: list[int] = []
        for i, norm in enumerate(norms):
            if len(norm) < self.min_chars:
                continue
            core = core_text(norm)
            if len(core) < self.min_chars:
                continue
            grams = {core[j : j + 3] for j in range(len(core) - 2)}
            starts.append(len(hashes))
            keep.append(i)
            hashes.extend(zlib.crc32(g.encode()) for g in grams)
        out: list[bytes | None] = [None] * len(norms)
        if not keep:
            return out
        values = np.asarray(hashes, dtype=np.uint64)
        # (a*h + b) mod p for every permutation and shingle; products stay below 2^64 because
        # h < 2^32 and a < 2^61 wrap modulo 2^64 the same way for every text (a consistent hash).
        mixed = (self._a[:, None] * values[None, :] + self._b[:, None]) % np.uint64(_PRIME)
        minima = np.minimum.reduceat(mixed, np.asarray(starts), axis=1).astype(np.uint32)
        for column, i in enumerate(keep):
            out[i] = minima[:, column].tobytes()
        return out

    def _evict(self, now_us: int) -> None:
        order = self._order
        while order and (order[0][0] < now_us - self.window_us or len(order) > self.max_entries):
            _, serial, keys = order.popleft()
            self._seen.pop(serial, None)
            for key in keys:
                bucket = self._buckets.get(key)
                if bucket is not None:
                    while bucket and bucket[0] not in self._seen:
                        bucket.popleft()
                    if not bucket:
                        del self._buckets[key]

    def _agree(self, first: bytes, second: bytes) -> float:
        a = np.frombuffer(first, dtype=np.uint32)
        b = np.frombuffer(second, dtype=np.uint32)
        return float(np.count_nonzero(a == b)) / a.size

    def observe(self, signature: bytes | None, group_id: int, ts_us: int, member: int | None = None) -> tuple[int, int]:
        """Record one message (in time order); ``(groups, posts)`` of its text in the window.

        Only posts by the same ``member`` count: many members writing the same words ("收到",
        "slides from today: …", a notice they forward) is ordinary, one member pasting one
        text into group after group is what ads look like. Both counts include this
        message: ``(1, 1)`` means the member posted nothing like it before.
        """
        if signature is None:
            return 1, 1
        self._evict(ts_us)
        width = 4 * self.rows
        keys = [(band, signature[band * width : (band + 1) * width]) for band in range(self.bands)]
        candidates: set[int] = set()
        for key in keys:
            bucket = self._buckets.get(key)
            if bucket:
                candidates.update(bucket)
        groups = {group_id}
        posts = 1
        for serial in candidates:
            seen = self._seen.get(serial)
            if seen is None or seen.member != member or seen.ts_us < ts_us - self.window_us:
                continue
            if seen.signature == signature or self._agree(seen.signature, signature) >= self.similarity:
                groups.add(seen.group_id)
                posts += 1
        self._serial += 1
        serial = self._serial
        self._seen[serial] = _Seen(signature, group_id, member, ts_us)
        self._order.append((ts_us, serial, keys))
        for key in keys:
            bucket = self._buckets.setdefault(key, deque(maxlen=self.bucket_cap))
            bucket.append(serial)
        return len(groups), posts
