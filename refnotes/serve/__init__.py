"""`refnotes serve`: the site, live, with forms that log what you did.

A layer above store/ and present/ (and below cli/): `live.py` builds the served site and rebuilds it (after
a write, and when the watcher in `watch.py` sees a vault file change); `actions.py` turns a form's fields
into the very edits `refnotes log`, `status` and `set` make (store/edits.py); `server.py` is the HTTP
server, which answers with the built files, takes the forms' posts and refuses everything else.
"""
