"""How to greet a contact: the salutation, else their first name, else one worked out from the name."""

from __future__ import annotations


def greeting(contact) -> str:
    """`salutation`, else `first_name`, else the first word of the name."""
    if contact.salutation:
        return contact.salutation
    if contact.first_name:
        return contact.first_name
    words = contact.name.split()
    return words[0] if words else contact.name
