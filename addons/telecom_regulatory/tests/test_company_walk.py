from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import TelecomRegulatoryCase
from .test_security_walk import suite_fields, suite_modules

# the list: these must be walked with a record of the other company
MUST_WALK = (
    "telecom.bill.run",
    "telecom.rate.plan",
    "telecom.usage.record",
    "telecom.ra.finding",
    "telecom.regulatory.filing",
    "telecom.e911.location",
    "telecom.e911.provider",
    "telecom.subscription",
    "telecom.service",
    "telecom.service.history",
    # modules built with issue 19: walked when installed
    "telecom.interconnect.agreement",
    "telecom.interconnect.trunk",
    "telecom.migration.batch",
    "telecom.migration.map",
    "telecom.parallel.run",
    "telecom.payment.file",
    # models given a company with the last point of issue 19
    "telecom.number",
    "telecom.number.history",
    "telecom.number.block",
    "telecom.sim",
    "telecom.sim.history",
    "telecom.port.request",
    "telecom.npac.backend",
    "telecom.provisioning.backend",
    "telecom.provisioning.order",
    "telecom.cpni.access.log",
    "telecom.cpni.authentication",
    "telecom.cpni.notice",
    "telecom.tax.exemption",
    "telecom.price.version",
    "telecom.broadband.label.fee",
    "telecom.form499.split",
)
# Models of the suite without a company, on purpose: reference data every company shares.
# Any other model of the suite without ``company_id`` fails the walk.
SHARED_MODELS = {
    # product catalogue structure, shared like Odoo's product.attribute
    "telecom.addon.group": "catalogue structure: groups of mutually exclusive add-ons",
    "telecom.attribute": "catalogue structure: plan attributes, like product.attribute",
    "telecom.attribute.value": "catalogue structure: values of the plan attributes",
    "telecom.customer.type": "classification of customers (residential, business...)",
    # public reference data of the FCC and the NANP
    "telecom.npa": "NANP area codes and their time zones (public numbering plan)",
    "telecom.bdc.location": "FCC Broadband Serviceable Location Fabric: public location ids",
    "telecom.bdc.fabric.import": "loads of the FCC Fabric (the same public file for everyone)",
    "telecom.bdc.fabric.reject": "rows of the FCC Fabric file a load could not read",
    "telecom.form499.line": "the lines of the FCC Form 499 (defined by the FCC)",
    "telecom.form499.mapping": "which revenue class goes to which Form 499 line (FCC rules)",
    "telecom.usf.contribution.factor": "the FCC's quarterly USF contribution factor",
    "telecom.number.aging.rule": "number aging periods of 47 CFR 52.15(f) per customer type",
    "telecom.port.reject.code": "NPAC/SOA rejection codes (industry catalogue)",
    "telecom.provisioning.service.type": "kinds of provisioned service (definitions)",
}


@tagged("post_install", "-at_install")
class TestCompanyWalk(TelecomRegulatoryCase):
    """Every model of the suite with a company has a company record rule, and a user of
    company A reads, searches, groups and exports nothing of company B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "T Walk Company B"})
        cls.user_a = new_test_user(
            cls.env,
            login="t_walk_company_a",
            groups="telecom_catalog.group_telecom_manager,telecom_catalog.group_telecom_cpni,"
            "account.group_account_manager,base.group_allow_export",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        subscription = cls._subscription()
        service = cls._service(subscription, cls.plan_basic, "2025-03-01")
        cls._usage(service, "T-COMPANY-1")
        cls.env["telecom.bill.run"].create({"cycle_day": 1, "period_start": "2025-04-01"})
        cls.env["telecom.rate.plan"].create({"name": "T Walk Rates"})
        Finding = cls.env["telecom.ra.finding"]
        check = Finding._fields["check"]._description_selection(cls.env)[0][0]
        Finding.create({"name": "T walk", "check": check, "key": "T-WALK"})
        Filing = cls.env["telecom.regulatory.filing"]
        filing_type = Filing._fields["filing_type"]._description_selection(cls.env)[0][0]
        Filing.create(
            {"filing_type": filing_type, "date_from": "2025-01-01", "date_to": "2025-03-31"}
        )
        cls.env["telecom.e911.provider"].create(
            {"name": "T Walk 911", "url": "http://127.0.0.1:9/", "active": False}
        )
        cls.env["telecom.e911.location"].create(
            {
                "number_id": service.number_ids[:1].id,
                "street": "1 Walk St",
                "city": "Sacramento",
                "state_id": cls.state_ca.id,
                "zip": "95815",
            }
        )
        cls._records_of_other_modules()
        cls.modules = suite_modules(cls.env)
        cls.models = sorted(suite_fields(cls.env))

    @classmethod
    def _records_of_other_modules(cls):
        """A record of the company-owned models of the suite's modules telecom_regulatory
        does not depend on (interconnect, migration, file channels), when installed."""
        env = cls.env
        if "telecom.interconnect.agreement" in env:
            carrier = env["res.partner"].create({"name": "T Walk Carrier", "is_company": True})
            agreement = env["telecom.interconnect.agreement"].create(
                {"name": "T Walk Agreement", "partner_id": carrier.id}
            )
            env["telecom.interconnect.trunk"].create(
                {"name": "T-WALK-TG", "agreement_id": agreement.id}
            )
        if "telecom.migration.batch" in env:
            batch = env["telecom.migration.batch"].create({"name": "T Walk Migration"})
            env["telecom.migration.map"].create(
                {
                    "company_id": batch.company_id.id,
                    "kind": "customer",
                    "legacy_id": "T-WALK-1",
                    "res_model": "res.partner",
                    "res_id": cls.customer.id,
                }
            )
            env["telecom.parallel.run"].create({"period_start": "2025-04-01"})
        if "telecom.payment.file" in env:
            env["telecom.payment.file"].create({"filename": "t_walk_payments.csv"})

    def _company_models(self):
        for name in self.models:
            if name not in self.env:
                continue
            Model = self.env[name]
            if Model._abstract or Model._transient or not Model._auto:
                continue
            if Model._original_module not in self.modules:
                continue  # standard models (partners, journal items) keep Odoo's own rules
            field = Model._fields.get("company_id")
            if field and field.type == "many2one" and field.comodel_name == "res.company":
                yield Model

    def _move_to_company_b(self, Model):
        """Move the newest record of ``Model`` (or the record it takes its company from) to
        company B; returns the record, or None when the model has no record."""
        record = Model.sudo().with_context(active_test=False).search([], limit=1, order="id desc")
        if not record:
            return None
        field = Model._fields["company_id"]
        target, target_field = record, "company_id"
        if not field.store:
            hop, _dummy = field.related.split(".")
            target = record[hop]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE id = %s",
                SQL.identifier(target._table),
                SQL.identifier(target_field),
                self.company_b.id,
                target.id,
            )
        )
        self.env.invalidate_all()
        return record

    def _suite_models(self):
        for name in self.env.registry:
            Model = self.env[name]
            if not name.startswith("telecom.") or Model._original_module not in self.modules:
                continue
            if not (Model._abstract or Model._transient or not Model._auto):
                yield Model

    def test_every_suite_model_has_a_company(self):
        """A new model of the suite gets a company, or a place in SHARED_MODELS with why."""
        company_models = {Model._name for Model in self._company_models()}
        suite = {Model._name for Model in self._suite_models()}
        self.assertEqual(sorted(suite - company_models - set(SHARED_MODELS)), [])
        # the list holds no stale entry: a shared model given a company leaves it
        self.assertEqual(sorted(set(SHARED_MODELS) & company_models), [])

    def test_every_company_model_has_a_company_rule(self):
        missing = []
        for Model in self._company_models():
            rules = self.env["ir.rule"].search(
                [
                    ("model_id.model", "=", Model._name),
                    ("global", "=", True),
                    ("domain_force", "ilike", "company_ids"),
                ]
            )
            if not rules:
                missing.append(Model._name)
        self.assertEqual(missing, [])

    def test_user_of_company_a_sees_nothing_of_company_b(self):
        walked, seen = [], []
        for Model in self._company_models():
            record = self._move_to_company_b(Model)
            if record is None:
                continue
            walked.append(Model._name)
            mine = Model.with_user(self.user_a).with_context(active_test=False)
            domain = [("id", "=", record.id)]
            if mine.search(domain) or mine.search_count(domain):
                seen.append(f"search {Model._name}")
            groups = mine.read_group(domain, ["__count"], [])
            if groups and groups[0]["__count"]:
                seen.append(f"read_group {Model._name}")
            for route in ("read", "export_data"):
                try:
                    if route == "read":
                        mine.browse(record.id).read(["display_name"])
                    else:
                        mine.browse(record.id).export_data(["display_name"])
                except AccessError:
                    continue
                seen.append(f"{route} {Model._name}")
        self.assertEqual(seen, [])
        self.assertEqual(sorted(set(MUST_WALK) & set(self.env.registry) - set(walked)), [])
