"""refnotes: a plain-text referral system.

Contacts are markdown files with YAML front matter in a git-tracked folder
(the vault); refnotes turns them into a weekly plan of who to call, thank,
update, ask and introduce.
"""

__version__ = "0.1.0"
