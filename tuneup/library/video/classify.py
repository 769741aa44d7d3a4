"""Video files: what each one is (movie, episode, clip). Owned by the video-library issue.

Interface the scanner relies on (keep it):
- ``VIDEO_EXTENSIONS``: lower-case suffixes with the dot.
- ``read_video(path) -> dict``: runs in a scan worker process; returns item columns
  (see tuneup/store/schema.py ``items``) including ``kind``; may carry a ``_series`` dict
  (title, year, path, genres, plot, extra) for the parent series, and ``_warnings``: a list
  of one-line reasons (malformed NFO, empty or unreadable container, ...) to report while
  the item is still indexed from what could be read. Lists/dicts (genres, guessed, extra)
  are Python objects; the store keeps them as JSON. Raises MediaReadError only when the
  file itself cannot be opened.
- ``store_series(db, series_info) -> int``: runs in the scanning process inside its write
  transaction; upserts the series row and returns its id.

Sources, strongest first: the NFO sidecar, the container's tags, the file and folder names.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tuneup.errors import MediaReadError

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .ts .m2ts .mpg .mpeg .ogv .wmv .flv .3gp".split()
)
_NFO_EXTRA = (
    "original_title",
    "sort_title",
    "tags",
    "directors",
    "writers",
    "actors",
    "studios",
    "countries",
    "runtime",
    "ratings",
    "unique_ids",
    "collection",
    "outline",
    "tagline",
    "mpaa",
    "premiered",
    "display_season",
    "display_episode",
)
_tvshow_cache: dict[str, tuple[int, dict | None, list[str]]] = {}


def read_video(path: Path) -> dict:
    from tuneup.library.video.names import parse_name

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaReadError(f"{path}: cannot read ({exc.strerror})") from None
    warnings: list[str] = []
    name = parse_name(path, use_guessit=False)
    container = _container(path, size, warnings)
    nfo = _own_nfo(path, name, warnings)
    if name["parser"] == "none" and not _identified(nfo, container.get("tags", {})):
        name = parse_name(path)  # guessit: slow, so only when nothing else says what the file is
    item = _merge(path, name, container, nfo)
    if item["kind"] == "episode":
        tvshow = _tvshow(path, name, warnings)
        item["_series"] = _series_info(name, container.get("tags", {}), nfo, tvshow, path)
    if warnings:
        item["_warnings"] = warnings
    return item


def _container(path: Path, size: int, warnings: list[str]) -> dict:
    from tuneup.library.video.containers import read_container

    if size == 0:
        warnings.append(f"{path}: empty file (0 bytes); indexed from its name only")
        return {}
    try:
        return read_container(path)
    except MediaReadError as exc:
        warnings.append(f"{exc}; indexed from its name only")
        return {}


def _own_nfo(path: Path, name: dict, warnings: list[str]) -> dict:
    """``<file name>.nfo``; for a movie in its own folder, ``movie.nfo`` next to it."""
    text = str(path)
    candidates = [os.path.splitext(text)[0] + ".nfo"]
    if name["kind"] != "episode":
        candidates.append(os.path.join(os.path.dirname(text), "movie.nfo"))
    for candidate in candidates:
        fields = _try_nfo(candidate, warnings)
        if fields is not None:
            return fields
    return {}


def _try_nfo(path: str, warnings: list[str]) -> dict | None:
    """Fields of the NFO at ``path``; None when there is none; {} (plus a warning) when refused."""
    from tuneup.library.video.nfo import NfoError, read_nfo

    try:
        fields, nfo_warnings = read_nfo(path)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except NfoError as exc:
        warnings.append(str(exc))
        return {}
    warnings.extend(nfo_warnings)
    return fields


def _identified(nfo: dict, tags: dict) -> bool:
    """Whether the NFO or the MP4 atoms alone say what the file is, so its name adds nothing."""
    if nfo.get("kind") == "episodedetails":
        return nfo.get("season") is not None and nfo.get("episode") is not None
    if nfo.get("kind") in ("movie", "musicvideo"):
        return bool(nfo.get("title"))
    if tags.get("media_kind") == "tv show":
        return all(tags.get(k) is not None for k in ("show", "season", "episode"))
    return tags.get("media_kind") == "movie" and bool(tags.get("title"))


def _tvshow(path: Path, name: dict, warnings: list[str]) -> dict:
    """tvshow.nfo of the series folder, parsed once per process (episodes share it)."""
    parent = os.path.dirname(str(path))
    folders = [name["series_dir"]] if name.get("series_dir") else []
    if parent not in folders:
        folders.append(parent)
    for folder in folders:
        candidate = os.path.join(folder, "tvshow.nfo")
        try:
            mtime = os.stat(candidate).st_mtime_ns
        except OSError:
            continue
        cached = _tvshow_cache.get(candidate)
        if cached is None or cached[0] != mtime:
            nfo_warnings: list[str] = []
            fields = _try_nfo(candidate, nfo_warnings)
            cached = (mtime, fields, nfo_warnings)
            if len(_tvshow_cache) > 4096:
                _tvshow_cache.clear()
            _tvshow_cache[candidate] = cached
            warnings.extend(nfo_warnings)  # reported with the first episode that reads it
        fields = dict(cached[1] or {})
        fields["_dir"] = folder
        return fields
    return {}


def _kind(name: dict, tags: dict, nfo: dict) -> str:
    nfo_kind = {"episodedetails": "episode", "movie": "movie", "musicvideo": "video"}.get(
        nfo.get("kind")
    )
    if nfo_kind:
        return nfo_kind
    media_kind = tags.get("media_kind")
    if media_kind == "movie":
        return "movie"
    if media_kind == "tv show" and (tags.get("show") or name["kind"] == "episode"):
        return "episode"
    if media_kind == "music video":
        return "video"
    return name["kind"]


def _pick(*values):
    for value in values:
        if value not in (None, "", []):
            return value
    return None


def _merge(path: Path, name: dict, container: dict, nfo: dict) -> dict:
    tags = container.get("tags", {})
    kind = _kind(name, tags, nfo)
    guessed = []
    episodes = [e for e in nfo.get("episodes", []) if e is not None]
    item = {
        "kind": kind,
        "format": path.suffix.lower().lstrip(".") or None,
        "duration": _pick(container.get("duration"), (nfo.get("runtime") or 0) * 60 or None),
        "width": container.get("width"),
        "height": container.get("height"),
        "codec": container.get("codec"),
        "genres": _pick(nfo.get("genres"), tags.get("genres")) or [],
        "description": _pick(nfo.get("plot"), tags.get("description")),
        "date": _pick(nfo.get("premiered"), tags.get("date")),
        "year": _pick(nfo.get("year"), _year(tags.get("date")), name.get("year")),
        "extra": _extra(nfo, tags, container),
    }
    if item["year"] is not None and item["year"] == name.get("year") and not nfo.get("year"):
        guessed.append("year")
    if kind == "episode":
        item["season"] = _pick(nfo.get("season"), tags.get("season"), name.get("season"))
        item["episode"] = _pick(nfo.get("episode"), tags.get("episode"), name.get("episode"))
        item["episode_end"] = _pick(
            max(episodes) if len(episodes) > 1 else None, name.get("episode_end")
        )
        item["absolute_episode"] = name.get("absolute_episode")
        item["episode_title"] = _pick(
            nfo.get("title"), tags.get("title"), name.get("episode_title")
        )
        item["title"] = item["episode_title"] or _episode_label(name, item)
        for field, own in (
            ("season", nfo.get("season") or tags.get("season")),
            ("episode", nfo.get("episode") or tags.get("episode")),
        ):
            if item[field] is not None and own is None:
                guessed.append(field)
        if not (nfo.get("title") or tags.get("title")):
            guessed.append("title")
    else:
        item["title"] = _pick(nfo.get("title"), tags.get("title"), name.get("title"))
        if not (nfo.get("title") or tags.get("title")):
            guessed.append("title")
    item["guessed"] = guessed
    return {k: v for k, v in item.items() if v is not None}


def _episode_label(name: dict, item: dict) -> str:
    show = name.get("title") or ""
    if item.get("season") is not None and item.get("episode") is not None:
        return f"{show} S{item['season']:02d}E{item['episode']:02d}".strip()
    if item.get("absolute_episode") is not None:
        return f"{show} {item['absolute_episode']:03d}".strip()
    return show or "episode"


def _year(date) -> int | None:
    match = re.match(r"^(\d{4})", str(date or ""))
    return int(match.group(1)) if match else None


def _extra(nfo: dict, tags: dict, container: dict) -> dict:
    extra = {k: nfo[k] for k in _NFO_EXTRA if k in nfo}
    for key in ("episode_id", "media_kind", "hd", "short_description"):
        if key in tags:
            extra[key] = tags[key]
    if container.get("container"):
        extra["container"] = container["container"]
    return extra


def _series_info(name: dict, tags: dict, nfo: dict, tvshow: dict, path: Path) -> dict:
    """What this episode says about its series; store_series merges it into the series row."""
    from_name = name.get("title") if name["kind"] == "episode" else None
    title = _pick(
        tvshow.get("title"),
        nfo.get("show_title"),
        tags.get("show"),
        from_name,
        name.get("folder_show"),
        path.parent.name,
    )
    extra = {k: tvshow[k] for k in _NFO_EXTRA if k in tvshow}
    return {
        "title": title,
        "year": _pick(tvshow.get("year"), name.get("year") if not nfo.get("show_title") else None),
        "path": _pick(tvshow.get("_dir"), name.get("series_dir")),
        "genres": tvshow.get("genres", []),
        "plot": tvshow.get("plot"),
        "extra": extra,
    }


def series_key(title: str, year: int | None = None) -> str:
    """Normalised title (+ year): `The Office (2005)` and `the.office` group apart only by year."""
    words = re.findall(r"[^\W_]+", title.casefold())
    return " ".join(words) + (f"|{year}" if year else "|")


def store_series(db, series_info: dict) -> int | None:
    """Upsert the series row; fields already known are kept, genres are united."""
    from tuneup.library.video.series import like_escape

    title = (series_info.get("title") or "").strip()
    if not title:
        return None
    key = series_key(title, series_info.get("year"))
    row = db.execute(
        "SELECT id, year, path, genres, plot, extra FROM series WHERE key = ?", [key]
    ).fetchone()
    if row is None and not series_info.get("year"):
        rows = db.execute(
            "SELECT id, year, path, genres, plot, extra FROM series WHERE key LIKE ? ESCAPE '\\'",
            [like_escape(key[:-1]) + "|%"],
        ).fetchall()
        row = (
            rows[0] if len(rows) == 1 else None
        )  # `Show` joins `Show (2005)` when it is the only one
    if row is None:
        cursor = db.execute(
            "INSERT INTO series (key, title, year, path, genres, plot, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                key,
                title,
                series_info.get("year"),
                series_info.get("path"),
                json.dumps(series_info.get("genres") or [], ensure_ascii=False),
                series_info.get("plot"),
                json.dumps(series_info.get("extra") or {}, ensure_ascii=False),
            ],
        )
        return cursor.lastrowid
    _update_series(db, row, series_info)
    return row[0]


def _update_series(db, row, info: dict) -> None:
    series_id, year, path, genres_json, plot, extra_json = row
    genres = json.loads(genres_json or "[]")
    merged_genres = genres + [g for g in info.get("genres") or [] if g not in genres]
    extra = json.loads(extra_json or "{}")
    merged_extra = {**extra, **(info.get("extra") or {})}
    new = (
        year or info.get("year"),
        path or info.get("path"),
        merged_genres,
        plot or info.get("plot"),
        merged_extra,
    )
    if new == (year, path, genres, plot, extra):
        return
    db.execute(
        "UPDATE series SET year = ?, path = ?, genres = ?, plot = ?, extra = ? WHERE id = ?",
        [
            new[0],
            new[1],
            json.dumps(new[2], ensure_ascii=False),
            new[3],
            json.dumps(new[4], ensure_ascii=False),
            series_id,
        ],
    )
