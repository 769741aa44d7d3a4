"""The plan of the demo library: every artist, album and track with its tags, file layout and sound.

Pure data, deterministic from (seed, size): the same call always yields the same catalog, so
the files, the listening history and the simulated listeners of the model tests all agree.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from tuneup.demo import names
from tuneup.demo.genres import STYLES, Style, key_name, parse_key
from tuneup.demo.synth import SynthParams

DEFAULT_TRACKS = 320
FORMATS = ("flac", "mp3", "ogg", "opus")
FORMAT_WEIGHTS = (0.35, 0.3, 0.25, 0.1)  # opus and mp3 encode slowest
SAMPLE_RATES = {
    "flac": 22050,
    "mp3": 22050,
    "ogg": 22050,
    "opus": 24000,
}  # opus allows 8/12/16/24/48 kHz only
FLAVOUR = {
    "Synthwave": "alias",
    "Lo-Fi Hip Hop": "lofi",
    "Techno": "alias",
    "House": "alias",
    "Drum and Bass": "alias",
    "Indie Rock": "band",
    "Folk": "person",
    "Jazz": "jazz",
    "Ambient": "ambient",
    "Metal": "metal",
}
UNSAFE = str.maketrans({c: "_" for c in '/\\:*?"<>|'})


@dataclass(frozen=True)
class TrackSpec:
    relpath: str  # path under the demo directory, '/'-separated
    format: str
    tagged: bool
    title: str
    artist: str
    album: str | None
    albumartist: str | None
    tracknumber: int | None
    tracktotal: int | None
    discnumber: int
    disctotal: int
    date: str
    genres: tuple[str, ...]  # what the track is; genre_tag is how its tag spells it
    genre_tag: tuple[str, ...]
    composer: str | None
    bpm: float
    key: str  # e.g. "F#m"
    bpm_tagged: bool
    key_tagged: bool
    mbids: dict[str, str] | None
    compilation: bool
    style: str  # the primary genre (a Style name)
    brightness: float
    energy: float
    mode: str
    seconds: float
    synth: SynthParams

    @property
    def year(self) -> int:
        return int(self.date[:4])

    @property
    def duration_ms(self) -> int:
        return int(round(self.seconds * 1000))


@dataclass
class Catalog:
    seed: int
    tracks: list[TrackSpec]
    artist_genre: dict[str, str]  # artist -> primary genre
    _by_relpath: dict[str, TrackSpec] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_relpath = {t.relpath: t for t in self.tracks}

    def by_relpath(self, relpath: str) -> TrackSpec | None:
        return self._by_relpath.get(relpath)

    @property
    def genres(self) -> list[str]:
        return sorted({t.style for t in self.tracks})

    @property
    def artists(self) -> list[str]:
        return sorted({t.artist for t in self.tracks})

    @property
    def albums(self) -> list[tuple[str, str]]:
        return sorted({(t.albumartist or t.artist, t.album) for t in self.tracks if t.album})

    def counts(self) -> dict[str, int]:
        return {
            "tracks": len(self.tracks),
            "genres": len(self.genres),
            "artists": len(self.artists),
            "albums": len(self.albums),
            "untagged": sum(not t.tagged for t in self.tracks),
            "formats": {f: sum(t.format == f for t in self.tracks) for f in FORMATS},
        }


def safe(name: str) -> str:
    return name.translate(UNSAFE).strip().rstrip(".") or "_"


def build_catalog(seed: int = 1, tracks: int = DEFAULT_TRACKS) -> Catalog:
    """The demo library's plan for ``tracks`` tracks (at least 10: one album per genre)."""
    rng = random.Random(seed)
    tracks = max(tracks, len(STYLES))
    builder = _Builder(rng, seed)
    loose = 4 if tracks >= 100 else 1
    compilation = 6 if tracks >= 150 else 0
    budgets = _split(tracks - loose - compilation, len(STYLES), rng)
    for style, budget in zip(STYLES, budgets):
        builder.genre(style, budget)
    if compilation:
        builder.compilation(compilation)
    builder.loose(loose)
    builder.assign_formats()
    return Catalog(seed, builder.finish(), builder.artist_genre)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    base = [total // parts] * parts
    for i in rng.sample(range(parts), total % parts):
        base[i] += 1
    return base


@dataclass
class _Album:
    artist: str
    title: str
    style: Style
    year: int
    tracks: list[dict]
    tagged: bool = True
    format: str = "flac"
    discs: int = 1
    compilation: bool = False


class _Builder:
    def __init__(self, rng: random.Random, seed: int):
        self.rng, self.seed = rng, seed
        self.albums: list[_Album] = []
        self.loose_tracks: list[dict] = []
        self.artist_genre: dict[str, str] = {}
        self.artist_habits: dict[str, dict] = {}
        self.used_titles: set[str] = set()

    def new_artist(self, style: Style) -> str:
        for _ in range(200):
            artist = names.artist(FLAVOUR[style.name], self.rng)
            if artist not in self.artist_genre:
                break
        else:
            artist = f"{artist} {len(self.artist_genre)}"
        rng = self.rng
        self.artist_genre[artist] = style.name
        self.artist_habits[artist] = {
            "key": rng.choice(style.keys),
            "debut": rng.randint(*style.years),
            "brightness": rng.uniform(-0.05, 0.05),
            "energy": rng.uniform(-0.05, 0.05),
            "composer": (
                artist.split(" & ")[0]
                if FLAVOUR[style.name] == "person" and rng.random() < 0.7
                else names.person(rng)
                if rng.random() < 0.3
                else None
            ),
            "mbid": _uuid(rng),
        }
        return artist

    def unique_title(self, flavour: str, album: bool = False) -> str:
        make = names.album if album else names.title
        for _ in range(50):
            title = make(flavour, self.rng)
            if title not in self.used_titles and title not in self.artist_genre:
                break
        self.used_titles.add(title)
        return title

    def genre(self, style: Style, budget: int) -> None:
        rng, flavour = self.rng, FLAVOUR[style.name]
        artists = [self.new_artist(style) for _ in range(max(1, round(budget / 6.5)))]
        count: dict[str, int] = {}
        remaining, i = budget, 0
        while remaining > 0:
            size = min(remaining, rng.randint(2, 7))
            if 0 < remaining - size < 2:
                size = remaining
            artist = artists[i] if i < len(artists) else rng.choice(artists)
            habits = self.artist_habits[artist]
            year = min(2025, habits["debut"] + 2 * count.get(artist, 0) + rng.randint(0, 2))
            count[artist] = count.get(artist, 0) + 1
            album = _Album(
                artist,
                self.unique_title(flavour, album=True),
                style,
                year,
                [self.track(style, artist) for _ in range(size)],
            )
            album.discs = 2 if size >= 6 and rng.random() < 0.3 else 1
            self.albums.append(album)
            remaining -= size
            i += 1

    def track(self, style: Style, artist: str) -> dict:
        rng, habits = self.rng, self.artist_habits[artist]
        key = habits["key"] if rng.random() < 0.5 else rng.choice(style.keys)
        bpm = rng.uniform(*style.bpm)
        bpm = round(bpm) if style.bpm_tag_share >= 0.3 or rng.random() < 0.5 else round(bpm, 1)
        return {
            "title": self.unique_title(FLAVOUR[style.name]),
            "artist": artist,
            "style": style,
            "key": key,
            "bpm": float(bpm),
            "brightness": _clip(rng.uniform(*style.brightness) + habits["brightness"]),
            "energy": _clip(rng.uniform(*style.energy) + habits["energy"]),
            "progression": rng.choice(style.progressions),
            "seconds": round(rng.uniform(18, 34) + (6 if style.name == "Ambient" else 0), 2),
            "composer": habits["composer"] if habits["composer"] and rng.random() < 0.8 else None,
        }

    def compilation(self, size: int) -> None:
        electronic = [s for s in STYLES if "Electronic" in s.secondary]
        picks = [self.rng.choice(electronic) for _ in range(size)]
        artists = [
            self.rng.choice([a for a, g in self.artist_genre.items() if g == s.name]) for s in picks
        ]
        album = _Album(
            "Various Artists",
            "Night Drive, Vol. 1",
            picks[0],
            2021,
            [self.track(s, a) for s, a in zip(picks, artists)],
            compilation=True,
        )
        self.albums.append(album)

    def loose(self, count: int) -> None:
        for _ in range(count):
            style = self.rng.choice(STYLES)
            artist = self.rng.choice([a for a, g in self.artist_genre.items() if g == style.name])
            self.loose_tracks.append(self.track(style, artist))

    def assign_formats(self) -> None:
        """A format per album (the first four cycle through all four); about one album in seven untagged."""
        rng = self.rng
        for i, album in enumerate(self.albums):
            album.format = (
                FORMATS[i] if i < len(FORMATS) else rng.choices(FORMATS, FORMAT_WEIGHTS)[0]
            )
            album.tagged = album.compilation or album.discs > 1 or rng.random() > 0.14
        if all(a.tagged for a in self.albums):  # small libraries still get an untagged album
            next(
                a for a in reversed(self.albums) if a.discs == 1 and not a.compilation
            ).tagged = False

    def finish(self) -> list[TrackSpec]:
        specs = []
        for album in self.albums:
            specs.extend(self.album_specs(album))
        for i, t in enumerate(self.loose_tracks):
            fmt = FORMATS[i % len(FORMATS)]
            relpath = f"{safe(t['artist'])} - {safe(t['title'])}.{fmt}"
            specs.append(
                self.spec(
                    t,
                    relpath,
                    fmt,
                    False,
                    None,
                    None,
                    None,
                    None,
                    1,
                    1,
                    str(self.artist_habits[t["artist"]]["debut"]),
                    (),
                    None,
                    False,
                )
            )
        return specs

    def album_specs(self, album: _Album) -> list[TrackSpec]:
        rng, style, n = self.rng, album.style, len(album.tracks)
        date = (
            f"{album.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if rng.random() < 0.5
            else str(album.year)
        )
        spelling = rng.choices(("single", "multi", "joined"), (0.55, 0.3, 0.15))[0]
        album_mbids = (
            {"albumid": _uuid(rng), "albumartistid": _uuid(rng)} if rng.random() < 0.4 else None
        )
        bpm_tags, key_tags = (
            rng.random() < style.bpm_tag_share * 2,
            rng.random() < style.key_tag_share * 2,
        )
        per_disc = -(-n // album.discs)
        folder = f"{safe(album.artist)}/{safe(album.title)}"
        specs = []
        for i, t in enumerate(album.tracks):
            disc, number = i // per_disc + 1, i % per_disc + 1
            total = min(per_disc, n - (disc - 1) * per_disc)
            prefix = f"{disc}-{number:02d}" if album.discs > 1 else f"{number:02d}"
            relpath = f"{folder}/{prefix} - {safe(t['title'])}.{album.format}"
            genre_tag = _genre_tag(t["style"], spelling, rng)
            mbids = None
            if album_mbids:
                mbids = {
                    **album_mbids,
                    "trackid": _uuid(rng),
                    "releasetrackid": _uuid(rng),
                    "artistid": self.artist_habits[t["artist"]]["mbid"],
                }
                if not album.compilation:
                    mbids["albumartistid"] = mbids["artistid"]
            spec = self.spec(
                t,
                relpath,
                album.format,
                album.tagged,
                album.title,
                album.artist,
                number,
                total,
                disc,
                album.discs,
                date,
                genre_tag,
                album_mbids and mbids,
                album.compilation,
                bpm_tagged=bpm_tags and rng.random() < 0.9,
                key_tagged=key_tags and rng.random() < 0.9,
            )
            specs.append(spec)
        return specs

    def spec(
        self,
        t,
        relpath,
        fmt,
        tagged,
        album,
        albumartist,
        number,
        total,
        disc,
        discs,
        date,
        genre_tag,
        mbids,
        compilation,
        bpm_tagged=False,
        key_tagged=False,
    ) -> TrackSpec:
        style: Style = t["style"]
        tonic, mode = parse_key(t["key"])
        synth = SynthParams(
            seed=hash_seed(self.seed, relpath),
            sample_rate=SAMPLE_RATES[fmt],
            seconds=t["seconds"],
            bpm=t["bpm"],
            tonic=tonic,
            mode=mode,
            progression=t["progression"],
            sevenths=style.sevenths,
            pattern=style.pattern,
            brightness=t["brightness"],
            energy=t["energy"],
            pad=style.pad,
            lead_density=style.lead_density,
            bass=style.bass,
            drive=style.drive,
            swing=style.swing,
            crackle=style.name == "Lo-Fi Hip Hop",
        )
        genres = tuple(dict.fromkeys([style.name, *_split_genres(genre_tag)]))
        return TrackSpec(
            relpath=relpath,
            format=fmt,
            tagged=tagged,
            title=t["title"],
            artist=t["artist"],
            album=album,
            albumartist=albumartist,
            tracknumber=number,
            tracktotal=total,
            discnumber=disc,
            disctotal=discs,
            date=date,
            genres=genres,
            genre_tag=genre_tag,
            composer=t["composer"],
            bpm=t["bpm"],
            key=key_name(tonic, mode),
            bpm_tagged=bpm_tagged,
            key_tagged=key_tagged,
            mbids=mbids,
            compilation=compilation,
            style=style.name,
            brightness=t["brightness"],
            energy=t["energy"],
            mode=mode,
            seconds=t["seconds"],
            synth=synth,
        )


def _genre_tag(style: Style, spelling: str, rng: random.Random) -> tuple[str, ...]:
    if spelling == "single" or rng.random() < 0.3:
        return (style.name,)
    extra = rng.sample(style.secondary, rng.randint(1, 2))
    if spelling == "multi":
        return (style.name, *extra)
    return (rng.choice(("; ", " / ", ", ")).join((style.name, *extra)),)


def _split_genres(tag: tuple[str, ...]) -> list[str]:
    out = []
    for value in tag:
        for sep in ("; ", " / ", ", "):
            value = value.replace(sep, "\x00")
        out.extend(v for v in value.split("\x00") if v)
    return out


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def hash_seed(seed: int, text: str) -> int:
    """A stable 32-bit seed from the catalog seed and a string (Python's hash() is salted per process)."""
    import zlib

    return zlib.crc32(f"{seed}:{text}".encode()) & 0xFFFFFFFF
