"""Exploration (Thompson sampling over genres) and the diversity re-rank."""

from __future__ import annotations

import math

import numpy as np


def diverse_pick(
    order: np.ndarray,
    k: int,
    artist: np.ndarray,
    album: np.ndarray,
    dup: np.ndarray,
    *,
    artist_cap: int | None = 2,
    album_cap: int | None = 2,
    taken: set[int] | None = None,
    group: np.ndarray | None = None,
    group_share: float | None = None,
) -> list[int]:
    """Walk ``order`` (best first) and keep items until ``k``, respecting caps and skipping near-duplicates.

    ``artist``/``album``/``dup`` (and ``group``, e.g. sound neighbourhoods) are per-item group ids
    (-1 = unknown, never capped). A ``group`` holds at most ``group_share`` of every prefix of the
    list (at least one item), so a caller that keeps only the first part still gets the share. When
    the caps leave fewer than ``k`` items, the caps are relaxed rather than returning a short list.
    """
    picked: list[int] = []
    seen_dup: set[int] = set()
    per_artist: dict[int, int] = {}
    per_album: dict[int, int] = {}
    per_group: dict[int, int] = {}
    use_group = group is not None and bool(group_share)
    taken = taken or set()
    for dup_id in (int(dup[i]) for i in taken):
        seen_dup.add(dup_id)
    for i in (int(j) for j in order):
        if len(picked) >= k:
            break
        if i in taken:
            continue
        d, a, b = int(dup[i]), int(artist[i]), int(album[i])
        if d >= 0 and d in seen_dup:
            continue
        if artist_cap and a >= 0 and per_artist.get(a, 0) >= artist_cap:
            continue
        if album_cap and b >= 0 and per_album.get(b, 0) >= album_cap:
            continue
        c = int(group[i]) if use_group else -1
        if c >= 0 and per_group.get(c, 0) >= max(1, math.ceil((len(picked) + 1) * group_share)):
            continue
        picked.append(i)
        per_group[c] = per_group.get(c, 0) + 1
        seen_dup.add(d)
        per_artist[a] = per_artist.get(a, 0) + 1
        per_album[b] = per_album.get(b, 0) + 1
    if len(picked) < k and (artist_cap or album_cap or use_group):
        more = diverse_pick(
            order,
            k - len(picked),
            artist,
            album,
            dup,
            artist_cap=None,
            album_cap=None,
            taken=taken | set(picked),
        )
        picked.extend(more)
    return picked


def thompson_genres(
    genre: np.ndarray,
    finishes: np.ndarray,
    skips: np.ndarray,
    n_genres: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One draw per genre from Beta(1 + finishes, 1 + skips) of this profile's plays in that genre.

    Genres never tried have the widest posterior, so they get picked now and then; genres whose
    picks were finished get picked more, and those that were skipped fade out.
    """
    ok = genre >= 0
    f = np.bincount(genre[ok], weights=finishes[ok], minlength=n_genres)
    s = np.bincount(genre[ok], weights=skips[ok], minlength=n_genres)
    return rng.beta(1 + f, 1 + s), f, s
