"""Reading a definition's tiers from the edit form, and writing them back into it.

The form works without JavaScript: every tier is a fieldset with its key, fields, a
position number (1 = base of the pyramid) and a "remove" box; one blank fieldset adds
a tier. The same shape serves the merge page, so a user's text survives a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from definitions.tiers import COMPARATORS, Metric, Tier, new_tier_key
from workspace.formats import number
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.numbers import parse_int

MAX_TIERS = 8
NAME_MAX, SUMMARY_MAX, REQUIREMENT_MAX = 120, 500, 10_000
LIMITS = {"name": NAME_MAX, "summary": SUMMARY_MAX, "requirement": REQUIREMENT_MAX}
NUMBER_CHARS = set("0123456789.,-")


@dataclass
class TierEdit:
    tiers: list[Tier]
    base_number: int | None
    change_note: str


def check_tiers(form: FormInput) -> TierEdit:
    count = _int(form.get("tier_count")) or 0
    rows: list[tuple[tuple[int, int], int, Tier]] = []
    for index in range(min(count, MAX_TIERS + 1)):
        tier = _read_tier(form, str(index))
        if tier is not None and form.get(f"tier-{index}-remove") != "yes":
            rows.append((_sort_key(form, str(index), index + 1), index, tier))
    new = _read_tier(form, "new", new_key=True)
    if new is not None:
        rows.append((_sort_key(form, "new", None), MAX_TIERS + 1, new))
    rows.sort(key=lambda row: (row[0], row[1]))
    tiers = [tier for _key, _i, tier in rows]
    if len(tiers) > MAX_TIERS:
        form.error("tier-new-name", _("A definition can have at most %(max)s tiers", max=MAX_TIERS))
    names = [t.name.lower() for t in tiers]
    if len(set(names)) != len(names):
        form.error("tier-0-name", _("Each tier needs a different name"))
    note = form.optional("change_note", _("the change note"), max_length=500)
    return TierEdit(tiers=tiers, base_number=_int(form.get("base_number")), change_note=note)


def _read_tier(form: FormInput, prefix: str, *, new_key: bool = False) -> Tier | None:
    def field(name: str) -> str:
        return form.get(f"tier-{prefix}-{name}").strip()

    name, summary, requirement = field("name"), field("summary"), field("requirement")
    comparator, value, unit = field("comparator"), field("value"), field("unit")
    if new_key and not any((name, summary, requirement, value, unit)):
        return None  # the blank "add a tier" fieldset left empty
    key = new_tier_key() if new_key else field("key")
    if not new_key and not _valid_key(key):
        form.error(f"tier-{prefix}-name", _("This tier could not be read. Reload the page."))
        return None
    if not name:
        form.error(
            f"tier-{prefix}-name",
            _("Enter a name for the new tier")
            if new_key
            else _("Enter a name for tier %(number)s", number=int(prefix) + 1),
        )
    for field_name, text in (("name", name), ("summary", summary), ("requirement", requirement)):
        if len(text) > LIMITS[field_name]:
            form.error(f"tier-{prefix}-{field_name}", _too_long(field_name))
    return Tier(
        key=key,
        name=name,
        summary=summary,
        requirement=requirement,
        metric=_metric(form, prefix, comparator, value, unit),
    )


def _metric(form: FormInput, prefix: str, comparator: str, value: str, unit: str) -> Metric | None:
    if not (comparator or value or unit):
        return None
    if comparator not in COMPARATORS:
        form.error(f"tier-{prefix}-comparator", _("Choose how the metric compares, like ≤"))
        return None
    if not value or not set(value) <= NUMBER_CHARS or len(value) > 20:
        form.error(f"tier-{prefix}-value", _("Enter the metric as a number, like 39"))
        return None
    if len(unit) > 40:
        form.error(f"tier-{prefix}-unit", _("The unit must be 40 characters or fewer"))
        return None
    return Metric(comparator=comparator, value=value, unit=unit)


def _too_long(field_name: str) -> str:
    """Each field's message whole, so that it reads right in every language."""
    limit = number(LIMITS[field_name])
    if field_name == "name":
        return _("The tier name must be %(max)s characters or fewer", max=limit)
    if field_name == "summary":
        return _("The summary must be %(max)s characters or fewer", max=limit)
    return _("The requirement must be %(max)s characters or fewer", max=limit)


def _sort_key(form: FormInput, prefix: str, was: int | None) -> tuple[int, int]:
    """Order by the position typed (1 = base). A tier moved down lands after the tier
    already at that place and one moved up (or added there) lands before it, which is
    what "put this tier at position N" means to a person."""
    wanted = _int(form.get(f"tier-{prefix}-position"))
    if wanted is None:
        return (was if was is not None else MAX_TIERS + 1, 1)
    if was is None or wanted < was:
        return (wanted, 0)
    return (wanted, 2 if wanted > was else 1)


def _int(raw: str) -> int | None:
    return parse_int(raw, high=999_999)


def _valid_key(key: str) -> bool:
    return len(key) == 32 and all(c in "0123456789abcdef" for c in key)


def form_values(
    tiers: list[Tier], base_number: int | None, note: str = "", removed: set[str] | None = None
) -> FormInput:
    """Fill the edit form with tiers: for the edit page and for the merge page."""
    values: dict[str, str] = {"tier_count": str(len(tiers)), "change_note": note}
    if base_number is not None:
        values["base_number"] = str(base_number)
    for index, tier in enumerate(tiers):
        prefix = f"tier-{index}-"
        values |= {
            prefix + "key": tier.key,
            prefix + "name": tier.name,
            prefix + "summary": tier.summary,
            prefix + "requirement": tier.requirement,
            prefix + "position": str(index + 1),
            prefix + "comparator": tier.metric.comparator if tier.metric else "",
            prefix + "value": tier.metric.value if tier.metric else "",
            prefix + "unit": tier.metric.unit if tier.metric else "",
        }
        if removed and tier.key in removed:
            values[prefix + "remove"] = "yes"
    return FormInput(values=values)
