"""The customer's own verdict (issue 18): the signed follow-up link, one answer per grant, its language,
its refusals, the hook after commit, and its place in the effect figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services
from recovery.domain.effect import Answer, verdict
from recovery.domain.surveys import SURVEY_OPEN_DAYS, SurveyError, survey_grant_id, survey_link_token
from recovery.domain.vouchers import voucher_link_token
from recovery.models import SurveyAnswer
from recovery.selectors.effect import effect_rows_for
from recovery.services import surveys as survey_service
from tests import factories
from tests.conftest import client_for
from tests.test_concurrency import at_once, unexpected

ANSWER = {"score": "4", "will_return": "yes", "comment": "Kind staff"}


def link(grant) -> str:
    return reverse("survey_public", args=[survey_link_token(grant.pk)])


@pytest.fixture
def grant(frontline, central, customer):
    return factories.grant_for(frontline, central, customer)


# --- the signed link ------------------------------------------------------------------------------


def test_the_link_names_its_grant_and_nothing_else_verifies(settings):
    token = survey_link_token(1234)
    assert survey_grant_id(token) == 1234
    assert survey_link_token(1234) == token  # deterministic: the slip, a reprint and the voucher page agree
    number, signature = token.split(".", 1)
    assert survey_grant_id(f"1235.{signature}") is None  # another grant with this grant's signature
    assert survey_grant_id(token[:-1] + ("A" if token[-1] != "A" else "B")) is None  # tampered signature
    assert survey_grant_id("1234") is None and survey_grant_id("") is None
    # A voucher link's signature (another salt) never stands in for a follow-up link, even for the same text.
    assert survey_grant_id(voucher_link_token("1234")) is None


@pytest.mark.django_db
def test_the_page_round_trip_stores_one_answer(grant):
    client = Client()
    page = client.get(link(grant))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<fieldset" in body and "<legend>Did we put it right?" in body and "<legend>Will you come back?" in body
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    response = client.post(link(grant), ANSWER)
    assert response.status_code == 302 and response["Location"] == link(grant)
    answer = SurveyAnswer.objects.get()
    assert (answer.grant_id, answer.score, answer.will_return, answer.comment) == (grant.pk, 4, "yes", "Kind staff")
    assert answer.language == "en"
    assert "Your answer is recorded" in client.get(link(grant)).content.decode()


@pytest.mark.django_db
def test_a_forged_or_tampered_link_is_refused_with_nothing_stored(grant):
    token = survey_link_token(grant.pk)
    for bad in (f"{grant.pk}.forged", token[:-2], survey_link_token(grant.pk + 999), voucher_link_token("2222222222")):
        url = reverse("survey_public", args=[bad])
        for response in (Client().get(url), Client().post(url, ANSWER)):
            assert response.status_code == 404, bad
            assert "This link is not one of ours" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"will_return": "yes"}, "score", "Did we put it right?: choose one answer"),
        ({"score": "6", "will_return": "yes"}, "score", "Did we put it right?: choose one answer"),
        ({"score": "0", "will_return": "yes"}, "score", "Did we put it right?: choose one answer"),
        ({"score": "four", "will_return": "yes"}, "score", "Did we put it right?: choose one answer"),
        ({"score": "3"}, "will_return", "Will you come back?: choose one answer"),
        ({"score": "3", "will_return": "maybe"}, "will_return", "Will you come back?: choose one answer"),
        ({"score": "3", "will_return": "no", "comment": "x" * 501}, "comment", "at most 500 characters"),
    ],
)
def test_bad_answers_name_their_question_and_store_nothing(grant, data, field, words):
    response = Client().post(link(grant), data)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert list(response.context["form"].errors) == [field]
    assert not SurveyAnswer.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_a_score_outside_the_scale_naming_the_field(grant):
    with pytest.raises(SurveyError) as refused:
        services.survey_answer(grant_id=grant.pk, score=7, will_return="yes")
    assert refused.value.field == "score" and "1 (not at all) to 5" in refused.value.message
    with pytest.raises(SurveyError) as refused:
        services.survey_answer(grant_id=grant.pk, score=3, will_return="maybe")
    assert refused.value.field == "will_return"
    assert not SurveyAnswer.objects.exists()


@pytest.mark.django_db
def test_answering_twice_keeps_the_first_and_says_so(grant):
    first = Client()
    assert first.post(link(grant), ANSWER).status_code == 302
    second = Client().post(link(grant), {"score": "1", "will_return": "no"})
    assert second.status_code == 409
    assert "You have already answered for this visit" in second.content.decode()
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.will_return) == (4, "yes")
    with pytest.raises(SurveyError) as refused:
        services.survey_answer(grant_id=grant.pk, score=2, will_return="no")
    assert refused.value.code == SurveyError.ALREADY_ANSWERED


@pytest.mark.django_db
def test_the_follow_up_closes_after_its_days(clock, frontline, central, customer):
    clock.move_to("2027-03-01T10:00:00+00:00", tick=False)
    grant = factories.grant_for(frontline, central, customer)
    clock.move_to(grant.granted_at + dt.timedelta(days=SURVEY_OPEN_DAYS, minutes=1), tick=False)
    response = Client().post(link(grant), ANSWER)
    assert response.status_code == 410 and "has now closed" in response.content.decode()
    assert Client().get(link(grant)).status_code == 410
    assert not SurveyAnswer.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("submits", [2, 6])
def test_submits_at_the_same_moment_store_one_answer(installed_policy, frontline, central, customer, submits):
    grant = factories.grant_for(frontline, central, customer)
    results = at_once(
        submits, lambda i: services.survey_answer(grant_id=grant.pk, score=1 + i % 5, will_return="not_sure")
    )
    assert unexpected(results, SurveyError) == []
    stored = [result for result in results if isinstance(result, SurveyAnswer)]
    refused = [result for result in results if isinstance(result, SurveyError)]
    assert len(stored) == 1 and len(refused) == submits - 1
    assert all(error.code == SurveyError.ALREADY_ANSWERED for error in refused)
    assert SurveyAnswer.objects.get().pk == stored[0].pk


# --- the customer's language -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, question, thanks",
    [("ru", "Мы всё исправили?", "Ваш ответ сохранён"), ("ro", "Am reparat lucrurile?", "a fost înregistrat")],
)
def test_the_page_speaks_the_customers_browser_language(grant, language, question, thanks):
    client = Client(headers={"accept-language": language})
    page = client.get(link(grant))
    assert f'<html lang="{language}">' in page.content.decode() and question in page.content.decode()
    refused = client.post(link(grant), {"will_return": "yes"})
    assert question in refused.content.decode() and "Did we put it right?" not in refused.content.decode()
    client.post(link(grant), ANSWER)
    assert thanks in client.get(link(grant)).content.decode()
    assert SurveyAnswer.objects.get().language == language


@pytest.mark.django_db
def test_the_language_cookie_wins_as_on_the_voucher_page(grant, settings):
    client = Client(headers={"accept-language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Мы всё исправили?" in client.get(link(grant)).content.decode()


# --- where the link is handed over ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_slip_prints_the_link_and_its_qr_until_answered(frontline, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="repeat-repair")
    client = client_for(frontline)
    slip = client.get(reverse("grant_slip", args=[grant.pk])).content.decode()
    assert link(grant) in slip and 'aria-label="QR code of the link to tell us whether we put it right"' in slip
    assert slip.count("<svg") == 2  # the voucher's QR code and the follow-up's
    voucher_page = Client().get(reverse("voucher_public", args=[voucher_link_token(grant.voucher_code)]))
    assert link(grant) in voucher_page.content.decode()
    services.survey_answer(grant_id=grant.pk, score=5, will_return="yes")
    assert link(grant) not in client.get(reverse("grant_slip", args=[grant.pk])).content.decode()


# --- the event for other systems --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_answer_is_announced_once_to_subscribers_and_a_refused_one_not_at_all(grant, ops):
    from recovery.models import WebhookDelivery
    from recovery.services.webhooks import webhook_subscriber_add

    webhook_subscriber_add(
        actor=ops, url="https://crm.example.com/hooks", description="CRM", events=["survey.answered"]
    )
    answer = services.survey_answer(grant_id=grant.pk, score=3, will_return="no")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "survey.answered"
    assert delivery.payload["data"] == survey_service.survey_answer_payload(answer)
    assert delivery.payload["data"]["score"] == 3 and "comment" not in delivery.payload["data"]
    with pytest.raises(SurveyError):
        services.survey_answer(grant_id=grant.pk, score=5, will_return="yes")
    assert WebhookDelivery.objects.count() == 1


# --- the effect figures --------------------------------------------------------------------------------


def test_the_verdict_is_a_mean_with_its_t_interval_and_a_will_return_share():
    answers = [Answer(1, score, score >= 4) for score in [5, 4, 4, 3, 5] * 4]
    result = verdict(answers, minimum=20)
    assert result.answers == 20 and result.mean == pytest.approx(4.2)
    # scipy's t-interval: 4.2 ± t(0.975, 19) · s/√n, s = 0.7677
    assert result.low == pytest.approx(3.8407, abs=1e-3) and result.high == pytest.approx(4.5593, abs=1e-3)
    assert (result.will_return.returned, result.will_return.customers) == (16, 20)
    assert verdict(answers[:19], minimum=20).too_few and verdict(answers[:19], minimum=20).will_return.too_few
    assert verdict([Answer(1, 5, True)] * 20, minimum=20).high == 5.0  # no spread: the interval is the mean


@pytest.mark.django_db
def test_the_effect_page_shows_the_answers_per_playbook(manager, frontline, central):
    grants = [
        factories.grant_for(frontline, central, factories.make_customer(f"Said {n}", phone=f"+4477008{n:05d}"))
        for n in range(3)
    ]
    for grant, (score, will_return) in zip(grants, [(5, "yes"), (4, "yes"), (2, "no")], strict=True):
        services.survey_answer(grant_id=grant.pk, score=score, will_return=will_return)
    [row] = effect_rows_for(user=manager, minimum=3)
    assert row.verdict.answers == 3 and row.verdict.mean == pytest.approx(11 / 3)
    assert row.verdict.will_return.returned == 2
    response = client_for(manager).get(reverse("recovery_effect"))  # the page's own minimum: too few
    body = response.content.decode()
    assert "Too few answers (3)" in body and "Did we put it right? (1–5, their answer)" in body


@pytest.mark.django_db
def test_a_voided_grants_answer_leaves_the_figures(manager, frontline, central, customer):
    grant = factories.grant_for(frontline, central, customer)
    services.survey_answer(grant_id=grant.pk, score=1, will_return="no")
    services.grant_void(actor=manager, grant_id=grant.pk, reason="Test: granted by mistake")
    other = factories.grant_for(frontline, central, factories.make_customer("Kept", phone="+447700812345"))
    services.survey_answer(grant_id=other.pk, score=5, will_return="yes")
    [row] = effect_rows_for(user=manager, minimum=1)
    assert row.verdict.answers == 1  # the voided grant's "1, no" is not counted
    assert (row.verdict.will_return.returned, row.verdict.will_return.customers) == (1, 1)
