"""Why an edge request did not (or no longer) work: short codes for programs, sentences for analysts."""

from __future__ import annotations

from datetime import datetime

BOX_OFFLINE = "box_offline"
SHARING_PAUSED = "sharing_paused"
REFUSED = "refused"
FAILED = "failed"
NO_ANSWER = "no_answer"
EXPIRED = "expired"
ENDED_BY_ANALYST = "ended_by_analyst"
LIMIT_REACHED = "limit_reached"
BOX_STOPPED = "box_stopped"
BOX_REVOKED = "box_revoked"
HASH_MISMATCH = "hash_mismatch"

#: What a paused box answers (the protocol's words); matched loosely, boxes may add detail.
PAUSED_REASON = "sharing paused by the business"


def refusal_code(reason: str) -> str:
    return SHARING_PAUSED if "paused" in reason.lower() else REFUSED


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def sentence(code: str, *, box: str, channel: int, detail: str = "",
             last_seen: datetime | None = None, seconds: int | None = None) -> str:
    """The analyst's words for ``code`` about channel ``channel`` of box ``box``."""
    where = f"{box} (channel {channel})"
    texts = {
        BOX_OFFLINE: f"The edge box at {where} is offline (last seen {when(last_seen)}).",
        SHARING_PAUSED: f"The business has paused sharing on its edge box at {where}.",
        REFUSED: f"The edge box at {where} refused: {detail or 'no reason given'}.",
        FAILED: f"The edge box at {where} could not do it: {detail or 'no reason given'}.",
        NO_ANSWER: f"The edge box at {where} did not answer in time.",
        EXPIRED: f"The edge box at {where} did not come online before the request expired.",
        ENDED_BY_ANALYST: "Ended by the analyst.",
        LIMIT_REACHED: f"Live view ended at its limit of {seconds or 0} seconds.",
        BOX_STOPPED: f"The edge box at {where} stopped sending.",
        BOX_REVOKED: f"The edge box at {where} is no longer enrolled.",
        HASH_MISMATCH: f"The clip from {where} failed its SHA-256 check: {detail}.",
    }
    return texts.get(code, detail or code)
