"""R16 / G§19 by the scheduler (`dataip tick`): a registration not renewed by the end of its
validity is cancelled and announced the day after, and each holder is served one renewal
reminder when the renewal window opens (one month before expiry), due at expiry."""

from __future__ import annotations

from typing import Any

from dataip.bootstrap import Registry
from dataip.services.scheduler import TickReport, tick
from tests.support.api import Api, World, problem
from tests.support.db import count


def _tick(registry: Registry) -> TickReport:
    report = tick(env=registry.env)
    assert not report.errors and not report.skipped_lease, report
    return report


def _registered(api: Api) -> tuple[World, str]:
    """Approved 2026-10-13, valid to 2028-10-12; renewal window 2028-09-13 .. 2028-10-12."""
    w = api.world()
    number = w.registered()
    assert api.reg(w.applicant, number).json()["valid_until"] == "2028-10-12"
    return w, number


def _inbox(api: Api, who: str, kind: str) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/inbox", headers=api.h(who))
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["kind"] == kind]


def _announced(api: Api, number: str, kind: str) -> list[dict[str, Any]]:
    r = api.c.get("/api/v1/announcements", params={"type": kind, "registration_number": number})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_r16_tick_cancels_and_announces_a_registration_expired_unrenewed(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    # On the expiry day itself the registration is still valid (and may still be renewed).
    api.at("2028-10-12 23:30")
    assert _tick(registry).registrations_cancelled == 0
    assert api.reg(None, number).json()["state"] == "valid"
    assert "renew" in api.reg(w.applicant, number).json()["allowed_actions"]
    assert _announced(api, number, "cancellation") == []

    api.at("2028-10-13 00:05")  # the day after valid_until
    assert _tick(registry).registrations_cancelled == 1
    assert _tick(registry).registrations_cancelled == 0  # idempotent: cancelled once

    reg = api.reg(w.applicant, number).json()
    assert reg["state"] == "cancelled"
    assert reg["ended_on"] == "2028-10-13"
    assert "expired" in reg["state_reason"] and "2028-10-12" in reg["state_reason"]
    assert reg["allowed_actions"] == []
    assert api.reg(None, number).json()["state"] == "cancelled"  # the public sees it too

    announced = _announced(api, number, "cancellation")
    assert len(announced) == 1
    assert announced[0]["body"]["ground"] == "expired"
    assert announced[0]["published_on"] == "2028-10-13"
    assert [a["kind"] for a in reg["announcements"]] == ["registration", "cancellation"]

    assert count(registry, "events", type="RegistrationCancelled") == 1
    assert count(registry, "announcements", kind="cancellation") == 1

    ended = _inbox(api, w.applicant, "registration_ended")
    assert len(ended) == 1
    assert ended[0]["body"]["registration_number"] == number
    assert ended[0]["body"]["ground"] == "expired"
    assert ended[0]["due_on"] is None

    # Too late to renew now, and the registry holds the ending in its archive.
    problem(api.reg_act(w.applicant, number, "renew"), 409, "action_not_allowed_in_state")
    archive = api.c.get(f"/api/v1/registrations/{number}/archive", headers=api.h(w.applicant))
    assert archive.status_code == 200, archive.text
    assert [e["type"] for e in archive.json()["events"]][-1] == "RegistrationCancelled"
    assert archive.json()["events"][-1]["actor"] is None  # the scheduler, not a person


def test_r16_tick_serves_one_renewal_reminder_when_the_window_opens(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    api.at("2028-09-12 10:00")  # the day before the window opens
    assert _tick(registry).renewal_reminders == 0
    assert _inbox(api, w.applicant, "renewal_reminder") == []

    api.at("2028-09-13 00:10")  # the window's first day
    assert _tick(registry).renewal_reminders == 1
    reminders = _inbox(api, w.applicant, "renewal_reminder")
    assert len(reminders) == 1
    assert reminders[0]["due_on"] == "2028-10-12"
    assert reminders[0]["body"] == {"registration_number": number, "valid_until": "2028-10-12"}
    assert reminders[0]["title_zh"] and reminders[0]["title_en"]

    # Ticking again, that day or later in the window, serves no second reminder.
    assert _tick(registry).renewal_reminders == 0
    api.at("2028-10-01 09:00")
    assert _tick(registry).renewal_reminders == 0
    assert len(_inbox(api, w.applicant, "renewal_reminder")) == 1
    assert count(registry, "events", type="RenewalReminderServed") == 1

    # Renewed: the next window (before 2030-10-12) gets its own reminder, once.
    renewed = api.reg_ok(w.applicant, number, "renew")
    assert renewed["valid_until"] == "2030-10-12"
    api.at("2028-10-13 09:00")
    assert _tick(registry).renewal_reminders == 0
    api.at("2030-09-12 10:00")
    assert _tick(registry).renewal_reminders == 0
    api.at("2030-09-13 09:00")
    assert _tick(registry).renewal_reminders == 1
    assert _tick(registry).renewal_reminders == 0
    reminders = _inbox(api, w.applicant, "renewal_reminder")
    assert sorted(n["due_on"] for n in reminders) == ["2028-10-12", "2030-10-12"]
    assert count(registry, "events", type="RenewalReminderServed") == 2


def test_r16_tick_does_not_cancel_a_registration_renewed_before_its_old_expiry(
    api: Api, registry: Registry
) -> None:
    w, number = _registered(api)
    api.at("2028-10-12 16:00")  # the last day of the window
    assert api.reg_ok(w.applicant, number, "renew")["valid_until"] == "2030-10-12"

    api.at("2028-10-13 00:05")  # the day after the old expiry
    assert _tick(registry).registrations_cancelled == 0
    reg = api.reg(w.applicant, number).json()
    assert (reg["state"], reg["valid_until"], reg["ended_on"]) == ("valid", "2030-10-12", None)
    assert _announced(api, number, "cancellation") == []
    assert _inbox(api, w.applicant, "registration_ended") == []

    # Not renewed again: it ends the day after the new expiry.
    api.at("2030-10-12 18:00")
    assert _tick(registry).registrations_cancelled == 0
    api.at("2030-10-13 08:00")
    assert _tick(registry).registrations_cancelled == 1
    reg = api.reg(w.applicant, number).json()
    assert (reg["state"], reg["ended_on"]) == ("cancelled", "2030-10-13")
    assert "2030-10-12" in reg["state_reason"]


def test_r16_tick_cancels_an_expired_registration_pending_revocation_and_lapses_the_request(
    api: Api, registry: Registry
) -> None:
    """Still in force while a revocation request is examined (G§20), it expires all the same
    (G§19); the undecided request lapses with it."""
    w, number = _registered(api)
    who, party, evidence = w.objector()
    api.at("2028-06-01 10:00")
    api.reg_ok(
        who,
        number,
        "request_revocation",
        party_id=party,
        statement="登记后发现不予登记情形",
        evidence_blobs=[evidence],
    )
    assert api.reg(w.applicant, number).json()["state"] == "revocation_pending"

    api.at("2028-10-13 09:00")
    assert _tick(registry).registrations_cancelled == 1
    reg = api.reg(w.applicant, number).json()
    assert reg["state"] == "cancelled"
    assert [(r["kind"], r["state"]) for r in reg["requests"]] == [("revocation", "lapsed")]
    assert len(_announced(api, number, "cancellation")) == 1


def test_r16_tick_reminds_and_cancels_every_registration_batch_by_batch(
    api: Api, registry: Registry
) -> None:
    """More registrations than one batch holds: each is reminded once and cancelled once."""
    w = api.world()
    numbers = [
        w.registered(
            name=f"第{i}个交通数据集",
            evidence={
                "platform": "贵州数据知识产权存证平台",
                "certificate_number": f"GZ-{i}",
                "hash_value": f"{i:02d}" * 32,
                "evidenced_on": "2026-09-01",
            },
        )
        for i in range(3)
    ]
    api.at("2028-09-20 10:00")
    assert tick(env=registry.env, batch_size=2).renewal_reminders == 3
    assert tick(env=registry.env, batch_size=2).renewal_reminders == 0
    reminded = {
        n["body"]["registration_number"] for n in _inbox(api, w.applicant, "renewal_reminder")
    }
    assert reminded == set(numbers)
    api.at("2028-10-13 09:00")
    assert tick(env=registry.env, batch_size=2).registrations_cancelled == 3
    assert tick(env=registry.env, batch_size=2).registrations_cancelled == 0
    assert {api.reg(None, n).json()["state"] for n in numbers} == {"cancelled"}
    assert count(registry, "events", type="RegistrationCancelled") == 3
