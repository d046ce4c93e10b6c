"""Conservation of money over a service's life (property-based).

Random services go through random lifecycle events (activation, plan changes now and at the
next cycle, add-ons on and off, a promotion of either kind, price versions and the daily price
job, suspensions and reactivations, back-dated changes, termination, a draft bill deleted and
billed again) across several billing periods, with the real bill run and either invoice writer.
For every plan and add-on and every billing period, the sum of everything invoiced or credited
for its days must equal the price in force on each day, by the rounding rule written in
tools/proration.py, to the cent. For every bill that carried the promotion, the discount it
finally keeps (after the credits of later changes gave part of it back) must be the discount of
that bill's plan days still in force at the bill's discounted share, to the cent. The reference
is computed here, from the days, the prices and the promotion's terms, without the billing code.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common import TelecomBillingCase

ONE_DAY = timedelta(days=1)
START = date(2026, 1, 1)
HORIZON = 100  # days of events after the activation window
CENT = Decimal("0.01")

EVENTS = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=HORIZON),  # day after activation
        st.sampled_from(
            [
                "change_plan",
                "change_plan_next_cycle",
                "add_addon",
                "remove_addon",
                "terminate",
                "draft_deleted",
                "price_job",
                "suspend",
                "reactivate",
                "change_bill_day",
                "negotiate",
            ]
        ),
        st.integers(min_value=0, max_value=2),  # which plan / add-on / quantity
        st.sampled_from([0, 0, 0, 4]),  # days back-dated
    ),
    max_size=6,
)


def _round(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def period_of(day, cycle_day):
    start = day.replace(day=cycle_day) if day.day >= cycle_day else None
    if start is None:
        start = (day - relativedelta(months=1)).replace(day=cycle_day)
    return start, start + relativedelta(months=1) - ONE_DAY


@tagged("post_install", "-at_install")
class TestMoneyConservation(TelecomBillingCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mini = cls.env["product.product"].create(
            {
                "name": "T Mobile Mini",
                "type": "service",
                "list_price": 25.0,
                "telecom_service_type": "mobile",
                "telecom_regulatory_class": "interstate",
                "taxes_id": [(6, 0, [])],
            }
        )
        cls.plans = [cls.plan_basic, cls.plan_plus, mini]
        cls.addons = [cls.addon_data, cls.addon_intl]

    # ------------------------------------------------------------
    # the reference: prices of days, by the written rule
    # ------------------------------------------------------------

    @staticmethod
    def _price_on(versions, base, day):
        """Monthly price in force on ``day``: the latest version started on or before it."""
        started = [(start, price) for start, price in versions if start <= day]
        return max(started)[1] if started else base

    @staticmethod
    def _gross(monthly_of, quantity, day, end, story, key, charged_before=date.max):
        """``{period start: amount}`` of ``quantity`` units over ``[day, end]``: per period
        (of the bill cycle day in force for the day when it was charged, before
        ``charged_before``), per run of days at one monthly price,
        the difference of the rounded amounts of the period's days up to the run's last day
        and before its first."""
        amounts = defaultdict(Decimal)
        while day <= end:
            period_start, period_end = period_of(day, story.cycle_of(day, key, charged_before))
            next_change = story.cycle_change_after(day, key, charged_before)
            last = min(end, period_end, next_change - ONE_DAY)
            monthly = monthly_of(day)
            run_end = day
            while run_end + ONE_DAY <= last and monthly_of(run_end + ONE_DAY) == monthly:
                run_end += ONE_DAY
            total = Decimal(str(monthly)) * quantity
            days = (period_end - period_start).days + 1
            through = (run_end - period_start).days + 1
            before = (day - period_start).days
            amounts[period_start] += _round(total * through / days) - _round(total * before / days)
            day = run_end + ONE_DAY
        return amounts

    def _expected(self, story):
        """``{(item key, period start): amount}`` for the days each item was in force, up to
        the last day billed."""
        last_day = story.next_period - ONE_DAY
        expected = defaultdict(Decimal)
        for key, segments in story.items(self).items():
            for seg_from, seg_to, monthly_of, quantity in segments:
                amounts = self._gross(
                    monthly_of, quantity, seg_from, min(seg_to, last_day), story, key
                )
                for period_start, amount in amounts.items():
                    expected[(key, period_start)] += amount
        return {k: v for k, v in expected.items() if v}

    def _billed(self, story):
        """``{(item key, period start): amount}`` invoiced or credited on posted bills."""
        billed = defaultdict(Decimal)
        moves = self.env["account.move"].search(
            [("telecom_subscription_id", "=", story.subscription.id), ("state", "=", "posted")]
        )
        for line in moves.invoice_line_ids.filtered(
            lambda x: (
                x.telecom_line_kind in ("recurring", "charge")
                and x.telecom_charge_id.kind != "discount"
            )
        ):
            sign = -1 if line.move_id.move_type == "out_refund" else 1
            key = ("addon", line.telecom_addon_line_id.id) if line.telecom_addon_line_id else "plan"
            day = line.telecom_date_from
            # in the periods of the cycle in force when the line was charged (a credit mirrors
            # the charge of its days)
            charged_before = line.telecom_charge_id.date or line.move_id.telecom_period_start
            period_start = period_of(day, story.cycle_of(day, key, charged_before))[0]
            billed[(key, period_start)] += sign * Decimal(str(line.price_subtotal))
        return {k: _round(v) for k, v in billed.items() if v}

    def _check_discounts(self, story, terms):
        """Every bill that billed the plan for its coming period while the promotion had
        months left carries its discount ``D`` on the plan's days ``B`` of the bill (a
        percentage of ``B`` rounded to the cent, or the fixed amount, never above ``B``); after
        the credits of later changes, it keeps ``S - round(S x (B - D) / B)`` where ``S`` is
        what its plan days still in force are worth: those days keep their discounted share."""
        kind, value, months = terms
        moves = self.env["account.move"].search(
            [
                ("telecom_subscription_id", "=", story.subscription.id),
                ("state", "=", "posted"),
            ],
            order="telecom_period_start",
        )
        given_back = story.subscription.charge_ids.filtered(lambda c: c.kind == "discount")
        applied = 0
        for move in moves:
            plan_lines = move.invoice_line_ids.filtered(
                lambda x: x.telecom_line_kind == "recurring" and not x.telecom_addon_line_id
            )
            discount = move.invoice_line_ids.filtered(lambda x: x.telecom_line_kind == "discount")
            billed_at = move.telecom_period_start
            covers_period = any(
                line.telecom_date_from <= billed_at <= line.telecom_date_to for line in plan_lines
            )
            base = sum(
                (
                    self._line_gross(
                        story,
                        line.product_id,
                        line.telecom_date_from,
                        line.telecom_date_to,
                        billed_at,
                    )
                    for line in plan_lines
                ),
                Decimal(0),
            )
            due = covers_period and base and (not months or applied < months)
            if not due:
                self.assertFalse(discount, f"no discount is due on {move.name}")
                continue
            applied += 1
            if kind == "percent":
                expected = _round(base * Decimal(str(value)) / 100)
            else:
                expected = min(Decimal(str(value)), base)
            self.assertEqual(len(discount), 1, f"one discount line on {move.name}")
            sign = -1 if move.move_type == "out_refund" else 1
            self.assertEqual(
                _round(Decimal(str(-sign * discount.price_subtotal))), expected, move.name
            )
            credit_from = story.first_credit_after(billed_at)
            still = sum(
                (
                    self._line_gross(
                        story,
                        line.product_id,
                        line.telecom_date_from,
                        min(line.telecom_date_to, credit_from - ONE_DAY),
                        billed_at,
                    )
                    for line in plan_lines
                ),
                Decimal(0),
            )
            kept = still - _round(still * (base - expected) / base)
            back = sum(
                (
                    Decimal(str(c.price_unit)) * Decimal(str(c.quantity))
                    for c in given_back
                    if c.date_to == discount.telecom_date_to
                ),
                Decimal(0),
            )
            self.assertEqual(expected - _round(back), kept, f"discount kept on {move.name}")

    def _line_gross(self, story, product, day, end, billed_at):
        """What the plan days ``[day, end]`` of a bill made on ``billed_at`` are worth, at the
        prices in force when it was made."""
        if day > end:
            return Decimal(0)
        monthly_of = story.plan_monthly_of(product, day, billed_at)
        amounts = self._gross(monthly_of, Decimal(1), day, end, story, "plan", billed_at)
        return sum(amounts.values(), Decimal(0))

    # ------------------------------------------------------------
    # the story
    # ------------------------------------------------------------

    def _monthly_of(self, product):
        """The monthly price of ``product`` by day, from its versions as they are now."""
        template = product.product_tmpl_id
        versions = [(v.date_start, v.price) for v in template.telecom_price_version_ids]
        base = template.telecom_base_price if versions else template.list_price
        return lambda day: self._price_on(versions, base, day)

    def _story(self, cycle_day, activation, plan_index, version, promotion, events):
        """Run the story; returns the subscription, its items as day segments and the last
        day billed."""
        if version:
            offset, price = version
            self.env["telecom.price.version"].create(
                {
                    "product_tmpl_id": self.plan_plus.product_tmpl_id.id,
                    "date_start": activation + timedelta(days=offset),
                    "price": price,
                }
            )
        story = Story(self, cycle_day, activation, self.plans[plan_index])
        if promotion:
            kind, value, months = promotion
            terms = self.env["telecom.promotion"].create(
                {
                    "name": f"T {kind} {value} for {months} months",
                    "discount_type": kind,
                    "discount_value": value,
                    "duration_months": months,
                }
            )
            self.env["telecom.service.promotion"].create(
                {"service_id": story.service.id, "promotion_id": terms.id}
            )
        for offset, kind, choice, back in sorted(events):
            day = activation + timedelta(days=offset)
            if story.end or day < story.clock:
                continue
            story.bill_until(day)
            story.clock = day
            effective = max(day - timedelta(days=back), story.effective)
            with freeze_time(day.isoformat()):
                getattr(story, kind)(choice, effective)
        # bill what is left: the periods up to the last event's, then one more run, which bills
        # what the last requests left pending
        story.bill_until(max(activation + timedelta(days=HORIZON), story.end or activation))
        story.bill_until(story.next_period)
        return story

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        # a failing story is reported whole (with its case): shrinking a story takes minutes
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        cycle_day=st.sampled_from([1, 10, 28]),
        activation_day=st.integers(min_value=0, max_value=40),
        plan_index=st.integers(min_value=0, max_value=2),
        version=st.none()
        | st.tuples(
            st.integers(min_value=-20, max_value=80),
            st.sampled_from([Decimal("55.00"), Decimal("65.50"), Decimal("61.99")]),
        ),
        promotion=st.none()
        | st.tuples(
            st.just("percent"), st.sampled_from([15.0, 50.0, 33.33]), st.sampled_from([0, 1, 2])
        )
        | st.tuples(
            st.just("fixed"), st.sampled_from([5.0, 12.34, 70.0]), st.sampled_from([0, 1, 2])
        ),
        writer=st.sampled_from(["sql", "orm"]),
        events=EVENTS,
    )
    def test_everything_billed_adds_up_to_the_days_in_force(
        self, cycle_day, activation_day, plan_index, version, promotion, writer, events
    ):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SAVEPOINT conservation")
        try:
            self.env["ir.config_parameter"].set_param("telecom_billing.bill_run_writer", writer)
            activation = START + timedelta(days=activation_day)
            story = self._story(cycle_day, activation, plan_index, version, promotion, events)
            subscription = story.subscription
            expected = self._expected(story)
            billed = self._billed(story)
            case = (
                f"cycle day {cycle_day}, activation {activation}, plan {plan_index}, "
                f"version {version}, promotion {promotion}, writer {writer}, events {events}"
            )
            self.assertEqual(billed, expected, case)
            if promotion:
                with self.subTest(case=case):
                    self._check_discounts(story, promotion)
            # one posted bill per subscription and period, and every bill balances
            moves = self.env["account.move"].search(
                [("telecom_subscription_id", "=", subscription.id)]
            )
            periods = moves.mapped("telecom_period_start")
            self.assertEqual(len(periods), len(set(periods)))
            for move in moves:
                self.assertTrue(
                    move.currency_id.is_zero(
                        sum(move.line_ids.mapped("debit")) - sum(move.line_ids.mapped("credit"))
                    )
                )
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT conservation")
            self.env.clear()
            self.env.registry.clear_cache()


class Story:
    """One service's life: the lifecycle requests a customer or staff make, the bill runs at
    each period start, and the items in force as day segments for the reference."""

    def __init__(self, case, cycle_day, activation, plan):
        self.case = case
        self.cycle_day = cycle_day
        self.subscription = case._subscription(cycle_day=cycle_day)
        self.service = case._service(self.subscription, plan, start=activation.isoformat())
        # [from, to, plan, negotiated prices: (day requested, first day it prices, price)]
        self.plan_segments = [[activation, None, plan, []]]
        self.addon_items = {}  # add-on line id: [from, to, product, quantity]
        self.end = None
        self.effective = self.clock = activation
        self.draft_next = False
        self.next_period = period_of(activation, cycle_day)[1] + ONE_DAY
        self.plan_credits = []  # (day requested, effective): changes that credit the plan
        self.first_cycle_day = cycle_day
        # (day, new bill cycle day, {item key: first day it prices})
        self.cycle_changes = []

    def cycle_of(self, day, key, charged_before=date.max):
        """The bill cycle day whose periods price ``day`` of item ``key`` when charged before
        ``charged_before``: a change prices the days of an item from the day it was made, and
        the days not billed yet then."""
        cycle = self.first_cycle_day
        for changed_on, new, first_days in self.cycle_changes:
            if changed_on < charged_before and day >= first_days.get(key, changed_on):
                cycle = new
        return cycle

    def cycle_change_after(self, day, key, charged_before=date.max):
        firsts = [
            first_days.get(key, changed_on)
            for changed_on, _new, first_days in self.cycle_changes
            if changed_on < charged_before
        ]
        return min((first for first in firsts if first > day), default=date.max)

    def first_credit_after(self, billed_at):
        """First day credited back by a change requested on or after ``billed_at``."""
        days = [effective for requested, effective in self.plan_credits if requested >= billed_at]
        return min(days, default=date.max)

    def bill_until(self, day):
        """The bill runs of the periods starting on or before ``day``."""
        case = self.case
        while self.next_period <= day:
            # the daily price job has run by then
            with freeze_time(self.next_period.isoformat()):
                case.env["product.template"]._cron_sync_telecom_list_price()
            if self.draft_next:
                # reviewed in draft, the bill deleted, then billed again and posted
                run = case._bill(self.next_period, cycle_day=self.cycle_day, auto_post=False)
                case._invoice(run, self.subscription).unlink()
                run.auto_post = True
                run.action_resume()
                run._telecom_run_to_end()
                self.draft_next = False
            else:
                case._bill(self.next_period, cycle_day=self.cycle_day)
            self.next_period += relativedelta(months=1)

    def items(self, case):
        """``{item key: [(from, to, monthly price by day, quantity)]}``."""
        end = self.end or self.next_period - ONE_DAY
        self.plan_segments[-1][1] = end
        items = {
            "plan": [
                (start, stop, self._segment_monthly_of(plan, negotiated), Decimal(1))
                for start, stop, plan, negotiated in self.plan_segments
                if start <= stop
            ]
        }
        for line_id, (start, stop, product, quantity) in self.addon_items.items():
            stop = stop or end
            if start <= stop:
                items[("addon", line_id)] = [(start, stop, case._monthly_of(product), quantity)]
        return items

    def _segment_monthly_of(self, plan, negotiated, charged_before=date.max):
        """Monthly price of a plan segment by day: the last price negotiated (before
        ``charged_before``) that prices the day, else the catalog's."""
        catalog = self.case._monthly_of(plan)

        def monthly_of(day):
            price = None
            for requested, first_day, value in negotiated:
                if requested < charged_before and day >= first_day:
                    price = value
            return catalog(day) if price is None else price

        return monthly_of

    def plan_monthly_of(self, plan, day, charged_before):
        """Prices of ``plan`` charged from ``day`` before ``charged_before``."""
        segment = [s for s in self.plan_segments if s[2] == plan and s[0] <= day][-1]
        return self._segment_monthly_of(plan, segment[3], charged_before)

    def _new_plan(self, choice):
        new = self.case.plans[choice]
        if new == self.service.product_id or self.service.next_plan_id:
            return None
        return new

    # the events: each is a request made on the event's day, effective on ``effective``

    def change_plan(self, choice, effective):
        new = self._new_plan(choice)
        if new:
            self.service._telecom_request_change_plan(new, effective_date=effective)
            self.plan_credits.append((self.clock, effective))
            self.plan_segments[-1][1] = effective - ONE_DAY
            self.plan_segments.append([effective, None, new, []])
            self.effective = effective

    def change_plan_next_cycle(self, choice, effective):
        new = self._new_plan(choice)
        if not new:
            return
        self.service._telecom_request_change_plan(new, timing="next_cycle")
        start = self.service.next_plan_date
        # the daily job applies it on its day, before that day's bill run
        self.bill_until(start - ONE_DAY)
        with freeze_time(start.isoformat()):
            self.case.env["telecom.service"]._cron_apply_scheduled_plan_changes()
        self.case.assertEqual(self.service.product_id, new)
        self.plan_segments[-1][1] = start - ONE_DAY
        self.plan_segments.append([start, None, new, []])
        self.clock = self.effective = start

    def add_addon(self, choice, effective):
        addon = self.case.addons[choice % 2]
        lines = self.service.addon_line_ids
        if lines.filtered(lambda a: a.state == "active" and a.product_id == addon):
            return
        self.service._telecom_request_add_addon(addon, choice + 1, effective_date=effective)
        line = self.service.addon_line_ids.sorted("id")[-1]
        self.addon_items[line.id] = [effective, None, addon, Decimal(choice + 1)]
        self.effective = effective

    def remove_addon(self, choice, effective):
        lines = self.service.addon_line_ids.filtered(
            lambda a: a.state == "active" and a.date_start <= effective
        )
        if lines:
            line = lines.sorted("id")[0]
            self.service._telecom_request_remove_addon(line, effective_date=effective)
            self.addon_items[line.id][1] = effective
            self.effective = effective

    def terminate(self, choice, effective):
        self.service._telecom_request_terminate(effective_date=effective)
        self.plan_credits.append((self.clock, effective + ONE_DAY))
        self.end = effective
        for item in self.addon_items.values():
            item[1] = item[1] or effective

    def draft_deleted(self, choice, effective):
        self.draft_next = True

    def price_job(self, choice, effective):
        self.case.env["product.template"]._cron_sync_telecom_list_price()

    def change_bill_day(self, choice, effective):
        """From today the account is billed on another day: the days already billed from today
        are credited and billed again in the new cycle's periods."""
        new = [1, 10, 28][choice]
        if new == self.cycle_day or self.end:
            return
        first_days = {
            key: min(self.clock, through + ONE_DAY)
            for key, through in self._charged_through().items()
        }
        self.subscription.bill_cycle_day = new
        self.cycle_changes.append((self.clock, new, first_days))
        self.plan_credits.append((self.clock, self.clock))
        self.cycle_day = new
        self.effective = max(self.effective, self.clock)
        self.next_period = self.clock + ONE_DAY
        while self.next_period.day != new:
            self.next_period += ONE_DAY

    def _charged_through(self):
        """``{item key: last day charged}`` of the items in force."""
        through = {"plan": self.service.charged_until}
        for line in self.service.addon_line_ids.filtered(lambda a: a.state == "active"):
            through[("addon", line.id)] = line.charged_until or line.date_start - ONE_DAY
        return through

    def negotiate(self, choice, effective):
        """Staff agree another monthly price (or end it): the days already billed from today
        are credited and billed again at it; days not billed yet are billed at it."""
        price = [None, 33.0, 47.77][choice]
        if self.end or (self.service.negotiated_price or None) == price:
            return
        through = self.service.charged_until
        self.service.negotiated_price = price or False
        if through >= self.clock:
            self.plan_credits.append((self.clock, self.clock))
            self.effective = max(self.effective, self.clock)
        first_day = min(self.clock, through + ONE_DAY)
        self.plan_segments[-1][3].append((self.clock, first_day, price))

    def suspend(self, choice, effective):
        """Suspended services are billed as usual (only the network is switched off)."""
        if self.service.state == "active":
            self.service._telecom_request_suspend("customer")

    def reactivate(self, choice, effective):
        if self.service.state == "suspended":
            self.service._telecom_request_reactivate()
