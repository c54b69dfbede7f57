"""Greetings: salutation, else first_name, else the name without honorifics, suffixes and a couple's surname."""


import pytest

from refnotes.core.names import greeting, greeting_from_name


@pytest.mark.parametrize("name, expected", [
    ("Alice Nguyen", "Alice"),
    ("Mr. Michael Grant", "Michael"),  # was "Mr."
    ("Mr Michael Grant", "Michael"),
    ("mr. michael grant", "michael"),
    ("MRS. ANNA GRANT", "ANNA"),
    ("Ms. Ana Lee", "Ana"),
    ("Miss Jane Marple", "Jane"),
    ("Mx. Sam Lee", "Sam"),
    ("Dr. Priya Shah", "Priya"),
    ("Prof. Dr. Anna Schmidt", "Anna"),
    ("Rev. Martin Luther King Jr.", "Martin"),
    ("Sir Elton John", "Elton"),
    ("Dame Judi Dench", "Judi"),
    ("Hon. Jane Doe", "Jane"),
    ("Herr Hans Müller", "Hans"),
    ("Frau Dr. med. Anna Weber", "Anna"),
    ("Sr. Carlos Ruiz", "Carlos"),  # Señor at the start...
    ("Juan Pérez Sr.", "Juan"),  # ...Senior at the end
    ("Sra. Ana María Gómez", "Ana"),
    ("Mme Claire Dubois", "Claire"),
    ("M. Jean Dupont", "Jean"),
    ("Dott.ssa Giulia Rossi", "Giulia"),
    ("Michael Grant Jr.", "Michael"),
    ("Michael Grant, Jr.", "Michael"),
    ("Michael Grant III", "Michael"),
    ("Michael Grant, PhD, CPA", "Michael"),
    ("Michael Grant, Esq.", "Michael"),
    ("Grant, Michael", "Michael"),
    ("Grant, Michael, Jr.", "Michael"),
    ("Grant Jr., Michael", "Michael"),
    ("Grant, Mr. Michael", "Michael"),
    ("Tom & Lisa Nguyen", "Tom & Lisa"),  # was "Tom"
    ("Tom&Lisa Nguyen", "Tom & Lisa"),
    ("Tom and Lisa Nguyen", "Tom and Lisa"),  # their own word is kept
    ("Juan y María García", "Juan y María"),
    ("Dr. Tom & Lisa Nguyen", "Tom & Lisa"),
    ("Tom Nguyen & Lisa Park", "Tom & Lisa"),
    ("Nguyen, Tom & Lisa", "Tom & Lisa"),
    ("Tom, Lisa & Ann Nguyen", "Tom, Lisa & Ann"),
    ("Tom & Lisa", "Tom & Lisa"),
    ("Dr. Liu", "Dr. Liu"),  # no first name: the greeting a person would write
    ("Liu, Dr.", "Dr. Liu"),
    ("Mr. & Mrs. Smith", "Mr. & Mrs. Smith"),
    ("Mr. and Mrs. John Smith", "Mr. and Mrs. Smith"),  # one of them has no given name: both formal
    ("J. Robert Oppenheimer", "Robert"),
    ("J. R. Smith", "J. R. Smith"),
    ("Dr. J. Smith", "Dr. Smith"),
    ('Robert "Bob" Smith', "Bob"),
    ("Michael Grant (Acme Realty)", "Michael"),
    ("Cher", "Cher"),
    ("Dr.", "Dr."),
    ("Yo-Yo Ma", "Yo-Yo"),  # Ma is a family name, not an M.A.
    ("Don Draper", "Don"),  # Don is a given name here, not a title
    ("Jean-Luc Picard", "Jean-Luc"),
    ("Ольга Иванова", "Ольга"),
    ("李小龍", "李小龍"),  # family name first, no spaces: the whole name
    ("田中 太郎", "田中 太郎"),
    ("김민준", "김민준"),
    ("  Mr.   Michael   Grant ", "Michael"),
    ("", ""),
])  # fmt: skip
def test_greeting_from_name(name, expected):
    assert greeting_from_name(name) == expected


class Person:
    def __init__(self, name, first_name=None, salutation=None):
        self.name, self.first_name, self.salutation = name, first_name, salutation


def test_salutation_wins_then_first_name_then_the_name():
    assert greeting(Person("Dr. Wei Liu", first_name="Wei", salutation="Dr. Liu")) == "Dr. Liu"
    assert greeting(Person("Tom Nguyen", first_name="Tommy")) == "Tommy"
    assert greeting(Person("Tom Nguyen", first_name="Tommy", salutation="Tom & Lisa")) == "Tom & Lisa"
    assert greeting(Person("Mr. Michael Grant")) == "Michael"
    assert greeting(Person("Mr. Michael Grant", first_name="", salutation="")) == "Michael"


def test_contacts_greet_by_their_front_matter(vault):
    vault.contact("grant", "name: Mr. Michael Grant")
    vault.contact("nguyen", "name: Tom & Lisa Nguyen\nfirst_name: Tom")
    vault.contact("liu", "name: Dr. Wei Liu\nfirst_name: Wei\nsalutation: Dr. Liu")
    contacts = vault.load().contacts
    assert [contacts[s].greeting for s in ("grant", "nguyen", "liu")] == ["Michael", "Tom", "Dr. Liu"]



def test_web_pages_are_compared_without_scheme_www_case_or_trailing_slash():
    from refnotes.core.names import web_pages

    assert web_pages(["https://www.LinkedIn.com/in/priya/", "linkedin.com/in/priya", "  "]) == {"linkedin.com/in/priya"}
    assert web_pages("http://example.com/a") == {"example.com/a"}
    assert web_pages(None) == set()
