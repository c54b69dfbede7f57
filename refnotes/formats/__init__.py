"""File formats: the bytes on disk and how to change them safely. Nothing here knows the rules."""
