"""The project's own exceptions. Third-party errors are wrapped at the boundary."""


class TuneupError(Exception):
    """Base class; its message is a one-line, user-facing explanation."""


class ConfigError(TuneupError):
    pass


class StoreError(TuneupError):
    pass


class MediaReadError(TuneupError):
    """A media file could not be read; the message is the reason."""


class ImportFormatError(TuneupError):
    """An import file is malformed; the message names the file, line or entry."""


class NotFoundError(TuneupError):
    pass


class ItemNotFound(NotFoundError):
    """Text that names no item; ``suggestions`` (also in the one-line message) are labels of the
    closest items, for "did you mean"."""

    def __init__(self, message: str, suggestions: list[str] | tuple[str, ...] = ()):
        self.suggestions = list(suggestions)
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class PlayerError(TuneupError):
    pass


class NothingToMixError(TuneupError):
    pass


class DiskFullError(StoreError):
    """Something could not be written because its file system is full; the message names the file."""


def is_disk_full(exc: BaseException) -> bool:
    """True for a write that failed for lack of space: OSError ENOSPC/EDQUOT, or SQLite's SQLITE_FULL."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(
        exc, "sqlite_errorname", None
    ) == "SQLITE_FULL" or "database or disk is full" in str(exc)


class StoreDamagedError(StoreError):
    """The database file is damaged; nothing is written to it until `tuneup doctor --repair`."""
