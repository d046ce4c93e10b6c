import base64
import binascii
import csv
import io

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_catalog.tools.cpni import CPNI_GROUP, cpni_fields_by_model
from odoo.addons.telecom_usage.models.telecom_usage_file import CDR_COLUMNS

from .common import TelecomRegulatoryCase

# call detail planted in every place CPNI lives; found anywhere by someone without the CPNI
# group, it is a leak
MARKER = "+12125557391"
SWITCH = "SW-CPNI-7391"
# who walks the data model: every telecom role and the staff around it, none CPNI Authorized
WALKERS = {
    "telecom_user": "telecom_catalog.group_telecom_user",
    "billing": "telecom_catalog.group_telecom_billing",
    "number_admin": "telecom_catalog.group_telecom_number_admin",
    "noc": "telecom_catalog.group_telecom_noc",
    "regulatory": "telecom_catalog.group_telecom_regulatory",
    "accounting": "account.group_account_invoice",
    "sales": "sales_team.group_sale_salesman",
    "portal": "base.group_portal",
    "public": "base.group_public",
}
WALK_LIMIT = 80


def suite_modules(env):
    """The installed modules of the suite: every telecom_* module, the new ones included."""
    modules = env["ir.module.module"].search(
        [("name", "=like", "telecom\\_%"), ("state", "=", "installed")]
    )
    return tuple(modules.mapped("name"))


def suite_fields(env):
    """``{model: field names}`` of every field a module of the suite defines or extends."""
    data = env["ir.model.data"].search(
        [("model", "=", "ir.model.fields"), ("module", "in", suite_modules(env))]
    )
    result = {}
    for field in env["ir.model.fields"].browse(data.mapped("res_id")).exists():
        result.setdefault(field.model, set()).add(field.name)
    return result


def _texts(value):
    """The text forms in which a value can carry the marker (base64 of files included)."""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    text = str(value)
    yield text
    if isinstance(value, str) and len(value) >= 16:
        try:
            yield base64.b64decode(value, validate=True).decode(errors="replace")
        except (binascii.Error, ValueError):
            return


def _leaks(value):
    return any(MARKER in text or SWITCH in text for text in _texts(value))


@tagged("post_install", "-at_install")
class TestCpniWalk(TelecomRegulatoryCase):
    """Walks every model and field of the suite as each group, through read/search_read,
    export_data, read_group and the attachments: no CPNI value reaches anybody without the
    CPNI Authorized group. A new model or field holding call detail shows up here unseen by
    the declaration (the marker is found) until it is declared CPNI."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        subscription = cls._subscription()
        service = cls._service(subscription, cls.plan_basic, "2025-03-01")
        cls._usage(service, "T-WALK-1", called=MARKER).sudo().source_switch = SWITCH
        out = io.StringIO()
        writer = csv.DictWriter(out, CDR_COLUMNS, lineterminator="\n")
        writer.writeheader()
        row = dict.fromkeys(CDR_COLUMNS, "")
        row.update(
            record_id="T-WALK-REJ",
            service="+19999990000",  # no such line: rejected with its call detail
            start_time="2025-03-05T10:00:00Z",
            duration="60",
            called_number=MARKER,
            direction="out",
            usage_type="voice",
            source_switch=SWITCH,
        )
        writer.writerow(row)
        cls.usage_file = cls.env["telecom.usage.file"]._telecom_import_csv(out.getvalue().encode())
        cls.invoice = cls.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": cls.customer.id}
        )
        cls.invoice.telecom_call_detail_file = base64.b64encode(
            f"record_id,called_number\nT-WALK-1,{MARKER}\n".encode()
        )
        cls.customer_b = cls.env["res.partner"].create({"name": "T Walk Other Customer"})
        cls.walkers = {}
        for role, group in WALKERS.items():
            extra = "" if role == "public" else ",base.group_allow_export"
            cls.walkers[role] = new_test_user(
                cls.env, login=f"t_walk_{role}", groups=f"{group}{extra}"
            )
        # the portal user of another customer
        cls.walkers["portal"].partner_id.parent_id = cls.customer_b
        cls.cpni = cpni_fields_by_model(cls.env)
        cls.suite_fields = suite_fields(cls.env)
        for model, names in cls.cpni.items():
            cls.suite_fields.setdefault(model, set()).update(names)

    def test_fixtures_hold_the_marker(self):
        """The walk is meaningful: CPNI Authorized staff do find the planted call detail."""
        self.assertIn("telecom.usage.record", self.cpni)
        self.assertIn("telecom.usage.reject", self.cpni)
        self.assertIn("account.move", self.cpni)
        self.assertTrue(self.usage_file.reject_ids)
        cpni_user = new_test_user(
            self.env,
            login="t_walk_cpni",
            groups=f"telecom_catalog.group_telecom_billing,{CPNI_GROUP},"
            "account.group_account_invoice,base.group_allow_export",
        )
        leaks = self._walk(cpni_user)
        for where in ("telecom.usage.record", "telecom.usage.reject", "account.move"):
            self.assertTrue(any(where in leak for leak in leaks), where)

    def test_no_cpni_without_the_cpni_group(self):
        for role, user in self.walkers.items():
            with self.subTest(role=role):
                self.assertEqual(self._walk(user), [])

    # ------------------------------------------------------------
    # THE WALK
    # ------------------------------------------------------------

    def _walk(self, user):
        leaks = []
        for model_name, names in sorted(self.suite_fields.items()):
            if model_name not in self.env:
                continue
            Model = self.env[model_name].with_user(user)
            if Model._abstract or Model._transient or not Model._auto:
                continue
            names = sorted(name for name in names if name in Model._fields)
            leaks += self._walk_read(Model, names)
            leaks += self._walk_export(Model, names)
            leaks += self._walk_read_group(Model, names)
            leaks += self._walk_attachments(Model)
        return leaks

    def _scan(self, Model, route, rows):
        declared = set(self.cpni.get(Model._name, ()))
        return [
            f"{route} {Model._name}.{name}"
            for row in rows
            for name, value in row.items()
            if _leaks(value) or (name in declared and value not in (False, None, "", 0, []))
        ]

    def _walk_read(self, Model, names):
        readable = [n for n in names if Model._fields[n].is_accessible(Model.env)]
        try:
            rows = Model.search_read([], readable, limit=WALK_LIMIT, order="id desc")
        except AccessError:
            rows = []
        leaks = self._scan(Model, "search_read", rows)
        for name in set(names) - set(readable):
            try:
                rows = Model.search_read([], [name], limit=WALK_LIMIT, order="id desc")
            except AccessError:
                continue
            leaks += self._scan(Model, "search_read (restricted)", rows)
        return list(dict.fromkeys(leaks))

    def _export_paths(self, Model, names):
        paths = list(names)
        for name in names:
            field = Model._fields[name]
            if field.relational and field.comodel_name in self.cpni:
                paths += [f"{name}/{sub}" for sub in self.cpni[field.comodel_name]]
        return paths

    def _walk_export(self, Model, names):
        try:
            records = Model.search([], limit=WALK_LIMIT, order="id desc")
        except AccessError:
            return []
        if not records:
            return []
        leaks = []
        for path in self._export_paths(Model, names):
            try:
                rows = records.export_data([path])["datas"]
            except (AccessError, UserError):
                continue
            leaks += self._scan(Model, "export_data", [{path: row[0]} for row in rows])
        return list(dict.fromkeys(leaks))

    def _walk_read_group(self, Model, names):
        declared = set(self.cpni.get(Model._name, ()))
        leaks = []
        for name in names:
            field = Model._fields[name]
            if not (field.store and (field.type in ("char", "text") or name in declared)):
                continue
            try:
                groups = Model.read_group([], ["__count"], [name], lazy=True)
            except (AccessError, UserError, ValueError):
                continue
            leaks += self._scan(
                Model, "read_group", [{name: g[name]} for g in groups if g.get("__count")]
            )
        return list(dict.fromkeys(leaks))

    def _walk_attachments(self, Model):
        Attachment = self.env["ir.attachment"].with_user(Model.env.user)
        leaks = []
        for domain in ([], [("res_field", "!=", False)]):
            try:
                attachments = Attachment.search([("res_model", "=", Model._name), *domain])
            except AccessError:
                continue
            for attachment in attachments:
                try:
                    raw = attachment.read(["raw"])[0]["raw"]
                except AccessError:
                    continue
                if _leaks(raw):
                    leaks.append(f"attachment {Model._name} {attachment.name}")
        return leaks
