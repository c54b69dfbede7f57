"""The shortcuts check what they are told: the referrer of a thanks or an update, every slug, every [[link]]."""

import pytest

DAY = ("--date", "2026-11-25")


@pytest.fixture
def people(vault):
    vault.contact("dana-kim", "name: Dana Kim\nkind: partner")
    vault.contact("karen-wu", "name: Karen Wu\nkind: client\nscore: 9")
    vault.contact("marcus-lee", "name: Marcus Lee\nkind: prospect\nstatus: new\nreferred_by: \"[[dana-kim]]\"\n"
                  "referred_on: 2026-11-20")
    vault.contact("olga-berg", "name: Olga Berg")
    return vault


def snapshot(vault) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((vault.root / "contacts").iterdir())}


@pytest.mark.parametrize("command", ["thank", "update"])
def test_a_thanks_or_update_for_someone_else_s_referral_is_refused_naming_the_referrer(run, people, command):
    before = snapshot(people)
    result = run("--vault", people.root, command, "karen-wu", "--for", "marcus-lee", *DAY)
    assert result.exit_code == 2
    assert result.output == (f"Error: karen-wu did not refer marcus-lee: dana-kim did (contacts/marcus-lee.md:5); "
                             f"nothing was written. Did you mean `refnotes {command} dana-kim --for marcus-lee`?\n")
    assert snapshot(people) == before


@pytest.mark.parametrize("command", ["thank", "update"])
def test_a_thanks_for_someone_nobody_referred_is_refused(run, people, command):
    before = snapshot(people)
    result = run("--vault", people.root, command, "karen-wu", "--for", "olga-berg", *DAY)
    assert result.exit_code == 2
    assert "nobody is recorded as having referred olga-berg" in result.output
    assert snapshot(people) == before


def test_the_right_referrer_is_thanked_whatever_the_case_or_link_form(run, people):
    result = run("--vault", people.root, "thank", "Dana-Kim", "--for", "[[marcus-lee]]", *DAY)
    assert result.exit_code == 0, result.output
    assert people.load().contacts["dana-kim"].entries[-1].links == ("marcus-lee",)


def test_only_the_referral_s_own_file_is_parsed(run, people, monkeypatch):
    from refnotes.formats import contact as parse

    seen = []
    real = parse.parse_contact

    def spy(raw, path, slug):
        seen.append(path)
        return real(raw, path, slug)

    monkeypatch.setattr(parse, "parse_contact", spy)
    assert run("--vault", people.root, "--no-cache", "thank", "dana-kim", "--for", "marcus-lee", *DAY).exit_code == 0
    assert seen == ["contacts/marcus-lee.md"]


def test_a_referral_whose_file_cannot_be_read_is_not_guessed(run, people):
    people.write("contacts/marcus-lee.md", "---\nname: [Marcus\n---\n")
    before = snapshot(people)
    result = run("--vault", people.root, "thank", "dana-kim", "--for", "marcus-lee", *DAY)
    assert result.exit_code == 2 and "cannot tell who referred marcus-lee" in result.output
    assert snapshot(people) == before


@pytest.mark.parametrize("args", [
    ("log", "karen-wu", "call", "Talked about [[marcus-le]] #ask"),
    ("ask", "karen-wu", "--text", "mentioned [[marcus-le]]"),
    ("thank", "dana-kim", "--for", "marcus-lee", "--text", "and for [[marcus-le]]"),
    ("update", "dana-kim", "--for", "marcus-lee", "--text", "met [[Marcus-Le|Marcus]]"),
    ("intro", "karen-wu", "olga-berg", "--for", "what [[marcus-le]] does"),
])
def test_a_link_to_no_contact_is_refused_with_the_nearest_slugs(run, people, args):
    before = snapshot(people)
    result = run("--vault", people.root, *args, *DAY)
    assert result.exit_code == 2
    assert "links to no contact; nothing was written (did you mean [[marcus-lee]]?)" in result.output
    assert snapshot(people) == before


def test_a_link_in_a_code_span_is_text_not_a_link(run, people):
    result = run("--vault", people.root, "log", "karen-wu", "email", "sent the `[[slug]]` syntax", *DAY)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [
    ("thank", "dana-kin", "--for", "marcus-lee"),
    ("thank", "dana-kim", "--for", "marcus-le"),
    ("update", "dana-kim", "--for", "marcus-le"),
    ("ask", "karen-w"),
    ("intro", "karen-wu", "olga-bergg", "--for", "bookkeeping"),
    ("intro", "karen-wuu", "olga-berg", "--for", "bookkeeping"),
])
def test_an_unknown_slug_is_refused_before_anything_is_written(run, people, args):
    before = snapshot(people)
    result = run("--vault", people.root, *args, *DAY)
    assert result.exit_code == 2 and "did you mean" in result.output
    assert snapshot(people) == before


@pytest.mark.parametrize("args, said", [
    (("refer", "Erin Walsh", "--by", "dana-kin"), "Error: --by dana-kin: no such contact; did you mean dana-kim?"),
    (("new", "Erin Walsh", "--referred-by", "dana-kin"),
     "Error: --referred-by dana-kin: no such contact; did you mean dana-kim?"),
])
def test_an_unknown_referrer_is_reported_under_the_option_that_named_it(run, people, args, said):
    result = run("--vault", people.root, *args)
    assert (result.exit_code, result.output.strip()) == (2, said)
    assert not (people.root / "contacts" / "erin-walsh.md").exists()
