"""refnotes.yaml: one spec of every key, its default, its check and its meaning.

The spec drives three things, so they never disagree: loading with defaults,
validation with line numbers, and the commented refnotes.yaml that `init`
writes (see `render_default`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from refnotes.core.checks import boolean, choice, choices, integer, shown, text
from refnotes.core.dates import MAX_DAYS, parse_cadence, parse_date
from refnotes.core.model import END_STAGES, KINDS, STATUSES, TIERS, WARNING, WEEKDAYS, Problem

CONFIG_FILE = "refnotes.yaml"
CARD_SIZES = ("A6", "4x6in", "5x7in")
MAX_TARGET = 10_000  # a goal's target, per week or month
MAX_PER_DAY = 1_000  # contacts to reach on one day of the referral month
MAX_CURRENCY = 8  # characters of owner.currency: a symbol or a code, not a sentence


def cadence(value: Any) -> str:
    return parse_cadence(value)


def goal(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("must be a mapping like {per: week, target: 5}")
    unknown = set(value) - {"per", "target"}
    if unknown:
        raise ValueError(f"unknown key {sorted(map(str, unknown))[0]!r}; a goal has only per and target")
    per = choice(("week", "month"))(value.get("per", "week"))
    target = integer(0, MAX_TARGET)(value.get("target", 0))
    return {"per": per, "target": target}


def stages(value: Any) -> tuple[str, ...]:
    """The pipeline: words in order; won and lost always exist and end it (added at the end when left out)."""
    if not isinstance(value, list) or not value:
        raise ValueError("must be a list of stages like [new, contacted, meeting, won, lost]")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or any(ch.isspace() for ch in item.strip()):
            raise ValueError(f"{shown(item)} is not a stage: one word each, like under-contract")
        stage = item.strip().lower()
        if stage in out:
            raise ValueError(f"{stage} is listed twice")
        out.append(stage)
    open_stages = [s for s in out if s not in END_STAGES]
    return (*open_stages, *END_STAGES)


STARTS = ("first-seen", "won", "yearly")  # where an assigned program starts from (core/programs.py)
ASSIGN_KEYS = ("kinds", "tiers", "tags", "start")


def assignments(value: Any) -> dict[str, dict[str, Any]]:
    """`programs:`: which touch programs apply to whom, `{8x8: {kinds: [prospect], start: first-seen}}`.
    A contact matches a program when it is one of the kinds, one of the tiers and has one of the tags
    listed (what is not listed does not narrow it). Which programs exist is checked with the programs."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be a mapping like {8x8: {kinds: [prospect, sphere], start: first-seen}}")
    out: dict[str, dict[str, Any]] = {}
    for name, spec in value.items():
        if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip():
            raise ValueError(f"{shown(name)} is not a program's name")
        name = str(name).strip()
        spec = {} if spec is None else spec
        if not isinstance(spec, dict):
            raise ValueError(f"{name}: must be a mapping like {{kinds: [client], start: won}}, not {shown(spec)}")
        unknown = [str(key) for key in spec if key not in ASSIGN_KEYS]
        if unknown:
            raise ValueError(f"{name}: unknown key {unknown[0]!r}; an assignment has {', '.join(ASSIGN_KEYS)}")
        try:
            out[name] = {
                "kinds": _one_or_list(spec.get("kinds"), choice(KINDS)),
                "tiers": _one_or_list(spec.get("tiers"), choice(TIERS, str.upper)),
                "tags": tuple(tag.casefold() for tag in _one_or_list(spec.get("tags"), text)),
                "start": choice(STARTS)(spec.get("start", "first-seen")),
            }
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return out


def _one_or_list(value: Any, one: Callable[[Any], str]) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(dict.fromkeys(one(item) for item in (value if isinstance(value, list) else [value])))


def currency(value: Any) -> str:
    """`owner.currency`: a symbol or a code of a few characters, one line, shown before amounts."""
    shown_text = text(value).strip()
    if len(shown_text) > MAX_CURRENCY or any(ch.isspace() for ch in shown_text):
        raise ValueError(f"{shown(value)} is not a currency: a symbol like $ or € or a code like USD, "
                         f"at most {MAX_CURRENCY} characters")
    return shown_text


TEAM_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")  # an owner's id: sam, jo-park, a2
MAX_TEAM = 100  # people on one vault's team


class KeyProblems(ValueError):
    """Some keys of a mapping setting are wrong: `value` is the setting without them, `problems` (key as the
    data has it, message) are reported each on its own key's line."""

    def __init__(self, value: Any, problems: list[tuple[Any, str]]):
        super().__init__(problems[0][1])
        self.value, self.problems = value, problems


def team(value: Any) -> dict[str, str]:
    """`team:`: who keeps the vault's relationships, `{sam: Sam Rivera, jo: Jo Park}` (id -> name). An id is
    what a contact's `owner:` and `--for` name: lower-case letters, digits and hyphens. A bad member is
    left out (and reported on its line); the others stay."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"must be a mapping of ids to names like {{sam: Sam Rivera, jo: Jo Park}}, not {shown(value)}")
    out: dict[str, str] = {}
    wrong: list[tuple[Any, str]] = []
    for raw, name in value.items():
        key = raw if isinstance(raw, str) else None
        if key is None or not TEAM_ID.fullmatch(key) or len(key) > 64:
            like = re.sub("[^a-z0-9]+", "-", str(raw).lower()).strip("-")
            hint = "; put it in quotes" if like == str(raw) else f" (like {like})" if like else ""
            wrong.append((raw, f"{shown(raw)} is not an id: lower-case letters, digits and hyphens{hint}"))
        elif not isinstance(name, str) or not name.strip() or "\n" in name.strip():
            wrong.append((raw, f"the name of {key} must be one line of text like Jo Park, not {shown(name)}"))
        elif len(out) >= MAX_TEAM:
            wrong.append((raw, f"more than {MAX_TEAM} people: {key} and those after are left out"))
            break
        else:
            out[key] = " ".join(name.split())
    if wrong:
        raise KeyProblems(out, wrong)
    return out


def dates(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("must be a list of dates like [2027-03-17]")
    return tuple(parse_date(item).isoformat() for item in value)


@dataclass(frozen=True)
class Setting:
    key: str  # dotted: "rules.ask_every_days"
    default: Any
    check: Callable[[Any], Any]
    doc: str


@dataclass(frozen=True)
class Section:
    key: str
    doc: str
    open: bool = False  # keys beyond the listed ones are allowed (none are, yet)


SECTIONS = (
    Section("owner", "You: used to sign notes and in the talking points."),
    Section("tiers", "Your four kinds of clients, described. A contact's `tier:` is one of these letters."),
    Section("cadence", "How often to keep in touch, by tier (for clients) or by kind. A contact's own "
            "`cadence:` wins. Values: weekly | biweekly | monthly | quarterly | semiannual | annual | never | \"<N>d\"."),
    Section("goals", "Targets, each per week or per month. Weeks start on Monday."),
    Section("rules", "Timings of the agenda rules, in days (and scores on the 0-10 scale)."),
    Section("referral_month", "The yearly referral month: everyone hears from you once."),
    Section("notes", "Handwritten notes."),
    Section("pipeline", "The stages a lead goes through (`refnotes status SLUG STAGE`)."),
    Section("git", "Git, the audit trail."),
)

SPEC: tuple[Setting, ...] = (
    Setting("owner.name", "", text, "Your name, as you sign notes."),
    Setting("owner.business", "", text, "Your business's name."),
    Setting("owner.phone", "", text, "The phone number you give out."),
    Setting("owner.email", "", text, "The email address you give out."),
    Setting("owner.address", "", text, "Your mailing address: the return address on envelopes."),
    Setting("owner.currency", "", currency,
            "The currency of `value:` on the pages. Empty: a plain number (3,600). A symbol goes right before "
            "the number ($ shows $3,600, € shows €3,600); a code or word goes before it with a space (USD shows "
            "USD 3,600, CHF shows CHF 3,600)."),
    Setting("ideal_client", "people like you", text,
            "Who you serve best, as people: it completes \"If you know ..., I'd be glad to help them too\" "
            "in the ask line and the referral-month talking points, e.g. \"families buying or selling a home\" "
            "or \"small-business owners who want their books done right\"."),
    Setting("tiers.A", "Your best clients: regular work, delighted, refer often", text, "Tier A."),
    Setting("tiers.B", "Good clients you want more of", text, "Tier B."),
    Setting("tiers.C", "Occasional clients", text, "Tier C."),
    Setting("tiers.D", "One-off or hard-to-serve clients", text, "Tier D."),
    Setting("cadence.partner", "monthly", cadence, "Referral partners."),
    Setting("cadence.A", "monthly", cadence, "Tier A clients."),
    Setting("cadence.B", "quarterly", cadence, "Tier B clients."),
    Setting("cadence.C", "semiannual", cadence, "Tier C clients."),
    Setting("cadence.D", "annual", cadence, "Tier D clients."),
    Setting("cadence.client", "quarterly", cadence, "Clients without a tier."),
    Setting("cadence.sphere", "quarterly", cadence, "Your sphere of influence: friends, family, neighbours."),
    Setting("cadence.prospect", "monthly", cadence, "Prospects (leads) still in the pipeline."),
    Setting("goals.referrals_received", {"per": "month", "target": 4}, goal, "Referrals people send you."),
    Setting("goals.referrals_given", {"per": "week", "target": 2}, goal, "Introductions you make (#gave)."),
    Setting("goals.asks", {"per": "week", "target": 5}, goal, "Times you ask for referrals (#ask)."),
    Setting("goals.notes_written", {"per": "week", "target": 5}, goal, "Handwritten notes and cards sent."),
    Setting("rules.lead_followup_days", 1, integer(0, MAX_DAYS), "Follow up a new lead within this many days."),
    Setting("rules.thank_within_days", 2, integer(0, MAX_DAYS), "Thank a referrer within this many days."),
    Setting("rules.update_within_days", 7, integer(0, MAX_DAYS),
            "Tell a referrer what happened within this many days."),
    Setting("rules.ask_min_score", 9, integer(0, 10), "Ask clients for referrals from this score up."),
    Setting("rules.ask_every_days", 90, integer(1, MAX_DAYS), "Ask the same client again after this many days."),
    Setting("rules.recovery_max_score", 6, integer(0, 10), "Clients at or below this score need service recovery first."),
    Setting("rules.note_lead_days", 10, integer(0, MAX_DAYS),
            "Write birthday and anniversary cards this many days ahead."),
    Setting("rules.retry_days", 2, integer(0, MAX_DAYS),
            "After an #attempt (no answer, voicemail), try a lead again after this many days."),
    Setting("rules.referral_horizon_days", 180, integer(1, MAX_DAYS),
            "Older referrals are history: they count, but no thanks or updates are asked for now."),
    Setting("referral_month.month", 3, integer(1, 12), "The month of the year (1-12)."),
    Setting("referral_month.kinds", ("client", "partner", "sphere"), choices(KINDS), "Which kinds of contacts to reach."),
    Setting("referral_month.per_day", 8, integer(1, MAX_PER_DAY), "Most contacts to reach in one day."),
    Setting("referral_month.workdays", ("mon", "tue", "wed", "thu", "fri"), choices(WEEKDAYS), "Days you make calls."),
    Setting("referral_month.skip", (), dates, "Holidays and days off in the month, as dates."),
    Setting("notes.card_size", "A6", choice(CARD_SIZES, fold=lambda s: s if s == "A6" else s.lower()),
            "The printed card: A6 | 4x6in | 5x7in."),
    Setting("pipeline.stages", STATUSES, stages,
            "In order; won and lost always exist and end it. A realtor might use [new, contacted, showing, offer, "
            "under-contract, won, lost]."),
    Setting("programs", {}, assignments,
            "Touch programs by kind, tier and tag, and where each starts (first-seen, won or yearly), e.g. "
            "{8x8: {kinds: [prospect, sphere], start: first-seen}, 33-touch: {tiers: [A, B], start: yearly}}. "
            "`refnotes program list` shows the programs there are; a contact's own `programs:` adds one, "
            "`programs: never` takes it off all of them."),
    Setting("team", {}, team,
            "Who keeps the vault's relationships, when several people share it: ids and names, like "
            "{sam: Sam Rivera, jo: Jo Park}. A contact's `owner: jo` says who keeps it (a contact without one is "
            "unassigned); `refnotes todo --for jo` and `refnotes notes --for jo` show Jo's part, the site adds "
            "owners/jo.html (the weekly plan of Jo's contacts, with Jo's goals: the same targets each) and a filter "
            "by owner on the weekly plan. Ids: lower-case letters, digits and hyphens."),
    Setting("git.autocommit", False, boolean, "Commit each change refnotes makes (new, log, plan, import), none of yours."),
    Setting("git.history", True, boolean,
            "Show git history on the pages: each contact's History and the weekly plan's \"What changed this "
            "week\". false: none, and git is not asked for it (`refnotes history SLUG` still shows it)."),
)

_BY_KEY = {setting.key: setting for setting in SPEC}
_SECTION_KEYS = {section.key for section in SECTIONS}


class Config(Mapping[str, Any]):
    """Settings by dotted key (`config["rules.ask_min_score"]`), defaults filled in."""

    def __init__(self, values: Mapping[str, Any] | None = None):
        self._values = {setting.key: setting.default for setting in SPEC}
        self._values.update(values or {})

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def section(self, name: str) -> dict[str, Any]:
        """The keys under one section, without the prefix: `config.section("rules")["ask_every_days"]`."""
        prefix = name + "."
        return {key[len(prefix):]: value for key, value in self._values.items() if key.startswith(prefix)}


def config_from_bytes(raw: bytes) -> tuple[Config, list[Problem]]:
    """refnotes.yaml's bytes as settings, with the problems in them."""
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return Config(), [Problem(CONFIG_FILE, line, "not UTF-8 text; save it as UTF-8")]
    return parse_config(source)


def parse_config(source: str) -> tuple[Config, list[Problem]]:
    from refnotes.formats import yamlsrc

    try:
        data, lines = yamlsrc.load(source.replace("\r\n", "\n"))
    except yamlsrc.YamlError as exc:
        return Config(), [Problem(CONFIG_FILE, exc.line, f"{exc}; defaults used until it is fixed")]
    if data is None:
        return Config(), []
    if not isinstance(data, dict):
        return Config(), [Problem(CONFIG_FILE, 1, "must be a mapping of settings like `owner: {name: ...}`")]

    values: dict[str, Any] = {}
    problems: list[Problem] = []

    def problem(path: tuple, message: str, severity: str = "error") -> None:
        """A problem on the line of `path`, the keys as the data has them (`yes:` is True)."""
        line = lines.get(path) or lines.get(path[:1], 1)
        problems.append(Problem(CONFIG_FILE, line, message, severity))

    for path, line, first in lines.twice:
        name = ".".join(map(str, path))
        problems.append(Problem(CONFIG_FILE, line, f"{name}: written twice (first on line {first}); only this last "
                                "one is read, so delete the one you do not mean"))
    for raw, value in data.items():
        key = str(raw)
        if key in _BY_KEY:
            _apply(_BY_KEY[key], value, (raw,), values, problem)
        elif key in _SECTION_KEYS:
            if value is None:
                continue
            if not isinstance(value, dict):
                problem((raw,), f"{key}: must be a mapping of settings")
                continue
            for sub, subvalue in value.items():
                setting = _BY_KEY.get(f"{key}.{sub}")
                if setting is None:
                    known = ", ".join(s.key.split(".", 1)[1] for s in SPEC if s.key.startswith(key + "."))
                    problem((raw, sub), f"{key}.{sub}: unknown setting (known: {known})", WARNING)
                else:
                    _apply(setting, subvalue, (raw, sub), values, problem)
        else:
            problem((raw,), f"{key}: unknown setting; it is ignored", WARNING)
    if values.get("programs") and isinstance(data.get("programs"), dict):  # each assignment's line, for check
        for raw in data["programs"]:
            spec = values["programs"].get(str(raw).strip())
            if spec is not None:
                spec["line"] = lines.get(("programs", raw)) or lines.get(("programs",), 1)
    return Config(values), problems


def _apply(setting: Setting, value: Any, path: tuple[str, ...], values: dict[str, Any], problem) -> None:
    from refnotes.formats import yamlsrc

    try:
        values[setting.key] = setting.check(value)
    except KeyProblems as exc:  # the good part kept, each bad key reported on its own line
        values[setting.key] = exc.value
        for key, message in exc.problems:
            problem((*path, key), f"{setting.key}: {message}")
    except ValueError as exc:
        problem(path, f"{setting.key}: {exc} (default {yamlsrc.dump_scalar(setting.default)} used)")


def render_default() -> str:
    """The commented refnotes.yaml that `init` writes: every key, its default, its meaning."""
    from refnotes.formats import yamlsrc

    out = [
        "# refnotes.yaml: the settings of this vault. Every key is optional; the values",
        "# below are the defaults. Lines starting with # are comments.",
    ]
    section = None
    for setting in SPEC:
        head, _, sub = setting.key.partition(".")
        if not sub:
            out += ["", *_comment(setting.doc, ""), f"{head}: {yamlsrc.dump_scalar(setting.default)}"]
            continue
        if head != section:
            section = head
            doc = next(s.doc for s in SECTIONS if s.key == head)
            out += ["", *_comment(doc, ""), f"{head}:"]
        out += [*_comment(setting.doc, "  "), f"  {sub}: {yamlsrc.dump_scalar(setting.default)}"]
    return "\n".join(out) + "\n"


def _comment(doc: str, indent: str) -> list[str]:
    return textwrap.wrap(doc, 96, initial_indent=indent + "# ", subsequent_indent=indent + "# ")
