"""tuneup: learns your taste from your own media library. Nothing heavy is imported here."""

__version__ = "0.1.0"
