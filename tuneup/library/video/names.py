"""What a video's file and folder names say it is: series, season, episode, movie and year.

guessit understands every naming scheme but costs 5-30 ms a name (and ~0.1 s to import), far
more than reading the file (bench/scan_video.py). Tidy names — the ones Kodi, Jellyfin, Sonarr and Radarr write —
are recognised here by a few regular expressions in microseconds; anything with release
junk (resolutions, codecs, groups, brackets) or no recognisable pattern goes to guessit,
imported lazily, once per process. tests/test_video_names.py checks the fast path agrees
with guessit on every name it answers.
"""

from __future__ import annotations

import re
from pathlib import PurePath

SEASON_DIR = re.compile(r"^(?:season|series|staffel|saison|temporada|s)[ ._-]*(\d{1,4})$", re.I)
SPECIALS_DIR = re.compile(r"^(?:specials?|extras?)$", re.I)
_SEP = r"[ ._-]"
_EPISODE = re.compile(
    rf"^(?P<show>.*?){_SEP}*(?<![A-Za-z0-9])[Ss](?P<season>\d{{1,3}}){_SEP}?[Ee](?P<episode>\d{{1,4}})"
    rf"(?P<more>(?:{_SEP}?-?{_SEP}?[Ee]\d{{1,4}})*)(?P<rest>(?:\b.*)?)$"
)
_CROSS = re.compile(
    r"^(?P<show>.*?)[ ._-]+(?P<season>\d{1,2})x(?P<episode>\d{2,3})(?P<rest>(?:\b.*)?)$"
)
# Fansub style: `[Group] Show Name - 012 [1080p][ABCD1234]`, numbered from the first episode.
_ANIME = re.compile(
    r"^\[[^\]]+\][ _]*(?P<show>[^\[\]()]+?)[ _]+-[ _]+(?P<episode>\d{1,4})(?:v\d)?"
    r"[ _]*(?:[\[(][^\[\]()]*[\])][ _]*)*$"
)
_MOVIE = re.compile(r"^(?P<title>.+?)[ ._]*\((?P<year>(?:19|20)\d\d)\)(?P<rest>.*)$")
_SHOW_YEAR = re.compile(r"^(?P<title>.+?)\s*\((?P<year>(?:19|20)\d\d)\)$")
# Tokens that only appear in release names: their presence sends the name to guessit.
_TECH = re.compile(
    r"[\[\]{}]|\b(?:\d{3,4}[pi]|[xh]\.?26[45]|hevc|avc|xvid|divx|web[ .-]?dl|web[ .-]?rip|webrip|blu-?ray|"
    r"bdrip|brrip|hdtv|dvd(?:rip)?|remux|proper|repack|aac\d?|ac3|e-?ac-?3|dts|ddp?\d?|10bit|8bit|hdr\d*|uhd|"
    r"4k|internal|multi|vostfr|subbed|dubbed|nf|amzn|dsnp|hulu|imax|dual|sample)\b",
    re.I,
)
# ...and words or numbers that may be a year, part, season or episode: plain titles with them go to guessit.
_AMBIGUOUS_WORDS = re.compile(
    r"\b(?:complete|extended|unrated|part|cd|disc|season|episode|ep|limited|trailer)\b", re.I
)
_AMBIGUOUS = re.compile(rf"\d|{_AMBIGUOUS_WORDS.pattern}", re.I)
_LANGUAGE = re.compile(
    r"\b(?:french|german|spanish|italian|english|russian|japanese|truefrench|vf|vo|vost|ita|"
    r"eng|ger|fre|spa|jap|kor|nordic|swedish|danish|dutch|finnish|polish|hindi)\b",
    re.I,
)
_TRAILING_YEAR = re.compile(r"^(?P<title>.+?)[ .]\(?(?P<year>(?:19|20)\d\d)\)?$")
# Camera and phone clips (IMG_1234, VID_20240101_120000, GOPR0042, 2024-01-01 12.00.00): just videos.
_CAMERA = re.compile(
    r"^(?:[A-Za-z]{2,5}[_-]?\d{3,}(?:[_-]\d+)*|\d{4}[-_.]?\d\d[-_.]?\d\d(?:[ _-]\d\d[-_.:]?\d\d[-_.:]?\d\d)?)$"
)

_guessit = None
# `The.Office.US` stays "The Office US"; `Show - 102` is episode 102, not season 1 episode 2.
GUESSIT_OPTIONS = {
    "excludes": ["language", "subtitle_language", "country"],
    "episode_prefer_number": True,
}


def parse_name(path: PurePath, *, use_guessit: bool = True) -> dict:
    """Fields the path suggests: kind ('episode'|'movie'|'video'), title (the series title for
    an episode), year, season, episode, episode_end, absolute_episode, episode_title, plus
    ``series_dir`` and ``folder_show`` (the series folder and its title, when one can be told)
    and ``parser`` ('fast'|'guessit'|'none'). With ``use_guessit=False`` (the caller has an NFO
    that says what the file is) a name the fast path cannot read gives parser 'none'."""
    folder = _folder_context(path)
    result = _fast(path.stem, folder)
    if result is None:
        if use_guessit:
            result = _from_guessit(path, folder)
        else:
            result = {"kind": "video", "title": _clean(path.stem) or path.stem, "parser": "none"}
    if result["kind"] == "episode":
        if not result.get("title"):
            result["title"] = folder["show"]
        if result.get("season") is None:
            result["season"] = folder["season"]
    if not result.get("title"):
        result["title"] = path.stem.strip() or path.name
    result["series_dir"], result["folder_show"] = folder["series_dir"], folder["show"]
    return {k: v for k, v in result.items() if v is not None}


def _folder_context(path: PurePath) -> dict:
    """Series folder, series title and season from `Show/Season 01/file` or `Show/file` layouts."""
    parent = path.parent
    season = None
    match = SEASON_DIR.match(parent.name)
    if match:
        season = int(match.group(1))
        series_dir = parent.parent
    elif SPECIALS_DIR.match(parent.name):
        season = 0
        series_dir = parent.parent
    else:
        series_dir = parent
    show = _clean(series_dir.name) if series_dir.name else None
    year = None
    if show:
        m = _SHOW_YEAR.match(show)
        if m:
            show, year = m.group("title"), int(m.group("year"))
    return {
        "season": season,
        "series_dir": str(series_dir),
        "show": show,
        "show_year": year,
        "in_season_dir": season is not None,
    }


def _clean(text: str) -> str:
    text = text.strip(" ._-")
    if " " not in text:  # dotted or underscored names: Show.Name, Show_Name
        text = text.replace(".", " ").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


def _fast(stem: str, folder: dict) -> dict | None:
    for pattern in (_EPISODE, _CROSS):
        match = pattern.match(stem)
        if match:
            return _fast_episode(match, folder)
    match = _ANIME.match(stem)
    if match and not _AMBIGUOUS.search(match.group("show")):
        episode = int(match.group("episode"))
        return {
            "kind": "episode",
            "title": _clean(match.group("show")),
            "season": folder["season"],
            "episode": episode,
            "absolute_episode": episode if folder["season"] is None else None,
            "parser": "fast",
        }
    if _TECH.search(stem):
        return _release_movie(stem)
    match = _MOVIE.match(stem)
    if match:
        if match.group("rest").strip(" ._-"):
            return None
        return {
            "kind": "movie",
            "title": _clean(match.group("title")),
            "year": int(match.group("year")),
            "parser": "fast",
        }
    match = _TRAILING_YEAR.match(_clean(stem))
    if match and not _AMBIGUOUS.search(
        match.group("title")
    ):  # `Movie Name 2019`, `Movie.Name.2019`
        return {
            "kind": "movie",
            "title": match.group("title"),
            "year": int(match.group("year")),
            "parser": "fast",
        }
    if _CAMERA.match(stem):
        return {"kind": "video", "title": stem, "parser": "fast"}
    if _AMBIGUOUS.search(stem):
        return None
    title = _clean(stem)
    if not title:
        return None
    if folder["show"] and folder["in_season_dir"]:
        return None  # `Show/Season 1/Pilot.mkv`: guessit knows more layouts than we do
    if folder["show_year"]:  # `Movie Name (2019)/movie.mkv`
        return {
            "kind": "movie",
            "title": folder["show"],
            "year": folder["show_year"],
            "parser": "fast",
        }
    return {"kind": "video", "title": title, "parser": "fast"}


def _fast_episode(match: re.Match, folder: dict) -> dict | None:
    """`Show - S01E02 - Title`, `Show.S01E02`, `Show 1x02`: the marker is unambiguous, so the
    show is what precedes it and the episode title what follows, unless release junk is there."""
    show = _clean(match.group("show"))
    if _TECH.search(show):
        return None
    rest = _before_junk(match.group("rest"))
    if rest is None:
        return None
    year = None
    m = _TRAILING_YEAR.match(show)
    if m:
        show, year = m.group("title"), int(m.group("year"))
    rest = rest.strip(" ._")
    if re.match(r"^-?\s*\d", rest):
        return None  # `S01E01-02`, `S01E01 720`: numbers right after the marker are guessit's call
    episode_title = _clean(rest.lstrip("-")) or None
    episode = int(match.group("episode"))
    more = [int(n) for n in re.findall(r"\d+", match.groupdict().get("more") or "")]
    return {
        "kind": "episode",
        "title": show or None,
        "year": year,
        "season": int(match.group("season")),
        "episode": episode,
        "episode_end": max(more) if more and max(more) > episode else None,
        "episode_title": episode_title,
        "parser": "fast",
    }


def _before_junk(text: str) -> str | None:
    """The words before the first release token (`Title.720p.x264-GRP` -> `Title`); None when
    what is left still looks like a number, a language or a group guessit should judge."""
    junk = _TECH.search(text)
    if junk is None:
        return text
    head = text[: junk.start()]
    if _AMBIGUOUS.search(head) or _LANGUAGE.search(head):
        return None
    return head


def _release_movie(stem: str) -> dict | None:
    """`Movie.Name.2019.1080p.BluRay.x264-GRP`: a title and a year, then only release tokens."""
    junk = _TECH.search(stem)
    if junk is None or junk.start() == 0 or "[" in stem:
        return None
    match = _TRAILING_YEAR.match(_clean(stem[: junk.start()].replace("(", " ").replace(")", " ")))
    if (
        match is None
        or _AMBIGUOUS_WORDS.search(match.group("title"))
        or _LANGUAGE.search(match.group("title"))
    ):
        return None
    return {
        "kind": "movie",
        "title": match.group("title"),
        "year": int(match.group("year")),
        "parser": "fast",
    }


def guessit_module():
    """guessit, imported on first use (about 0.1 s) and kept for the life of the process."""
    global _guessit
    if _guessit is None:
        from guessit import guessit

        _guessit = guessit
    return _guessit


def _from_guessit(path: PurePath, folder: dict) -> dict:
    try:
        guess = dict(guessit_module()("/".join(path.parts[-3:]), GUESSIT_OPTIONS))
    except Exception:  # guessit can raise on odd input; the name then says nothing
        guess = {}
    year = guess.get("year") if isinstance(guess.get("year"), int) else None
    title = _as_text(guess.get("title"))
    if guess.get("type") == "episode" or folder["in_season_dir"]:
        return _guessed_episode(guess, folder, path)
    if title and not set(_words(title)) <= set(_words(path.stem)):
        title = None  # guessit took the title from a folder; the file name itself says nothing
    if year is None and folder["show_year"] and not title:
        return {
            "kind": "movie",
            "title": folder["show"],
            "year": folder["show_year"],
            "parser": "guessit",
        }
    return {
        "kind": "movie" if year else "video",
        "title": title or _clean(path.stem) or path.stem,
        "year": year,
        "parser": "guessit",
    }


def _guessed_episode(guess: dict, folder: dict, path: PurePath) -> dict:
    episode, season, absolute = (
        guess.get("episode"),
        guess.get("season"),
        guess.get("absolute_episode"),
    )
    episodes = episode if isinstance(episode, list) else [episode] if episode is not None else []
    if isinstance(season, list):
        season = season[0]
    if season is None:
        season = folder["season"]
    if season is None and absolute is None and episodes:
        absolute = episodes[0]  # anime style: `Show - 012`, no season anywhere
    title = (
        folder["show"]
        if folder["in_season_dir"] and folder["show"]
        else _as_text(guess.get("title"))
    )
    episode_title = _as_text(guess.get("episode_title"))
    if not episodes and not episode_title and absolute is None:
        episode_title = _as_text(guess.get("title")) if folder["in_season_dir"] else None
    return {
        "kind": "episode",
        "title": title,
        "year": guess.get("year") if isinstance(guess.get("year"), int) else None,
        "season": season,
        "episode": episodes[0] if episodes else None,
        "episode_end": episodes[-1] if len(episodes) > 1 else None,
        "absolute_episode": absolute,
        "episode_title": episode_title,
        "parser": "guessit",
    }


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _as_text(value) -> str | None:
    if isinstance(value, list):
        value = " ".join(map(str, value))
    if value is None:
        return None
    return str(value).strip() or None
