"""The pages the header's navigation offers, declared once, and the navigation of one user.

Each page names the roles that may open it, by the rules of the service its route calls
(the tuples those services check with ``require_role`` where there is one): a user sees only
what they may open, and the recycler no mining tools. A page may also name the kinds of
organisation it is for: an enterprise user is offered it only when one of its organisations
is of such a kind (a laboratory no mining tools, a mine no materials matching); the other
roles read across organisations and are offered it whatever they belong to. Pages are
grouped by the work they serve; the header shows the groups in this order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from babel.support import LazyProxy

from aurum.core.i18n import lazy_gettext
from aurum.industry.registry import OrgType
from aurum.services.auth import Actor, Role
from aurum.services.jobs import JOB_ROLES
from aurum.services.matching import READERS as MATCHING_READERS
from aurum.services.materials import READERS as MATERIALS_READERS
from aurum.services.metrology import PAGE_ROLES as METROLOGY_ROLES
from aurum.services.prospect import STUDY_ROLES
from aurum.services.recycling.reports import INBOX_READERS
from aurum.services.recycling.views import APPENDERS
from aurum.services.structure import READERS as STRUCTURE_READERS
from aurum.services.underground import MINE_ROLES

ADMIN, REGULATOR, ENTERPRISE, RECYCLER, AUDITOR = (
    Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE, Role.RECYCLER, Role.AUDITOR)
EVERYONE = frozenset(Role)
READERS = frozenset({ADMIN, REGULATOR, AUDITOR})
"""Who reads every organisation's statistics (or one province's)."""
MINING = READERS | {ENTERPRISE}
"""Who opens the mining pages: the readers, and the enterprises for their own sites."""
MINE_OWNERS = frozenset({OrgType.MINING.value, OrgType.GROUP.value})
"""The enterprises that own and work mines (a group through its members): geology, pits,
prospectivity, underground planning, ventilation and the seismic network are theirs."""
SITE_OPERATORS = MINE_OWNERS | {OrgType.PROCESSING.value, OrgType.SMELTING_REFINING.value}
"""The enterprises with registered sites (mines, or the plants of the processors, smelters
and refiners): statistics reports, the indicators, plants, safety and their studies."""
MATERIALS_TRADERS = frozenset({OrgType.NEW_MATERIALS.value, OrgType.DOWNSTREAM.value})
"""The two sides of the materials matching board: the makers and the downstream users."""
LABORATORIES = frozenset({OrgType.LABORATORY.value})
"""The enterprises that take part in proficiency tests."""


class Group(StrEnum):
    """The groups of the navigation, in the order the header shows them."""

    OVERVIEW = "overview"
    REPORTING = "reporting"
    MINING = "mining"
    RECYCLING = "recycling"
    STRUCTURE = "structure"
    SERVICES = "services"
    PLATFORM = "platform"


GROUP_LABELS: dict[Group, LazyProxy] = {
    Group.OVERVIEW: lazy_gettext("Overview"),
    Group.REPORTING: lazy_gettext("Reporting"),
    Group.MINING: lazy_gettext("Mining"),
    Group.RECYCLING: lazy_gettext("Recycling"),
    Group.STRUCTURE: lazy_gettext("Structure and supply"),
    Group.SERVICES: lazy_gettext("Industry services"),
    Group.PLATFORM: lazy_gettext("Platform"),
}


@dataclass(frozen=True)
class NavPage:
    """A page the navigation may offer.

    Parameters
    ----------
    path : str
        Its address (a GET that answers 200 to each of ``roles``).
    label : LazyProxy
        Its name in the header, in the reader's language.
    roles : frozenset of Role
        The roles that may open it.
    group : Group
        The work it serves.
    org_types : frozenset of str or None
        The kinds of organisation (:class:`aurum.industry.registry.OrgType` values) whose
        enterprise users it is for; None for every enterprise.
    """

    path: str
    label: LazyProxy
    roles: frozenset[Role]
    group: Group
    org_types: frozenset[str] | None = None

    def offered_to(self, actor: Actor) -> bool:
        """Whether ``actor`` is offered the page: its role may open it and, for an
        enterprise user, one of its organisations is of a kind the page is for."""
        if actor.role not in self.roles:
            return False
        return (actor.role is not ENTERPRISE or self.org_types is None
                or not self.org_types.isdisjoint(actor.org_types))


PAGES: tuple[NavPage, ...] = (
    NavPage("/", lazy_gettext("Dashboard"), EVERYONE, Group.OVERVIEW),
    # The national (or provincial) indicators: the regulators' and administrators' home is
    # this page already, with their work beside it.
    NavPage("/dashboard", lazy_gettext("Indicators"), frozenset({ENTERPRISE, AUDITOR}),
            Group.OVERVIEW, SITE_OPERATORS),
    NavPage("/provinces", lazy_gettext("Provinces"), READERS, Group.OVERVIEW),
    NavPage("/enterprises", lazy_gettext("Enterprises"), MINING, Group.OVERVIEW,
            SITE_OPERATORS),
    NavPage("/sites", lazy_gettext("Sites"), MINING, Group.OVERVIEW, SITE_OPERATORS),
    NavPage("/reports", lazy_gettext("Reports"), MINING, Group.REPORTING, SITE_OPERATORS),
    # Who reviews reports (aurum.services.review.reviews).
    NavPage("/reports/review", lazy_gettext("Review"), frozenset({ADMIN, REGULATOR}),
            Group.REPORTING),
    NavPage("/compliance", lazy_gettext("Plant scale"), READERS, Group.REPORTING),
    NavPage("/data-quality", lazy_gettext("Data quality"), MINING, Group.REPORTING,
            SITE_OPERATORS),
    # National and provincial briefings for the readers, an enterprise's own for it.
    NavPage("/briefings", lazy_gettext("Briefings"), MINING, Group.REPORTING,
            SITE_OPERATORS),
    NavPage("/resources", lazy_gettext("Resources and reserves"), MINING, Group.MINING,
            MINE_OWNERS),
    # Studies run as jobs: auditors run none, recyclers have no mines.
    NavPage("/pit", lazy_gettext("Pit"), frozenset(JOB_ROLES), Group.MINING, MINE_OWNERS),
    NavPage("/prospect", lazy_gettext("Prospectivity"), frozenset(STUDY_ROLES), Group.MINING,
            MINE_OWNERS),
    NavPage("/processing", lazy_gettext("Plants"), MINING, Group.MINING, SITE_OPERATORS),
    NavPage("/safety", lazy_gettext("Safety"), MINING, Group.MINING, SITE_OPERATORS),
    NavPage("/seismic", lazy_gettext("Seismic"), MINING, Group.MINING, MINE_OWNERS),
    # A mine's planning and ventilation: refused to whoever owns no mine (the recyclers).
    NavPage("/underground", lazy_gettext("Underground"), frozenset(MINE_ROLES), Group.MINING,
            MINE_OWNERS),
    NavPage("/ventilation", lazy_gettext("Ventilation"), frozenset(MINE_ROLES), Group.MINING,
            MINE_OWNERS),
    NavPage("/materials", lazy_gettext("Shelf products"), frozenset(MATERIALS_READERS),
            Group.SERVICES),
    NavPage("/materials/matching", lazy_gettext("Supply–demand matching"),
            frozenset(MATCHING_READERS), Group.SERVICES, MATERIALS_TRADERS),
    # The standards registry is a public service: recyclers apply the gold standards too.
    NavPage("/standards", lazy_gettext("Standards"), EVERYONE, Group.SERVICES),
    NavPage("/metrology", lazy_gettext("Proficiency testing"), frozenset(METROLOGY_ROLES),
            Group.SERVICES, LABORATORIES),
    # Studies hold every mine of a province: the regulators' tool, never an enterprise's.
    NavPage("/structure", lazy_gettext("Regional consolidation"),
            frozenset(STRUCTURE_READERS), Group.STRUCTURE),
    NavPage("/trade", lazy_gettext("Import sources"), READERS, Group.STRUCTURE),
    # Enterprises record their own overseas projects; never the recyclers'.
    NavPage("/trade/overseas", lazy_gettext("Overseas projects"), MINING, Group.STRUCTURE,
            SITE_OPERATORS),
    NavPage("/recycling", lazy_gettext("Purchase intake"), frozenset(APPENDERS), Group.RECYCLING),
    NavPage("/recycling/reports", lazy_gettext("Transaction reports"),
            frozenset({ADMIN, RECYCLER}), Group.RECYCLING),
    NavPage("/recycling/ledger", lazy_gettext("Ledger"), READERS | {RECYCLER},
            Group.RECYCLING),
    NavPage("/recycling/custody", lazy_gettext("Custody"), READERS | {RECYCLER},
            Group.RECYCLING),
    NavPage("/recycling/regulator", lazy_gettext("Recycling oversight"),
            frozenset(INBOX_READERS), Group.RECYCLING),
    NavPage("/jobs", lazy_gettext("Jobs"), frozenset(JOB_ROLES), Group.PLATFORM,
            SITE_OPERATORS),
    NavPage("/docs", lazy_gettext("API"), EVERYONE, Group.PLATFORM),
)
"""Every page of the navigation, in the order the header shows them within a group."""


@dataclass(frozen=True)
class NavLink:
    """A link of one user's navigation; ``current`` marks the page being read."""

    path: str
    label: LazyProxy
    current: bool


@dataclass(frozen=True)
class NavGroup:
    """A group of one user's navigation, with its links."""

    group: Group
    label: LazyProxy
    links: tuple[NavLink, ...]


def pages_for(actor: Actor, pages: Sequence[NavPage] = PAGES) -> list[NavPage]:
    """The pages ``actor`` may open, in the navigation's order."""
    return [p for p in pages if p.offered_to(actor)]


def current_page(path: str, pages: Sequence[NavPage]) -> str | None:
    """The path of the page of ``pages`` that ``path`` belongs to: itself, or the longest
    one it lies under (``/safety/alerts`` is under ``/safety``); None outside them all.
    The home (``/``) is current only on itself."""
    under = [p.path for p in pages
             if path == p.path or (p.path != "/" and path.startswith(p.path + "/"))]
    return max(under, key=len) if under else None


def navigation(actor: Actor | None, path: str) -> list[NavGroup]:
    """The header's navigation of ``actor`` on the page at ``path``: its groups, each with
    the pages the actor may open (groups without one left out); none without a user."""
    if actor is None:
        return []
    mine = pages_for(actor)
    current = current_page(path, mine)
    return [NavGroup(group, GROUP_LABELS[group], links)
            for group in Group
            if (links := tuple(NavLink(p.path, p.label, p.path == current)
                               for p in mine if p.group is group))]
