"""Demo texts that fit the client they are attached to.

A demo text may say who it is about: "moeder vergeet haar medicijnen", "mijn man is
overleden", "de dochter regelt de apotheek". Such a text is written as
`(text, needs)`, where `needs` names, space-separated, the facts it takes for true;
a plain string fits everyone. A client's facts come from their draft: the client's
sex, and the partner and children among their relations. Every list of options
keeps at least one plain string, so there is always something to pick.
"""

from functools import cache

from halte.clients.models import RelationKind, Salutation

# Everything a text may need. "alone": no partner among the relations.
FACTS = frozenset(
    {"woman", "man", "partner", "husband", "wife", "alone", "children", "daughter", "son"}
)
# A relation row of a draft may carry this key (no column): True for a woman, False
# for a man; set for partners and children, whom the texts speak of.
FEMALE = "female"

Option = str | tuple[str, str]


def text_of(option: Option) -> str:
    return option if isinstance(option, str) else option[0]


@cache
def needs(option: Option) -> frozenset[str]:
    if isinstance(option, str):
        return frozenset()
    wanted = frozenset(option[1].split())
    unknown = wanted - FACTS
    if unknown:
        raise ValueError(f"Unknown facts {sorted(unknown)} for the demo text {option[0]!r}")
    return wanted


# (id of an options list, facts) -> (the list, its fitting texts): a million clients
# ask the same few lists with the same few sets of facts.
_FITTING: dict[tuple[int, frozenset[str]], tuple[list, list[str]]] = {}


def fitting(options: list[Option], facts: frozenset[str]) -> list[str]:
    known = _FITTING.get((id(options), facts))
    if known is not None and known[0] is options:
        return known[1]
    texts = [text_of(option) for option in options if needs(option) <= facts]
    _FITTING[(id(options), facts)] = (options, texts)
    return texts


def pick(rng, options: list[Option], facts: frozenset[str]) -> str:
    return rng.choice(fitting(options, facts))


def facts_of(draft) -> frozenset[str]:
    """What the texts may take for true of the draft's client."""
    female = draft.female
    if female is None:
        female = draft.client.salutation != Salutation.MR
    facts = {"woman" if female else "man"}
    partners = [r for r, _ in draft.relations if r["kind"] == RelationKind.PARTNER]
    children = [r for r, _ in draft.relations if r["kind"] == RelationKind.CHILD]
    if not partners:
        facts.add("alone")
    for partner in partners:
        facts.add("partner")
        if FEMALE in partner:
            facts.add("wife" if partner[FEMALE] else "husband")
    if children:
        facts.add("children")
    for child in children:
        if FEMALE in child:
            facts.add("daughter" if child[FEMALE] else "son")
    return frozenset(facts)


def relation_for(draft, fact: str) -> dict | None:
    """The relation row a text about `fact` ("daughter", "son", "partner") speaks of."""
    for relation, _ in draft.relations:
        kind, female = relation["kind"], relation.get(FEMALE)
        if fact == "partner" and kind == RelationKind.PARTNER:
            return relation
        is_child = kind == RelationKind.CHILD and female is not None
        if is_child and fact in ("daughter", "son") and female == (fact == "daughter"):
            return relation
    return None
