import json

from odoo import api, fields, models
from odoo.exceptions import UserError

NETWORK_CHECKS = [
    ("net_not_billed", "Network: Provisioned, not Billed"),
    ("net_not_provisioned", "Network: Billed, not Provisioned"),
    ("net_profile", "Network: Profile Mismatch"),
    ("net_suspension", "Network: Suspended on One Side"),
    ("net_number", "Network: Number/SIM Mismatch"),
]
FIX_ACTIONS = [
    ("activate", "Provision the service again"),
    ("change_plan", "Re-send the plan and features"),
    ("suspend", "Suspend on the network"),
    ("reactivate", "Reactivate on the network"),
    ("terminate", "Remove from the network"),
    ("bill_from", "Bill from the network's activation date"),
]


class TelecomRaFinding(models.Model):
    _inherit = "telecom.ra.finding"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    check = fields.Selection(
        selection_add=NETWORK_CHECKS, ondelete={code: "cascade" for code, _l in NETWORK_CHECKS}
    )
    backend_id = fields.Many2one(
        "telecom.provisioning.backend", string="Network Platform", index="btree_not_null"
    )
    reconciliation_id = fields.Many2one(
        "telecom.network.reconciliation", string="Reconciliation", index="btree_not_null"
    )
    network_ref = fields.Char(string="Network Service Reference", index="btree_not_null")
    network_values = fields.Text(string="Network View", readonly=True)
    billing_values = fields.Text(string="Billing View", readonly=True)
    fix_action = fields.Selection(FIX_ACTIONS, readonly=True)
    can_credit = fields.Boolean(
        readonly=True, help="The customer was billed for a service the network did not deliver."
    )
    fix_order_id = fields.Many2one("telecom.provisioning.order", readonly=True)
    fix_charge_id = fields.Many2one("telecom.charge", string="Credit", readonly=True)

    # ------------------------------------------------------------
    # ACTION: fixes go through provisioning or billing like any change
    # ------------------------------------------------------------

    def action_network_fix(self):
        for finding in self:
            finding._telecom_check_fixable()
            if finding.fix_action == "bill_from":
                finding._telecom_network_bill_from()
            else:
                finding._telecom_network_reprovision()
        return True

    def action_network_credit(self):
        for finding in self:
            finding._telecom_check_fixable()
            if not finding.can_credit or finding.fix_charge_id:
                raise UserError(self.env._("Finding %(f)s has no credit to give.", f=finding.name))
            finding._telecom_network_credit()
        return True

    # ------------------------------------------------------------
    # BUSINESS: fixes
    # ------------------------------------------------------------

    def _telecom_check_fixable(self):
        self.ensure_one()
        if self.state != "open" or not self.service_id or not self.check.startswith("net_"):
            raise UserError(
                self.env._(
                    "Finding %(f)s is not an open network finding of a known service.", f=self.name
                )
            )

    def _telecom_network_reprovision(self):
        """A provisioning order that makes the network deliver what billing charges."""
        service = self.service_id
        values = {
            "network_fix_finding_id": self.id,
            "effective_date": fields.Date.to_string(fields.Date.context_today(self)),
        }
        if self.fix_action == "change_plan":
            values.update(plan_id=service.product_id.id, old_plan_id=service.product_id.id)
        if self.fix_action == "suspend":
            values.update(reason=service.suspension_reason or "customer")
        order = (
            self.env["telecom.provisioning.order"]
            .sudo()
            .create(
                {
                    "service_id": service.id,
                    "backend_id": self.backend_id.id,
                    "action": self.fix_action,
                    "mode": "single",
                    "values": values,
                    "payload": service._telecom_provisioning_payload(self.fix_action, values),
                }
            )
        )
        self.fix_order_id = order
        self.message_post(
            body=self.env._(
                "Provisioning order %(order)s sent to fix the network.", order=order.name
            )
        )
        order._run_synchronously()
        return order

    def _telecom_network_bill_from(self):
        """The network has delivered the service since its activation date: billing starts
        on that day through the service's own activation (proration on the next bill)."""
        service = self.service_id
        data = json.loads(self.network_values or "{}")
        start = fields.Date.to_date(data.get("activated_on")) or fields.Date.context_today(self)
        service._telecom_network_confirmed("activate", {"effective_date": start})
        self._telecom_network_fixed(
            self.env._("Service billed from %(date)s, the network's activation date.", date=start)
        )

    def _telecom_network_credit(self):
        """A pending credit on the customer's next bill for the amount at stake."""
        service = self.service_id
        product = self.env.ref("telecom_network.product_network_credit")
        charge = (
            self.env["telecom.charge"]
            .sudo()
            .create(
                {
                    "subscription_id": service.subscription_id.id,
                    "service_id": service.id,
                    "product_id": product.id,
                    "kind": "adjustment",
                    "name": self.env._(
                        "Credit: %(service)s was not delivered by the network", service=service.name
                    ),
                    "quantity": 1,
                    "price_unit": -self.amount,
                    "note": self.name,
                }
            )
        )
        self.fix_charge_id = charge
        service.message_post(
            body=self.env._(
                "Credit of %(amount)s on the next bill (finding %(f)s).",
                amount=self.currency_id.format(self.amount),
                f=self.name,
            )
        )
        self._telecom_network_fixed(self.env._("Customer credited."))

    def _telecom_network_fixed(self, note):
        for finding in self.filtered(lambda f: f.state == "open"):
            finding.write({"state": "resolved", "date_resolved": fields.Datetime.now()})
            finding.message_post(body=note)

    # ------------------------------------------------------------
    # BUSINESS: recording (chunk by chunk; stale ones resolved by the run's end)
    # ------------------------------------------------------------

    @api.model
    def _telecom_network_record(self, found):
        """Create or update network findings from value dicts with a ``key``: a chunk read
        twice (a run killed and resumed) updates the same findings, never duplicates them.
        A resolved finding found again is opened again; a dismissed one stays dismissed."""
        if not found:
            return self.browse()
        now = fields.Datetime.now()
        existing = {f.key: f for f in self.search([("key", "in", [v["key"] for v in found])])}
        findings = self.browse()
        to_create = []
        for vals in found:
            vals = {**vals, "date_checked": now}
            vals.setdefault("severity", self._telecom_severity(vals.get("amount", 0.0)))
            finding = existing.get(vals["key"])
            if not finding:
                to_create.append(vals)
            elif finding.state != "dismissed":
                if finding.state == "resolved":
                    vals.update(state="open", date_resolved=False, fix_order_id=False)
                finding.write(vals)
                findings |= finding
        findings |= self.create(to_create)
        self._telecom_escalate(findings)
        return findings
