"""The review of a statistical report: its states and the transitions between them.

A report is saved as a *draft* by its enterprise, *submitted*, then *accepted* or *returned*
with a reason by the regulator of its province (or a national one); a returned (or accepted)
report is corrected by a new version, *amended*, which waits for review again. Only what a
regulator accepted counts in the national figures when the review is on.

The transitions are declared once, here (:data:`TRANSITIONS`); services ask :func:`advance`
for the state an action leads to and who may take it (:data:`ACTORS`).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a report stands in its review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    AMENDED = "amended"


class Action(StrEnum):
    """What a user does to a report."""

    SAVE = "save"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    AMEND = "amend"


class Party(StrEnum):
    """Who takes an action: the enterprise that files the report or its reviewer."""

    OWNER = "owner"
    REVIEWER = "reviewer"


TRANSITIONS: dict[tuple[State | None, Action], State] = {
    (None, Action.SAVE): State.DRAFT,
    (State.DRAFT, Action.SAVE): State.DRAFT,
    (None, Action.SUBMIT): State.SUBMITTED,
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.ACCEPT): State.ACCEPTED,
    (State.AMENDED, Action.ACCEPT): State.ACCEPTED,
    (State.SUBMITTED, Action.RETURN): State.RETURNED,
    (State.AMENDED, Action.RETURN): State.RETURNED,
    # A correction is a new version whatever the review said so far; it is reviewed again.
    (State.SUBMITTED, Action.AMEND): State.AMENDED,
    (State.RETURNED, Action.AMEND): State.AMENDED,
    (State.ACCEPTED, Action.AMEND): State.AMENDED,
    (State.AMENDED, Action.AMEND): State.AMENDED,
}
"""(state before, action) -> state after; ``None`` is a report not yet stored. A pair that is
not here is refused."""

ACTORS: dict[Action, Party] = {
    Action.SAVE: Party.OWNER, Action.SUBMIT: Party.OWNER, Action.AMEND: Party.OWNER,
    Action.ACCEPT: Party.REVIEWER, Action.RETURN: Party.REVIEWER,
}
"""Who takes each action."""

WAITING = frozenset({State.SUBMITTED, State.AMENDED})
"""States in which a report waits for its reviewer."""

REASON_REQUIRED = frozenset({Action.RETURN, Action.AMEND})
"""Actions that must say why: a return tells the enterprise what to fix, an amendment what
it changed."""


class TransitionRefused(ValueError):
    """An action that the report's state does not allow."""

    def __init__(self, state: State | None, action: Action):
        super().__init__(f"{action.value} is not possible from {state.value if state else 'none'}")
        self.state = state
        self.action = action


def advance(state: State | None, action: Action) -> State:
    """The state ``action`` leads to from ``state``.

    Parameters
    ----------
    state : State or None
        The report's state now; None when nothing is stored yet.
    action : Action
        What is done.

    Raises
    ------
    TransitionRefused
        When :data:`TRANSITIONS` has no such pair.
    """
    after = TRANSITIONS.get((state, action))
    if after is None:
        raise TransitionRefused(state, action)
    return after


def allowed(state: State | None, party: Party) -> list[Action]:
    """The actions ``party`` may take from ``state``, in :class:`Action` order (the buttons a
    page offers)."""
    return [a for a in Action if ACTORS[a] is party and (state, a) in TRANSITIONS]


def version_state(version: int) -> State:
    """The state a newly stored version starts in: the first is submitted, a later one is an
    amendment."""
    return State.SUBMITTED if version == 1 else State.AMENDED
