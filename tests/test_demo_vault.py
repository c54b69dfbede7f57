"""The demo vault is clean and shows off the whole format."""

from collections import Counter

from conftest import REPO

from refnotes.core.model import KINDS, MEDIA, REFERRAL_TAGS, TIERS
from refnotes.store.vault import load_vault

DEMO = load_vault(REPO / "vault", use_cache=False)  # the checkout's own: read, its cache never written


def test_demo_vault_checks_clean_with_no_warnings():
    assert [str(p) for p in DEMO.problems] == []


def test_demo_vault_is_varied():
    contacts = list(DEMO.contacts.values())
    assert len(contacts) >= 40
    assert {c.kind for c in contacts} == set(KINDS)
    assert {c.tier for c in contacts if c.tier} == set(TIERS)
    assert all(DEMO.config[f"tiers.{t}"] for t in TIERS) and DEMO.config["owner.name"]
    assert {c.birthday.month for c in contacts if c.birthday} == set(range(1, 13))
    assert any(c.birthday and c.birthday.year is None for c in contacts)
    assert sum(1 for c in contacts if c.anniversary) >= 10
    scores = [c.score for c in contacts if c.score is not None]
    assert min(scores) <= 3 and max(scores) == 10
    assert any(c.do_not_contact for c in contacts)
    assert any(c.snooze_until for c in contacts)
    assert any(c.kind == "partner" and c.offers for c in contacts)
    assert sum(1 for c in contacts if c.needs) >= 5
    assert sum(1 for c in contacts if not c.name.isascii()) >= 4
    assert {c.status for c in contacts if c.status} >= {"new", "contacted", "meeting", "won", "lost"}


def test_demo_log_uses_every_medium_and_hashtag():
    entries = [e for c in DEMO.contacts.values() for e in c.entries]
    assert {e.medium for e in entries} == set(MEDIA)
    assert set(REFERRAL_TAGS) <= {t for e in entries for t in e.hashtags}


def test_demo_has_a_referral_chain_three_deep():
    def depth(slug: str) -> int:
        ref = DEMO.contacts[slug].referred_by
        return 0 if ref is None else 1 + depth(ref)

    assert max(depth(slug) for slug in DEMO.contacts) >= 3
    referrers = Counter(c.referred_by for c in DEMO.contacts.values() if c.referred_by)
    assert len(referrers) >= 6
