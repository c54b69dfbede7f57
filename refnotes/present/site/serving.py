"""What the pages `refnotes serve` answers with carry besides a static build's: the forms' settings.

A static build is rendered with `serving` None and shows no form and no script. A served build is
rendered with `forms(stages)`: every form carries TOKEN and every page NOTICE, placeholders the server
puts the run's own token and the outcome of the last write in place of as it answers (so that the pages
on disk stay the same from one run to the next, and an incremental build stays incremental).
"""

from __future__ import annotations

from markupsafe import Markup

from refnotes.core.model import MEDIA

TOKEN = "refnotes-serve-token-placeholder"
NOTICE = "<!--refnotes:notice-->"
SNOOZE = ((7, "1 week"), (14, "2 weeks"), (30, "1 month"), (90, "3 months"))  # the Snooze form's presets, in days
TEXT_MAX = 500  # characters a form's "what happened" takes (the server refuses a longer one, writing nothing)


def forms(stages: tuple[str, ...]) -> dict:
    """The `serving` value served pages are rendered with: the token's placeholder, the media and the
    pipeline's stages the forms offer, the snooze presets."""
    return {"token": TOKEN, "notice": Markup(NOTICE), "media": MEDIA, "stages": tuple(stages), "snooze": SNOOZE,
            "text_max": TEXT_MAX}
