"""A hostile library and hostile import files, generated under a temp folder, with what each should do.

    from hostile import build_library, build_imports
    corpus = build_library(tmp_path / "lib")      # Corpus: .entries (one per file or folder made)
    cases = build_imports(tmp_path / "imports")   # [ImportCase]: one bad or odd export file each

Every ``Entry`` says what tuneup must do with it:

- ``ok``: indexed; ``title`` (when given) is what must be stored, exactly;
- ``error``: reported once by the scan, with ``reason`` in its message (and a scan_errors row);
- ``bad``: a media file that cannot be used: reported once, by the scan or else by the analysis
  (a features row with status no_signal and a reason);
- ``any``: legal but odd (a truncated file whose header is intact): indexed or reported, never both;
- ``warn``: indexed, with a scan warning naming it (hostile NFO sidecars);
- ``skip``: not a media file: never stored, never reported.

Real files only: audio comes from tests/media.py (soundfile/ffmpeg + mutagen); tags that mutagen will
not write (invalid encodings, lying sizes) are patched in as raw bytes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from media import make_audio, template

from tuneup.bounds import MAX_TEXT

FORMATS = ("mp3", "flac", "ogg", "opus", "m4a", "wav")
VIDEO_FIXTURE = Path(__file__).parent / "fixtures" / "video" / "titled.mkv"

# Hostile text for tags: label -> value. Every one must be stored as written and shown harmlessly.
HOSTILE_TEXT = {
    "markup": "[bold]Loud[/] [link=file:///etc]click[/link] [/]",
    "ansi": "\x1b[2J\x1b[31mred\x1b[0m",
    "osc": "\x1b]8;;http://x\x07link\x1b]8;;\x07 \x1b]0;title\x07",
    "newline": "line one\nline two\r\nline three",
    "extinf": "#EXTINF:1,injected\n/etc/passwd",
    "xml": "<title>&amp;\"'</title> ]]> <!--",
    "rtl": "\u202eevil\u202c \u200fmark\u2067iso\u2069",
    "nul": "before\x00after",
    "controls": "bell\x07 back\x08 tab\t vt\x0b ff\x0c del\x7f csi\x9b",
}
TAG_FORMATS = ("mp3", "flac", "ogg", "m4a")


@dataclass
class Entry:
    path: bytes
    case: str
    expect: str
    reason: str | None = None
    title: str | None = None  # for ok: the title that must be stored

    @property
    def shown(self) -> str:
        return self.path.decode("utf-8", "backslashreplace")


@dataclass
class Corpus:
    root: Path
    entries: list[Entry] = field(default_factory=list)

    def add(
        self, path, case: str, expect: str, reason: str | None = None, title: str | None = None
    ) -> Entry:
        entry = Entry(os.fsencode(path), case, expect, reason, title)
        self.entries.append(entry)
        return entry

    def by(self, expect: str) -> list[Entry]:
        return [e for e in self.entries if e.expect == expect]


def build_library(root: Path, *, many: int = 2000, big: bool = True) -> Corpus:
    """The hostile library under ``root``. ``many``: empty files in one folder (half with .mp3);
    ``big``: include the 20 MB cover and the 1 MB title."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(root)
    _good(corpus)
    _zero_truncated_noise(corpus)
    _hostile_tags(corpus)
    _invalid_encodings(corpus)
    if big:
        _big_tags(corpus)
    _names(corpus)
    _links_and_specials(corpus)
    _nfo(corpus)
    if many:
        _many_empty(corpus, many)
    return corpus


def _good(c: Corpus) -> None:
    for i, fmt in enumerate(FORMATS):
        for n in range(2):
            title = f"Good {fmt} {n}"
            p = make_audio(
                c.root / "good" / f"Artist {n}",
                fmt,
                {
                    "title": title,
                    "artist": f"Artist {n}",
                    "album": "Fine",
                    "genre": "Rock",
                    "tracknumber": str(i + 1),
                },
                name=f"{i:02d}-{n}.{fmt}",
            )
            c.add(p, f"valid {fmt}", "ok", title=title)


def _zero_truncated_noise(c: Corpus) -> None:
    for i, fmt in enumerate(FORMATS):
        zero = c.root / "zero" / f"empty.{fmt}"
        zero.parent.mkdir(parents=True, exist_ok=True)
        zero.write_bytes(b"")
        c.add(zero, f"zero-byte {fmt}", "error", "empty file (0 bytes)")
        data = template(fmt).read_bytes()
        head = c.root / "truncated" / f"header-only.{fmt}"
        head.parent.mkdir(parents=True, exist_ok=True)
        head.write_bytes(data[:200])
        c.add(head, f"{fmt} cut to 200 bytes", "bad")
        half = c.root / "truncated" / f"half.{fmt}"
        half.write_bytes(data[: len(data) // 2])
        c.add(half, f"{fmt} cut in half", "any")
        noise = c.root / "noise" / f"noise.{fmt}"
        noise.parent.mkdir(parents=True, exist_ok=True)
        noise.write_bytes(random.Random(i).randbytes(30000))
        c.add(noise, f"random bytes named .{fmt}", "error")


def _hostile_tags(c: Corpus) -> None:
    for label, text in HOSTILE_TEXT.items():
        for fmt in TAG_FORMATS:
            tags = {
                "title": text,
                "artist": f"{text} artist",
                "album": f"{text} album",
                "genre": "Rock",
            }
            p = make_audio(c.root / "tags" / label, fmt, tags, name=f"{label}.{fmt}")
            c.add(p, f"{label} tags in {fmt}", "ok", title=_expected_title(fmt, text))


def _expected_title(fmt: str, text: str) -> str:
    """What a faithful reader stores: ID3v2.4 and APE use NUL between values (the first is the title);
    stored text never holds a NUL (SQLite's functions and its own shell stop at one)."""
    return text.split("\x00")[0] if "\x00" in text else text


def _id3(frames: list[tuple[bytes, bytes]], version: int = 3, size: int | None = None) -> bytes:
    body = b""
    for fid, data in frames:
        length = struct.pack(">I", len(data)) if version == 3 else _syncsafe(len(data))
        body += fid + length + b"\x00\x00" + data
    return b"ID3" + bytes([version, 0, 0]) + _syncsafe(len(body) if size is None else size) + body


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _invalid_encodings(c: Corpus) -> None:
    """Text frames whose bytes do not match their declared encoding, and tags that lie about sizes."""
    folder = c.root / "encodings"
    folder.mkdir(parents=True, exist_ok=True)
    mp3 = template("mp3").read_bytes()
    cases = {
        "utf8-invalid": [(b"TIT2", b"\x03ok \xff\xfe\xc3 bad")],
        "utf16-lone-surrogate": [(b"TIT2", b"\x01\xff\xfe\x00\xd8A\x00")],
        "utf16-odd-length": [(b"TIT2", b"\x01\xff\xfeA\x00B")],
        "unknown-encoding-byte": [(b"TIT2", b"\x07title")],
        "garbage-frames": [
            (b"TIT2", b"\x00Garbage frames"),
            (b"TALB", random.Random(5).randbytes(300)),
            (b"\x00\x01\x02\x03", b"junk"),
        ],
    }
    for name, frames in cases.items():
        p = folder / f"{name}.mp3"
        p.write_bytes(_id3(frames, version=4 if "utf8" in name else 3) + mp3)
        c.add(p, f"ID3 {name}", "ok")
    liar = folder / "id3-claims-256MB.mp3"
    liar.write_bytes(_id3([(b"TIT2", b"\x00Liar")], size=0x0FFFFFFF) + mp3)
    c.add(liar, "ID3 header claiming 256 MB", "error", "ends before")
    # Vorbis comments (FLAC) and MP4 atoms with invalid UTF-8: written with a placeholder, then patched.
    for fmt in ("flac", "m4a"):
        p = make_audio(
            folder,
            fmt,
            {"title": "XXBADTITLEXX", "artist": "Enc Artist"},
            name=f"invalid-utf8.{fmt}",
        )
        data = p.read_bytes()
        assert data.count(b"XXBADTITLEXX") == 1
        p.write_bytes(
            data.replace(b"XXBADTITLEXX", b"ok\xff\xfe\xc3\x80\xed\xa0\x80XYZ")
        )  # same length
        c.add(p, f"{fmt} tag with invalid UTF-8", "ok")
    # A FLAC whose Vorbis comment claims a billion entries.
    p = make_audio(folder, "flac", {"title": "count liar"}, name="comment-count-liar.flac")
    data = bytearray(p.read_bytes())
    pos = 4  # walk the metadata blocks to the VORBIS_COMMENT one (type 4)
    while data[pos] & 0x7F != 4:
        pos += 4 + int.from_bytes(data[pos + 1 : pos + 4], "big")
    count_at = pos + 8 + int.from_bytes(data[pos + 4 : pos + 8], "little")
    data[count_at : count_at + 4] = struct.pack("<I", 1_000_000_000)
    p.write_bytes(bytes(data))
    c.add(p, "FLAC comment count claiming a billion", "any")


def _big_tags(c: Corpus) -> None:
    from mutagen.flac import FLAC, Picture
    from mutagen.id3 import APIC, ID3
    from mutagen.mp4 import MP4, MP4Cover

    folder = c.root / "big"
    cover = random.Random(7).randbytes(20 * 1024 * 1024)
    p = make_audio(folder, "mp3", {"title": "Big cover mp3", "artist": "Big"}, name="cover20mb.mp3")
    tags = ID3(p)
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=cover))
    tags.save(p)
    c.add(p, "mp3 with a 20 MB cover", "ok", title="Big cover mp3")
    p = make_audio(
        folder, "flac", {"title": "Big cover flac", "artist": "Big"}, name="cover20mb.flac"
    )
    audio = FLAC(p)
    pic = Picture()
    pic.type, pic.mime, pic.data = (
        3,
        "image/jpeg",
        cover[: (1 << 24) - 100],
    )  # FLAC's block limit: 16 MB
    audio.add_picture(pic)
    audio.save()
    c.add(p, "flac with a 16 MB cover", "ok", title="Big cover flac")
    p = make_audio(folder, "m4a", {"title": "Big cover m4a", "artist": "Big"}, name="cover20mb.m4a")
    audio = MP4(p)
    audio["covr"] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_JPEG)]
    audio.save()
    c.add(p, "m4a with a 20 MB cover", "ok", title="Big cover m4a")
    huge = "T" * (1024 * 1024)
    for fmt in (
        "mp3",
        "flac",
        "m4a",
    ):  # text is bounded (issue 18): stored cut short, with a warning
        p = make_audio(folder, fmt, {"title": huge, "artist": "Big"}, name=f"title1mb.{fmt}")
        c.add(p, f"{fmt} with a 1 MB title", "ok", title=huge[:MAX_TEXT])


def _names(c: Corpus) -> None:
    folder = c.root / "names"
    raw = os.fsencode(folder)
    for name, case in (
        (b"caf\xe9 latin-1.mp3", "name not valid UTF-8"),
        (b"\xff\xfe\x80.flac", "name of invalid bytes only"),
        (b"new\nline.ogg", "newline in the name"),
        (b"\x1b[2Jescape.mp3", "escape sequence in the name"),
        (b"#EXTINF:0,name.mp3", "name starting with #EXTINF"),
        (b"[bold]markup [link=x]y.m4a", "markup in the name"),
    ):
        fmt = os.fsdecode(name).rsplit(".", 1)[1]
        p = make_audio(folder, fmt, {"title": f"named {case}"}, name=name)
        c.add(p, case, "ok", title=f"named {case}")
    video = folder / "\x1b]0;pwned\x07[bold]Escape\u202e (2001).mkv"
    shutil.copyfile(VIDEO_FIXTURE, video)
    c.add(video, "video named with an escape, markup and a bidi override", "ok")
    long_name = "L" * (255 - 4) + ".mp3"  # NAME_MAX
    p = make_audio(folder, "mp3", {"title": "long name"}, name=long_name)
    c.add(p, "name of 255 bytes", "ok", title="long name")
    # A path just under PATH_MAX (4096), and a folder whose path is over it (made with dir fds).
    deep = raw + b"/deep"
    os.makedirs(deep, exist_ok=True)
    fd = os.open(deep, os.O_RDONLY | os.O_DIRECTORY)
    length = len(deep)
    try:
        while length + 241 < 4096 - 20:
            part = b"d" * 240
            os.mkdir(part, dir_fd=fd)
            new = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, length = new, length + 241
        near = deep + b"".join([b"/" + b"d" * 240] * ((length - len(deep)) // 241))
        p = make_audio(Path(os.fsdecode(near)), "mp3", {"title": "near PATH_MAX"}, name=b"n.mp3")
        c.add(p, f"path of {len(os.fsencode(p))} bytes", "ok", title="near PATH_MAX")
        for _ in range(2):  # now past PATH_MAX: only reachable relative to a folder fd
            os.mkdir(b"e" * 240, dir_fd=fd)
            new = os.open(b"e" * 240, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
        out = os.open(b"far.mp3", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, template("mp3").read_bytes())
        os.close(out)
    finally:
        os.close(fd)
    too_long = near + b"/" + b"e" * 240  # the folder whose files are past PATH_MAX
    c.add(too_long, "folder past PATH_MAX", "error", "File name too long")


def _links_and_specials(c: Corpus) -> None:
    folder = c.root / "links"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.mp3").symlink_to(folder / "does-not-exist.mp3")
    c.add(folder / "broken.mp3", "broken symlink", "error", "broken symlink")
    (folder / "self.flac").symlink_to(folder / "self.flac")
    c.add(folder / "self.flac", "symlink to itself", "error", "symlink loop")
    (folder / "a.ogg").symlink_to(folder / "b.ogg")
    (folder / "b.ogg").symlink_to(folder / "a.ogg")
    c.add(folder / "a.ogg", "two symlinks pointing at each other", "error", "symlink loop")
    c.add(folder / "b.ogg", "two symlinks pointing at each other", "error", "symlink loop")
    (folder / "up").symlink_to(c.root)
    c.add(folder / "up", "symlink to a folder above", "error", "symlink loop")
    os.mkfifo(folder / "pipe.mp3")
    c.add(folder / "pipe.mp3", "FIFO named .mp3", "error", "not a regular file")
    (folder / "notes.txt").write_text("not media")
    c.add(folder / "notes.txt", "a text file", "skip")
    hidden = make_audio(folder, "mp3", {"title": "hidden"}, name="._resource.mp3")
    c.add(hidden, "hidden file", "skip")
    dirlike = folder / "folder.mp3"
    dirlike.mkdir()
    c.add(dirlike, "folder named .mp3", "skip")


# NFO sidecars next to a real (tiny) video: each must be refused with a warning, the video indexed.
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n<movie><title>&lol9;</title></movie>\n"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<movie><title>&xxe;</title></movie>\n"
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>\n'
    "<movie><title>x</title></movie>\n"
)


def _nfo(c: Corpus) -> None:
    cases = {
        "Laughs (2001)": (BILLION_LAUGHS.encode(), "DOCTYPE"),
        "External (2002)": (EXTERNAL_ENTITY.encode(), "DOCTYPE"),
        "Parameter (2003)": (PARAMETER_ENTITY.encode(), "DOCTYPE"),
        "Oversized (2004)": (
            b"<movie><title>" + b"x" * (6 * 1024 * 1024) + b"</title></movie>",
            "larger than",
        ),
        "Deep (2005)": (b"<movie>" + b"<a>" * 200000 + b"</a>" * 200000 + b"</movie>", "ok"),
        "Garbage (2006)": (random.Random(3).randbytes(4000), "no movie"),
    }
    for name, (data, reason) in cases.items():
        folder = c.root / "movies" / name
        folder.mkdir(parents=True, exist_ok=True)
        video = folder / f"{name}.mkv"
        shutil.copyfile(VIDEO_FIXTURE, video)
        (folder / f"{name}.nfo").write_bytes(data)
        if reason == "ok":  # parsed (expat copes with deep nesting): indexed without a warning
            c.add(video, f"video with a hostile NFO ({name})", "ok")
        else:
            c.add(video, f"video with a hostile NFO ({name})", "warn", reason)
    folder = c.root / "movies" / "Fifo (2007)"
    folder.mkdir(parents=True)
    shutil.copyfile(VIDEO_FIXTURE, folder / "Fifo (2007).mkv")
    os.mkfifo(folder / "Fifo (2007).nfo")
    c.add(folder / "Fifo (2007).mkv", "video whose NFO is a FIFO", "warn", "not a regular file")


def _many_empty(c: Corpus, n: int) -> None:
    folder = c.root / "many"
    folder.mkdir(parents=True, exist_ok=True)
    raw = os.fsencode(folder)
    for i in range(n):
        name = raw + (b"/%06d.mp3" % i if i % 2 else b"/%06d" % i)
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644))
    c.add(folder, f"{n} empty files in one folder ({n // 2} named .mp3)", "many")


# --- files that change while they are read ----------------------------------------------------------


def make_churn(folder: Path, n: int = 60) -> list[Path]:
    """``n`` valid mp3s for churn() to mutate."""
    src = make_audio(folder / ".src", "mp3", {"title": "churn", "artist": "Churn"}, name="src.mp3")
    out = []
    for i in range(n):
        p = folder / f"c{i:03d}.mp3"
        shutil.copyfile(src, p)
        out.append(p)
    return out


def churn(paths: list[Path], stop, seed: int = 0) -> int:
    """Until ``stop`` is set: truncate, delete, rewrite and grow the files at random (a real thread, racing
    the scan's reader processes). Returns how many changes it made."""
    rng = random.Random(seed)
    src = (paths[0].parent / ".src" / "src.mp3").read_bytes()
    changes = 0
    while not stop.is_set():
        p = rng.choice(paths)
        action = rng.randrange(4)
        try:
            if action == 0:
                p.unlink(missing_ok=True)
            elif action == 1:
                with open(p, "r+b") as fh:
                    fh.truncate(rng.randrange(0, 400))
            elif action == 2:
                p.write_bytes(src)
            else:
                with open(p, "ab") as fh:
                    fh.write(rng.randbytes(5000))
        except OSError:
            pass
        changes += 1
    return changes


# --- import files ------------------------------------------------------------------------------------


@dataclass
class ImportCase:
    fmt: str
    path: Path
    case: str
    expect: str  # "error": exit 1, one line naming the file; "ok": imported


DEEP = 100_000


def build_imports(root: Path, *, sparse_mb: int = 80) -> list[ImportCase]:
    """One file per case. ``sparse_mb``: size of the sparse files with nothing that parses (over the 64 MB at
    which JSON arrays are streamed; 0 for none)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    cases: list[ImportCase] = []

    def add(fmt: str, name: str, data: bytes, case: str, expect: str = "error") -> Path:
        folder = root / fmt
        folder.mkdir(exist_ok=True)
        p = folder / name
        p.write_bytes(data)
        cases.append(ImportCase(fmt, p, case, expect))
        return p

    ts, hostile = "2021-03-04T05:06:07Z", HOSTILE_TEXT
    deep = b"[" * DEEP + b"]" * DEEP
    digits = b"9" * 5000
    # Spotify extended (JSON array)
    sx, sxn = "spotify-extended", "Streaming_History_Audio_{}.json"
    good = [
        {
            "ts": ts,
            "ms_played": 200000,
            "master_metadata_track_name": v,
            "master_metadata_album_artist_name": f"{v} artist",
            "master_metadata_album_album_name": "A",
            "reason_end": "trackdone",
        }
        for v in hostile.values()
    ]
    add(
        sx,
        sxn.format("hostile_text"),
        json.dumps(good).encode(),
        "hostile text in every field",
        "ok",
    )
    add(sx, sxn.format("deep"), deep, "JSON nested 100,000 deep")
    add(
        sx,
        sxn.format("deep_entry"),
        b'[{"ts": "' + ts.encode() + b'", "ms_played": ' + b"[" * DEEP + b"]" * DEEP + b"}]",
        "an entry nested 100,000 deep",
    )
    add(
        sx,
        sxn.format("digits"),
        b'[{"ts": "'
        + ts.encode()
        + b'", "ms_played": '
        + digits
        + b', "master_metadata_track_name": "t"}]',
        "a 5,000-digit number",
    )
    add(
        sx,
        sxn.format("huge"),
        json.dumps([{"ts": ts, "ms_played": 2**70, "master_metadata_track_name": "t"}]).encode(),
        "ms_played of 2**70",
    )
    add(
        sx,
        sxn.format("float"),
        json.dumps([{"ts": ts, "ms_played": 1e308, "master_metadata_track_name": "t"}]).encode(),
        "ms_played of 1e308",
    )
    add(
        sx,
        sxn.format("nan"),
        b'[{"ts": "' + ts.encode() + b'", "ms_played": NaN, "master_metadata_track_name": "t"}]',
        "ms_played NaN",
    )
    add(
        sx,
        sxn.format("types"),
        json.dumps([{"ts": 5, "ms_played": "x", "master_metadata_track_name": ["t"]}]).encode(),
        "wrong types",
    )
    add(
        sx,
        sxn.format("title_type"),
        json.dumps([{"ts": ts, "ms_played": 5, "master_metadata_track_name": {"a": 1}}]).encode(),
        "a title that is an object",
    )
    add(sx, sxn.format("object"), b'{"plays": []}', "an object instead of an array")
    add(
        sx,
        sxn.format("not_utf8"),
        b'[{"ts": "' + ts.encode() + b'", "master_metadata_track_name": "\xff\xfe"}]',
        "invalid UTF-8",
    )
    add(sx, sxn.format("truncated"), json.dumps(good).encode()[:150], "truncated JSON")
    add(sx, sxn.format("empty"), b"", "an empty file")
    # Spotify basic (JSON array)
    sb, sbn = "spotify-basic", "StreamingHistory_music_{}.json"
    add(
        sb,
        sbn.format("hostile_text"),
        json.dumps(
            [
                {
                    "endTime": "2021-03-04 05:06",
                    "artistName": f"{v} a",
                    "trackName": v,
                    "msPlayed": 100000,
                }
                for v in hostile.values()
            ]
        ).encode(),
        "hostile text in every field",
        "ok",
    )
    add(sb, sbn.format("deep"), deep, "JSON nested 100,000 deep")
    add(
        sb,
        sbn.format("huge"),
        json.dumps(
            [
                {
                    "endTime": "2021-03-04 05:06",
                    "artistName": "a",
                    "trackName": "t",
                    "msPlayed": 2**70,
                }
            ]
        ).encode(),
        "msPlayed of 2**70",
    )
    add(
        sb,
        sbn.format("digits"),
        b'[{"endTime": "2021-03-04 05:06", "artistName": "a", "trackName": "t", '
        b'"msPlayed": ' + digits + b"}]",
        "a 5,000-digit number",
    )
    add(
        sb,
        sbn.format("types"),
        json.dumps([{"endTime": 7, "artistName": 1, "trackName": None, "msPlayed": []}]).encode(),
        "wrong types",
    )
    add(sb, sbn.format("not_utf8"), b"[\xc3\x28]", "invalid UTF-8")
    add(sb, sbn.format("truncated"), b'[{"endTime": "2021-03-04 05:06", "artistN', "truncated JSON")
    # ListenBrainz (JSON lines, a JSON array, or a zip)
    lb = "listenbrainz"

    def lb_line(title, artist="a", at=1614834367, **extra) -> dict:
        return {
            "listened_at": at,
            "track_metadata": {
                "artist_name": artist,
                "track_name": title,
                "additional_info": extra,
            },
        }

    add(
        lb,
        "hostile.jsonl",
        b"\n".join(json.dumps(lb_line(v, f"{v} a")).encode() for v in hostile.values()),
        "hostile text in every field",
        "ok",
    )
    add(lb, "deep.jsonl", deep + b"\n", "a line nested 100,000 deep")
    add(
        lb,
        "digits.jsonl",
        b'{"listened_at": ' + digits + b', "track_metadata": {}}\n',
        "a 5,000-digit number",
    )
    add(
        lb,
        "huge.jsonl",
        json.dumps(lb_line("t", duration_ms=2**70)).encode() + b"\n",
        "duration_ms of 2**70",
    )
    add(
        lb,
        "huge_s.jsonl",
        json.dumps(lb_line("t", duration=2**62)).encode() + b"\n",
        "duration of 2**62 seconds",
    )
    add(
        lb,
        "types.jsonl",
        b'{"listened_at": "yesterday", "track_metadata": []}\n[1,2]\n',
        "wrong types",
    )
    add(
        lb,
        "meta_types.jsonl",
        json.dumps(
            {
                "listened_at": 1614834367,
                "track_metadata": {
                    "artist_name": "a",
                    "track_name": "t",
                    "additional_info": {"duration_ms": "long"},
                },
            }
        ).encode(),
        "duration_ms that is text",
    )
    add(
        lb,
        "not_utf8.jsonl",
        b'{"listened_at": 1614834367, "track_metadata": {"artist_name": "\xff"}}\n',
        "invalid UTF-8",
    )
    add(lb, "truncated.jsonl", json.dumps(lb_line("t")).encode()[:40], "truncated JSON line")
    add(lb, "listens.json", deep, "JSON array nested 100,000 deep")
    zpath = root / lb / "export.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "listens/2021/3.jsonl",
            b"\n".join(json.dumps(lb_line(f"z{i}")).encode() for i in range(50)),
        )
    data = bytearray(zpath.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size: 2 GB
        at = data.find(sig)
        data[at + offset : at + offset + 4] = struct.pack("<I", 2 * 1024**3)
    add(
        lb, "claims-2GB.zip", bytes(data), "a zip member claiming 2 GB", "any"
    )  # streamed: the lie costs nothing
    add(lb, "broken.zip", bytes(data[:60]), "a truncated zip")
    # Last.fm CSV
    fm = "lastfm"
    add(
        fm,
        "hostile.csv",
        (
            "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
            + "".join(
                f'1614834367,x,"{v.replace(chr(34), chr(34) * 2)} a",,al,,"{v.replace(chr(34), chr(34) * 2)}",\n'
                for v in hostile.values()
                if "\x00" not in v
            )
        ).encode(),
        "hostile text in every field",
        "ok",
    )
    add(fm, "digits.csv", b"uts,artist,track\n" + digits + b",a,t\n", "a 5,000-digit unix time")
    add(
        fm,
        "not_utf8.csv",
        b"Artist,Album,Track,31 Jan 2021 18:03\n\xff\xfe,\xc3,x,31 Jan 2021 18:04\n",
        "invalid UTF-8",
    )
    add(fm, "truncated.csv", b"Artist,Album,Track,31 Jan 2021 18:03\nArtist,Alb", "truncated CSV")
    add(
        fm,
        "nul.csv",
        b"Artist,Album,Track,31 Jan 2021 18:03\nA\x00,B,C\x00,31 Jan 2021 18:04\n",
        "NUL bytes",
        "ok",
    )
    add(
        fm,
        "huge_field.csv",
        b'Artist,Album,"' + b"x" * 300_000 + b'",31 Jan 2021 18:03\n',
        "a 300 kB field",
    )
    add(fm, "bad_date.csv", b"Artist,Album,Track,99 Foo 99999 99:99\n", "an impossible date")
    # Rockbox .scrobbler.log
    rb, head = "rockbox", "#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#CLIENT/Rockbox\n"
    add(
        rb,
        "hostile.scrobbler.log",
        (
            head
            + "".join(
                f"{v.replace(chr(9), ' ').replace(chr(10), ' ').replace(chr(13), ' ')} a\tal\t"
                f"{v.replace(chr(9), ' ').replace(chr(10), ' ').replace(chr(13), ' ')}\t1\t200\tL\t1614834367\t\n"
                for v in hostile.values()
            )
        ).encode(),
        "hostile text in every field",
        "ok",
    )
    add(
        rb,
        "digits.scrobbler.log",
        (head + "a\tb\tc\t1\t").encode() + digits + b"\tL\t1614834367\t\n",
        "a 5,000-digit duration",
    )
    add(
        rb,
        "huge.scrobbler.log",
        (head + f"a\tb\tc\t1\t{10**17}\tL\t1614834367\t\n").encode(),
        "a duration of 10**17 s",
    )
    add(
        rb,
        "not_utf8.scrobbler.log",
        head.encode() + b"\xff\tb\tc\t1\t200\tL\t1614834367\t\n",
        "invalid UTF-8",
    )
    add(rb, "truncated.scrobbler.log", (head + "a\tb\tc\t1\t20").encode(), "truncated line")
    add(rb, "noheader.scrobbler.log", b"a\tb\tc\t1\t200\tL\t1614834367\t\n", "no header")
    # Sparse files (no disk used): a big file with nothing that parses and no line end.
    if sparse_mb:
        for fmt, name, start in (
            (sx, sxn.format("sparse"), b"["),
            (lb, "sparse.jsonl", b"{"),
            (fm, "sparse.csv", b"uts,artist,track\n1"),
            (rb, "sparse.scrobbler.log", head.encode() + b"a"),
        ):
            p = root / fmt / name
            with open(p, "wb") as fh:
                fh.write(start)
                fh.truncate(sparse_mb << 20)
            cases.append(
                ImportCase(fmt, p, f"a sparse {sparse_mb} MB file with no line end", "error")
            )
    return cases
