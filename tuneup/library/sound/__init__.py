"""Sound: decoding excerpts, signal features, the analysis batch, nearest tracks."""
