"""Scanning: the walk, reader processes, fingerprints, the library's folders."""
