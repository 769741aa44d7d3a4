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


class PlayerError(TuneupError):
    pass


class NothingToMixError(TuneupError):
    pass
