import pytest

from refnotes.formats.slug import candidates, slugify


@pytest.mark.parametrize(
    "name, slug",
    [
        ("José Álvarez", "jose-alvarez"),
        ("Alice Nguyen", "alice-nguyen"),
        ("Anne-Marie O'Neil", "anne-marie-oneil"),
        ("Đặng Thu Hà", "dang-thu-ha"),
        ("Søren Kjær", "soren-kjaer"),
        ("Zoë  Kim ", "zoe-kim"),
        ("../../etc/passwd", "etc-passwd"),
        ("/", "contact"),
        ("..", "contact"),
        ("王小明", "王小明"),
        ("李小龍", "李小龍"),
        ("Ольга Иванова", "ольга-иванова"),
        ("Ἀθηνᾶ Παππᾶ", "ἀθηνᾶ-παππᾶ"),
        ("O’Neil", "oneil"),
        ("x² Ⅻ ﬁne", "x2-xii-fine"),
        ("🎉", "contact"),
        ("CON", "con-contact"),
        ("lpt1", "lpt1-contact"),
        ("Dr. A. B. Smith, Jr.", "dr-a-b-smith-jr"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_long_names_are_cut_at_a_word():
    slug = slugify("Maximiliana " * 10)
    assert len(slug) <= 60 and not slug.endswith("-")


def test_candidates_count_up_from_two():
    gen = candidates("bob")
    assert [next(gen) for _ in range(3)] == ["bob", "bob-2", "bob-3"]


def test_names_in_another_script_keep_their_letters_and_never_collide():
    """Folded to ASCII, every Cyrillic name was `contact`: the second one a "duplicate" of the first."""
    names = ["Ольга Иванова", "Ольга Петрова", "Иван Петров", "王小明", "李小龍"]
    assert len({slugify(name) for name in names}) == len(names)


def test_a_slug_is_compared_composed_and_lower_cased():
    import unicodedata

    from refnotes.formats.slug import normal

    decomposed = unicodedata.normalize("NFD", "Ольга-Йосиф")  # as macOS may hand a file name back
    assert normal(decomposed) == normal("ольга-йосиф") == "ольга-йосиф"
    assert normal("Bob-Martinez") == "bob-martinez"


def test_a_contact_in_cyrillic_is_made_linked_logged_and_paged(run, vault, tmp_path):
    import unicodedata

    vault.write("refnotes.yaml", "")
    for name in ("Ольга Иванова", "Ольга Петрова"):
        done = run("--vault", vault.root, "new", name)
        assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (vault.root / "contacts").glob("*.md")) == ["ольга-иванова.md", "ольга-петрова.md"]
    # a file name as macOS may hand it back (decomposed), linked composed from another file
    vault.write("contacts/" + unicodedata.normalize("NFD", "йосиф.md"), "---\nname: Йосиф\n---\n")
    vault.contact("bob", "name: Bob\nreferred_by: ольга-иванова\nreferred_on: 2026-11-01", "Knows [[Йосиф]].\n")
    assert run("--vault", vault.root, "check").exit_code == 0
    done = run("--vault", vault.root, "log", "ольга-петрова", "call", "hello", "--date", "2026-11-20")
    assert done.exit_code == 0, done.output
    assert "- 2026-11-20 call: hello" in (vault.root / "contacts" / "ольга-петрова.md").read_text()
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25").exit_code == 0
    assert (out / "contacts" / "ольга-иванова.html").is_file()
    assert "%D0%BE%D0%BB%D1%8C%D0%B3%D0%B0-%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0.html" in (
        out / "contacts" / "bob.html").read_text()
