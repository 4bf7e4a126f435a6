"""What the article page of a later draft shows of an annotation carried to it (issue 15 §3):
the draft it was written on, how it was carried, the words as the commenter read them and, where
the text changed, the redline of that passage."""

from __future__ import annotations

from dataclasses import dataclass

from annotations.models import AnchorResolution, Annotation
from treaty.drafts.wordiff import Diff, word_diff


@dataclass(frozen=True)
class CarriedView:
    written_on: str  # the label of the draft the annotation was written on
    state: str
    state_label: str
    confidence_percent: int
    read_quote: str  # the words as the commenter read them ("" for a whole provision)
    read_label: str  # the provision as the commenter read it, e.g. "Article 2(1)"
    # Here: where the annotation now sits (for the highlight in this draft's text).
    provision_key: str
    exact: str
    start: int | None
    end: int | None
    diff: Diff  # the redline from what was read to what is here; empty when unchanged
    outcome: str
    outcome_label: str

    @property
    def changed(self) -> bool:
        return any(op != "=" for op, _ in self.diff)


def carried_view(annotation: Annotation, resolution: AnchorResolution) -> CarriedView:
    target = annotation.target
    if target.exact:
        old, new = target.exact, resolution.exact
    else:
        old = target.provision.text
        new = resolution.provision.text if resolution.provision is not None else ""
    return CarriedView(
        written_on=annotation.version.label,
        state=resolution.state,
        state_label=resolution.get_state_display(),
        confidence_percent=round(100 * resolution.confidence),
        read_quote=target.exact,
        read_label=target.provision.label,
        provision_key=resolution.provision_key,
        exact=resolution.exact,
        start=resolution.start,
        end=resolution.end,
        diff=word_diff(old, new) if old != new else [],
        outcome=resolution.outcome,
        outcome_label=resolution.get_outcome_display() if resolution.outcome else "",
    )
