"""Music tags: mutagen, the fast MP3/FLAC readers, guesses from the path."""
