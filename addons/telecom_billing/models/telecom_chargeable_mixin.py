from datetime import timedelta

from odoo import fields, models
from odoo.tools import format_date

from ..tools.chunk_cache import cached

ONE_DAY = timedelta(days=1)


class TelecomChargeableMixin(models.AbstractModel):
    """Something billed every month: a service's plan or an add-on line.

    ``charged_until`` is the last day whose recurring charge is on an invoice or in a pending
    charge. The bill run charges from the day after it; a lifecycle change on a date ``d``
    first *settles* the item up to ``d - 1`` (a pending charge for uncharged days, or a credit
    for days already charged past it) so the new plan, quantity or end date applies from ``d``.
    """

    _name = "telecom.chargeable.mixin"
    _description = "Recurring Charge Item"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    charged_until = fields.Date(
        string="Charged Through",
        readonly=True,
        copy=False,
        help="Last day whose recurring charge is already on an invoice or in a pending charge. "
        "The next bill run charges from the day after.",
    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_subscription(self):
        raise NotImplementedError

    def _telecom_charge_label(self):
        self.ensure_one()
        return self.product_id.display_name

    def _telecom_charge_link(self):
        """Fields linking a charge or invoice line to this item."""
        raise NotImplementedError

    def _telecom_charged_through(self):
        """Last charged day, or the day before the start when nothing was charged yet."""
        self.ensure_one()
        if self.charged_until:
            return self.charged_until
        return self.date_start - ONE_DAY if self.date_start else False

    def _telecom_negotiated_price(self):
        """Monthly price agreed with the customer for this item, or None for the catalog's."""
        return

    def _telecom_recurring_pieces(self, date_from, date_to):
        """Prorated pieces of this item's recurring price over ``[date_from, date_to]``."""
        self.ensure_one()
        return self._telecom_subscription()._telecom_recurring_pieces(
            self.product_id,
            date_from,
            date_to,
            self.quantity,
            monthly_price=self._telecom_negotiated_price(),
        )

    def _telecom_piece_label(self, piece, credit=False):
        """Label of a charge or credit line; when the line holds all the units in one amount,
        it says how many."""
        self.ensure_one()
        label = self._telecom_charge_label()
        if piece["quantity"] != self.quantity:
            label = "%g × %s" % (self.quantity, label)
        period = "%s - %s" % (
            self._telecom_format_date(piece["date_from"]),
            self._telecom_format_date(piece["date_to"]),
        )
        if credit:
            return self.env._(
                "%(item)s: credit for unused days %(period)s",
                item=label,
                period=period,
            )
        if piece["full_period"]:
            return "%s: %s" % (label, period)
        return self.env._("%(item)s: prorated %(period)s", item=label, period=period)

    def _telecom_format_date(self, day):
        """``format_date`` of ``day`` in the user's language; kept for a bill run's chunk
        (its lines share a few dates)."""
        return cached(
            self.env,
            ("telecom_format_date", self.env.lang, day),
            lambda: format_date(self.env, day),
        )

    def _telecom_rebill_from(self, day, reason):
        """Credit the days these items already charged from ``day`` on, at the terms that
        charged them, so that the bill run charges them again in new terms (another bill cycle
        day, another price). Items not charged that far are left as they are. Returns the
        items credited."""
        billed = self.filtered(lambda item: item.charged_until and item.charged_until >= day)
        billed._telecom_settle(day, reason)
        return billed

    def _telecom_settle(self, next_date, reason):
        """Bring ``charged_until`` to ``next_date - 1`` with pending charges or credits.

        Days not yet charged before ``next_date`` become a pending charge at the current plan
        and quantity; days already charged from ``next_date`` on are credited at the same
        prices. Returns the ``telecom.charge`` records created.
        """
        charges = self.env["telecom.charge"]
        for item in self:
            through = item._telecom_charged_through()
            if not through:
                continue
            subscription = item._telecom_subscription()
            vals_list, credit = [], False
            if through < next_date - ONE_DAY:
                pieces = item._telecom_recurring_pieces(through + ONE_DAY, next_date - ONE_DAY)
                sign, credit = 1, False
            elif through >= next_date:
                pieces = item._telecom_recurring_pieces(next_date, through)
                sign, credit = -1, True
            else:
                pieces = []
            for piece in pieces:
                vals_list.append(
                    {
                        **item._telecom_charge_link(),
                        "subscription_id": subscription.id,
                        "product_id": item.product_id.id,
                        "name": item._telecom_piece_label(piece, credit=credit),
                        "kind": "proration",
                        "date": next_date,
                        "date_from": piece["date_from"],
                        "date_to": piece["date_to"],
                        "quantity": piece["quantity"],
                        "price_unit": sign * piece["price_unit"],
                        "note": reason,
                    }
                )
            if credit:
                vals_list += item._telecom_discount_give_back(pieces, next_date, reason)
            charges |= charges.create(vals_list)
            item.charged_until = next_date - ONE_DAY
        return charges

    def _telecom_discount_give_back(self, credits, next_date, reason):
        """Charges giving back the discount of credited days: nothing here (add-ons are not
        discounted); a service's plan gives back its promotions' share."""
        return []
