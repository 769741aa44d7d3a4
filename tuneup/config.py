"""Settings from a TOML file, loaded once at the edge and passed in.

Every key is declared in ``SETTINGS`` with its type, default, limits and help, so
``tuneup config set`` can validate a value and ``tuneup config show`` can list them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneup.errors import ConfigError
from tuneup.paths import ensure_dir


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("profile", str, "default", "Profile used when --profile is not given."),
        Setting(
            "adventurousness", int, 30, "Share of exploration in discovery mixes (0-100).", 0, 100
        ),
        Setting("player", str, "mpv", "Player used to play mixes.", choices=("mpv", "mpd")),
        Setting("scan.workers", int, 0, "Worker processes for scanning (0 = one per core).", 0, 64),
        Setting("scan.follow_symlinks", bool, True, "Follow symbolic links while scanning."),
        Setting(
            "analyze.workers",
            int,
            0,
            "Worker processes for audio analysis (0 = one per core).",
            0,
            64,
        ),
        Setting(
            "history.skip_seconds",
            int,
            30,
            "A play ended by the person before this many seconds is a skip.",
            1,
            600,
        ),
        Setting(
            "history.session_gap_minutes",
            int,
            30,
            "A pause longer than this starts a new listening session.",
            1,
            1440,
        ),
        Setting(
            "video.complete_ratio",
            float,
            0.9,
            "A video counts as watched at this share of its length.",
            0.5,
            1.0,
        ),
        Setting(
            "video.credits_seconds",
            int,
            300,
            "...or when less than this many seconds remain (credits allowance).",
            0,
            3600,
        ),
        Setting("mix.weekly_size", int, 30, "Items in the weekly discovery mix.", 1, 500),
        Setting("mix.daily_count", int, 6, "Number of daily mixes.", 0, 12),
        Setting("mix.daily_size", int, 25, "Items in each daily mix.", 1, 500),
        Setting("mix.artist_cap", int, 2, "Most items by one artist in a discovery mix.", 1, 50),
        Setting(
            "mix.min_seconds",
            int,
            30,
            "Tracks shorter than this stay out of music mixes and `similar` (samples, jingles).",
            0,
            3600,
        ),
        Setting(
            "mpd.host", str, "", "MPD host or unix socket path (empty: $MPD_HOST or localhost)."
        ),
        Setting("mpd.port", int, 0, "MPD port (0: $MPD_PORT or 6600).", 0, 65535),
        Setting("mpd.password", str, "", "MPD password, if the server needs one."),
        Setting(
            "mpd.music_directory", str, "", "MPD's music_directory, to map its paths to files."
        ),
    ]
}


class Config:
    def __init__(self, values: dict[str, Any] | None = None, path: Path | None = None):
        self.path = path
        self._values: dict[str, Any] = {}
        for key, value in (values or {}).items():
            self._values[key] = value

    def get(self, key: str) -> Any:
        if key not in SETTINGS:
            raise ConfigError(f"unknown setting {key!r}")
        return self._values.get(key, SETTINGS[key].default)

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def items(self) -> list[tuple[str, Any, bool]]:
        """(key, value, is_default) for every setting."""
        return [(k, self.get(k), k not in self._values) for k in SETTINGS]

    def set(self, key: str, raw: Any) -> Any:
        value = coerce(key, raw)
        self._values[key] = value
        return value

    def save(self) -> None:
        if self.path is None:
            raise ConfigError("this configuration has no file to save to")
        import tomli_w

        nested: dict[str, Any] = {}
        for key, value in sorted(self._values.items()):
            *parents, leaf = key.split(".")
            node = nested
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = value
        ensure_dir(self.path.parent)
        from tuneup.atomic import replacing

        with replacing(self.path, what="settings file", mode=0o600) as fh:
            tomli_w.dump(nested, fh)


def coerce(key: str, raw: Any) -> Any:
    """Turn ``raw`` (a string from the shell, or a TOML value) into the setting's type."""
    setting = SETTINGS.get(key)
    if setting is None:
        known = ", ".join(SETTINGS)
        raise ConfigError(f"unknown setting {key!r}; known settings: {known}")
    try:
        value = _convert(setting.type, raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: expected {setting.type.__name__}, got {raw!r}") from None
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"{key}: {value} is below the minimum {setting.minimum:g}")
    if setting.maximum is not None and value > setting.maximum:
        raise ConfigError(f"{key}: {value} is above the maximum {setting.maximum:g}")
    if setting.choices and value not in setting.choices:
        raise ConfigError(f"{key}: {value!r} is not one of {', '.join(setting.choices)}")
    return value


def _convert(kind: type, raw: Any) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if kind is int and isinstance(raw, float) and not raw.is_integer():
        raise ValueError(raw)
    if kind is int and isinstance(raw, bool):
        raise ValueError(raw)
    return kind(raw)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = value
    return flat


MAX_CONFIG_BYTES = 1 << 20  # a settings file of a few lines; anything bigger is not tuneup's


def _read_bounded(path: Path) -> bytes:
    """The file's bytes: a regular file of at most MAX_CONFIG_BYTES (a FIFO or /dev/zero put in
    its place must not block or fill memory)."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"{path}: not a regular file")
        data = fh.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MB; not a settings file")
    return data


def load_config(path: Path) -> Config:
    """Read and validate the TOML file at ``path``; a missing file means all defaults."""
    if not path.exists():
        return Config(path=path)
    try:
        data = tomllib.loads(_read_bounded(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    values = {}
    for key, raw in _flatten(data).items():
        try:
            values[key] = coerce(key, raw)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return Config(values, path=path)
