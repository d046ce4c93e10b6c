"""Conservation of money over a service's life (property-based).

Random services go through random lifecycle events (activation, plan changes now and at the
next cycle, add-ons on and off, price versions and the daily price job, back-dated changes,
termination, a draft bill deleted and billed again) across several billing periods, with the
real bill run. For every plan and add-on and every billing period, the sum of everything
invoiced or credited for its days must equal the price in force on each day, by the rounding
rule written in tools/proration.py, to the cent. The reference is computed here, from the days
and the prices, without the billing code.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
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

    def _expected(self, items, cycle_day, last_day):
        """``{(item key, period start): amount}`` for the days each item was in force, up to
        ``last_day``: per period, per run of days at one monthly price, the difference of the
        rounded amounts of the period's days up to the run's last day and before its first."""
        expected = defaultdict(Decimal)
        for key, segments in items.items():
            for seg_from, seg_to, monthly_of, quantity in segments:
                day = seg_from
                end = min(seg_to, last_day)
                while day <= end:
                    period_start, period_end = period_of(day, cycle_day)
                    monthly = monthly_of(day)
                    run_end = day
                    while (
                        run_end + ONE_DAY <= min(end, period_end)
                        and monthly_of(run_end + ONE_DAY) == monthly
                    ):
                        run_end += ONE_DAY
                    total = Decimal(str(monthly)) * quantity
                    days = (period_end - period_start).days + 1
                    through = (run_end - period_start).days + 1
                    before = (day - period_start).days
                    expected[(key, period_start)] += _round(total * through / days) - _round(
                        total * before / days
                    )
                    day = run_end + ONE_DAY
        return {k: v for k, v in expected.items() if v}

    def _billed(self, subscription, cycle_day):
        """``{(item key, period start): amount}`` invoiced or credited on posted bills."""
        billed = defaultdict(Decimal)
        moves = self.env["account.move"].search(
            [("telecom_subscription_id", "=", subscription.id), ("state", "=", "posted")]
        )
        for line in moves.invoice_line_ids.filtered(
            lambda x: x.telecom_line_kind in ("recurring", "charge")
        ):
            sign = -1 if line.move_id.move_type == "out_refund" else 1
            key = ("addon", line.telecom_addon_line_id.id) if line.telecom_addon_line_id else "plan"
            period_start = period_of(line.telecom_date_from, cycle_day)[0]
            billed[(key, period_start)] += sign * Decimal(str(line.price_subtotal))
        return {k: _round(v) for k, v in billed.items() if v}

    # ------------------------------------------------------------
    # the story
    # ------------------------------------------------------------

    def _monthly_of(self, product):
        """The monthly price of ``product`` by day, from its versions as they are now."""
        template = product.product_tmpl_id
        versions = [(v.date_start, v.price) for v in template.telecom_price_version_ids]
        base = template.telecom_base_price if versions else template.list_price
        return lambda day: self._price_on(versions, base, day)

    def _story(self, cycle_day, activation, plan_index, version, events):
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
        for offset, kind, choice, back in sorted(events):
            day = activation + timedelta(days=offset)
            if story.end or day < story.clock:
                continue
            story.bill_until(day)
            story.clock = day
            effective = max(day - timedelta(days=back), story.effective)
            with freeze_time(day.isoformat()):
                getattr(story, kind)(choice, effective)
        # bill what is left: pending charges and the periods up to the last event's
        story.bill_until(max(activation + timedelta(days=HORIZON), story.end or activation))
        return story.subscription, story.items(self), story.next_period - ONE_DAY

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
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
        events=EVENTS,
    )
    def test_everything_billed_adds_up_to_the_days_in_force(
        self, cycle_day, activation_day, plan_index, version, events
    ):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SAVEPOINT conservation")
        try:
            activation = START + timedelta(days=activation_day)
            subscription, items, last_billed = self._story(
                cycle_day, activation, plan_index, version, events
            )
            expected = self._expected(items, cycle_day, last_billed)
            billed = self._billed(subscription, cycle_day)
            self.assertEqual(
                billed,
                expected,
                f"cycle day {cycle_day}, activation {activation}, plan {plan_index}, "
                f"version {version}, events {events}",
            )
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
        self.plan_segments = [[activation, None, plan]]
        self.addon_items = {}  # add-on line id: [from, to, product, quantity]
        self.end = None
        self.effective = self.clock = activation
        self.draft_next = False
        self.next_period = period_of(activation, cycle_day)[1] + ONE_DAY

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
                (start, stop, case._monthly_of(plan), Decimal(1))
                for start, stop, plan in self.plan_segments
                if start <= stop
            ]
        }
        for line_id, (start, stop, product, quantity) in self.addon_items.items():
            stop = stop or end
            if start <= stop:
                items[("addon", line_id)] = [(start, stop, case._monthly_of(product), quantity)]
        return items

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
            self.plan_segments[-1][1] = effective - ONE_DAY
            self.plan_segments.append([effective, None, new])
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
        self.plan_segments.append([start, None, new])
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
        self.end = effective
        for item in self.addon_items.values():
            item[1] = item[1] or effective

    def draft_deleted(self, choice, effective):
        self.draft_next = True

    def price_job(self, choice, effective):
        self.case.env["product.template"]._cron_sync_telecom_list_price()
