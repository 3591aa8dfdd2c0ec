"""Response, completion and break-off rates (AAPOR-style), from counts."""

from __future__ import annotations


def response_rates(
    i: float,
    p: float = 0,
    r: float = 0,
    nc: float = 0,
    o: float = 0,
    uh: float = 0,
    uo: float = 0,
    e: float | None = None,
) -> dict[str, float | None]:
    """AAPOR RR1–RR6 for an invited sample: {"RR1": ..., ..., "RR6": ...}.

    i complete, p partial, r refusal/break-off, nc non-contact, o other, uh/uo unknown
    eligibility, e estimated eligible share of the unknowns. RR3/RR4 are None when e is None
    (and there are unknowns); any rate whose denominator is 0 is None. Raises ValueError for
    negative dispositions or e outside [0, 1].
    """
    if min(i, p, r, nc, o, uh, uo) < 0:
        raise ValueError("dispositions must not be negative")
    if e is not None and not 0 <= e <= 1:
        raise ValueError("e must be in [0, 1]")
    known = (i + p) + (r + nc + o)
    unknown = uh + uo

    def rate(num: float, den: float | None) -> float | None:
        return None if den is None or den == 0 else num / den

    with_e = known if unknown == 0 else (None if e is None else known + e * unknown)
    return {
        "RR1": rate(i, known + unknown),
        "RR2": rate(i + p, known + unknown),
        "RR3": rate(i, with_e),
        "RR4": rate(i + p, with_e),
        "RR5": rate(i, known),
        "RR6": rate(i + p, known),
    }


def completion_rate(completes: float, starts: float) -> float | None:
    """completes ÷ starts for open links (which have no response rate); None when starts == 0."""
    if not 0 <= completes <= starts:
        raise ValueError("need 0 <= completes <= starts")
    return None if starts == 0 else completes / starts


def breakoff_rate(breakoffs: float, starts: float) -> float | None:
    """break-offs ÷ starts; None when starts == 0.

    The caller decides what a break-off is (e.g. started and idle for 24 h) so that
    responses still in progress on an open survey are not counted as abandoned.
    """
    if not 0 <= breakoffs <= starts:
        raise ValueError("need 0 <= breakoffs <= starts")
    return None if starts == 0 else breakoffs / starts
