from __future__ import annotations

import pytest

from kamcore.errors import (
    AccessDenied,
    ApprovalRequired,
    ConflictError,
    KamError,
    PolicyError,
    RecordInvalid,
    RecordNotFound,
    StoreError,
    TransitionNotAllowed,
    ValidationError,
)


def _v(field: str) -> ValidationError:
    return ValidationError(field=field, value="x", expected="y")


def test_every_error_derives_from_kam_error_and_the_matching_builtin() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(PolicyError, ValueError)
    assert issubclass(AccessDenied, PermissionError)
    assert issubclass(RecordNotFound, LookupError)
    assert issubclass(ConflictError, StoreError)
    for cls in (
        ValidationError,
        RecordInvalid,
        PolicyError,
        TransitionNotAllowed,
        ApprovalRequired,
        AccessDenied,
        StoreError,
        ConflictError,
        RecordNotFound,
    ):
        assert issubclass(cls, KamError)


def test_a_validation_error_says_what_where_and_what_is_accepted() -> None:
    e = ValidationError(
        field="rate", value="x" * 100, expected="a fraction", problem="not a number"
    )
    text = str(e)
    assert text.startswith("rate: not a number (got 'xxx")
    assert text.endswith("expected a fraction")
    assert "..." in text  # long values are shortened
    assert (e.field, e.expected, e.problem) == ("rate", "a fraction", "not a number")
    assert (
        str(ValidationError(field="", value=1, expected="2")) == "invalid value (got 1); expected 2"
    )


def test_errors_can_be_placed_under_an_enclosing_path() -> None:
    assert _v("rate").at("tiers[1]").field == "tiers[1].rate"
    assert _v("[2]").at("tiers").field == "tiers[2]"
    assert _v("").at("tiers").field == "tiers"


def test_a_record_error_carries_every_field_and_works_with_except_star() -> None:
    group = RecordInvalid("Dossier", [_v("name"), _v("capital")])
    assert [e.field for e in group.errors] == ["name", "capital"]
    assert group.exceptions == group.errors
    assert str(group).startswith("invalid Dossier, 2 problems: name:")
    assert "capital" in group.expected
    caught: list[str] = []
    try:
        raise group
    except* ValidationError as eg:
        caught = [e.field for e in eg.exceptions if isinstance(e, ValidationError)]
    assert caught == ["name", "capital"]
    sub = group.subgroup(lambda e: getattr(e, "field", "") == "name")
    assert isinstance(sub, RecordInvalid)
    assert str(RecordInvalid("X", [_v("a")])).startswith("invalid X, 1 problem:")


def test_a_record_error_needs_at_least_one_problem() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RecordInvalid("X", [])


def test_structured_errors_keep_their_attributes_and_read_well() -> None:
    t = TransitionNotAllowed(
        subject="opp-1",
        source="proposal",
        target="bidding",
        failed_gates=[("margin floor", "estimated margin 8% is below the 12% floor")],
    )
    assert str(t) == (
        "Can't move opp-1 to 'bidding' from 'proposal': gate 'margin floor' failed: "
        "estimated margin 8% is below the 12% floor"
    )
    assert t.failed_gates == (("margin floor", "estimated margin 8% is below the 12% floor"),)
    assert "closed" in str(
        TransitionNotAllowed(subject="r", source="a", target="b", reason="closed")
    )

    a = ApprovalRequired(request="R-1", missing=["marketing centre", "general manager"])
    assert a.missing == ("marketing centre", "general manager")
    assert "still awaiting: marketing centre, general manager" in str(a)
    assert "none" in str(ApprovalRequired(request="R-1", missing=[]))

    d = AccessDenied(
        subject="dossier D-1", actor="clerk", action="borrow", reason="机密 is never lent"
    )
    assert str(d) == "clerk may not borrow dossier D-1: 机密 is never lent"

    c = ConflictError(key="D-1", expected_revision=3, actual_revision=4)
    assert (c.expected_revision, c.actual_revision) == (3, 4)
    assert "reload" in str(c)

    assert "D-9" in str(RecordNotFound(key="D-9", kind="dossier"))

    p = PolicyError("rates must rise", policy="TierSchedule", part="tiers[1]")
    assert str(p) == "TierSchedule tiers[1]: rates must rise"
    assert str(PolicyError("bad", part="x")) == "x: bad"
    assert str(PolicyError("bad")) == "bad"


def test_a_missing_value_is_not_reported_as_got_none() -> None:
    e = ValidationError(field="amount", value=None, expected="an amount", problem="missing")
    assert str(e) == "amount: missing; expected an amount"
    p = PolicyError("weights sum to 0.9, not 1", policy="Scorecard", part="weights")
    assert (p.policy, p.part, p.detail) == ("Scorecard", "weights", "weights sum to 0.9, not 1")


def test_every_error_pickles_and_copies_with_its_message_and_attributes() -> None:
    import copy
    import pickle

    from kamcore.errors import (
        AccessDenied,
        ApprovalRequired,
        ConflictError,
        IntegrityError,
        PolicyError,
        RecordInvalid,
        RecordNotFound,
        TransitionNotAllowed,
        ValidationError,
    )

    errors: list[Exception] = [
        ValidationError(field="amount", value="x", expected="a number"),
        RecordInvalid("Thing", [ValidationError(field="a", value=1, expected="2")]),
        PolicyError("bad", policy="P", part="x"),
        TransitionNotAllowed(subject="o", source="a", target="b", failed_gates=[("g", "why")]),
        TransitionNotAllowed._deferred("o", "a", "b", lambda: [("g", "why")]),
        ApprovalRequired(request="r", missing=["gm"]),
        AccessDenied(subject="d", actor="me", action="lend", reason="no"),
        ConflictError(key="k", expected_revision=1, actual_revision=2),
        RecordNotFound(key="k"),
        IntegrityError(key="k", revision=3, problem="altered"),
    ]
    for error in errors:
        for again in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
            assert type(again) is type(error)
            assert str(again) == str(error)
            assert repr(again.args) == repr(error.args)
            if isinstance(error, TransitionNotAllowed):
                assert again.failed_gates == error.failed_gates == (("g", "why"),)
