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
        ("王小明", "contact"),
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
