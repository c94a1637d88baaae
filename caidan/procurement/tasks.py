"""The tasks procurement's notifications ask for (``caidan.notifications``: a message
carrying a task is marked done by the service that completes the step)."""

from __future__ import annotations


def award_task(tender) -> str:
    """Confirm the winner (or the next-ranked one)."""
    return f"award_confirm:tender:{tender.pk}"


def respond_task(tender) -> str:
    """The invited provider of a single-source or agreement purchase submits its response."""
    return f"bid_submit:tender:{tender.pk}"


def draw_task(tender) -> str:
    """Draw the evaluation committee (or its supplement)."""
    return f"panel_draw:tender:{tender.pk}"


def declare_task(tender) -> str:
    """A drawn expert declares whether it has a conflict of interest (per recipient)."""
    return f"panel_declare:tender:{tender.pk}"


def challenge_task(challenge) -> str:
    """Answer a challenge (质疑) in writing."""
    return f"challenge_answer:challenge:{challenge.pk}"


def question_task(clarification_id: int) -> str:
    """Answer a prospective bidder's question before the bid deadline."""
    return f"clarification_answer:clarification:{clarification_id}"
