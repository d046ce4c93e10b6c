import base64
import binascii
import csv
import io
import json

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.telecom_catalog.tools.cpni import (
    CPNI_GROUP,
    cpni_fields_by_model,
    cpni_need_groups_by_model,
)
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
# records of each CPNI model read by the CPNI Authorized user to check the access log
LOG_WALK_LIMIT = 10
# files downloaded per model through /web/content (the newest: the fixtures' own first)
DOWNLOAD_LIMIT = 10


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
class TestCpniWalk(TelecomRegulatoryCase, HttpCase):
    """Walks every model and field of the suite as each group, through the ORM
    (read/search_read, export_data, read_group, the attachments) and through the routes the
    web client uses (JSON-RPC ``/web/dataset/call_kw``, ``/web/export/csv`` and the
    ``/web/content`` downloads) as a logged-in user: no CPNI value reaches anybody without the
    CPNI Authorized group (or, for the service mix, a group whose work needs it), nor another
    customer on the portal. A new model or field holding call detail shows up here unseen by
    the declaration (the marker is found) until it is declared CPNI."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        subscription = cls._subscription()
        # the service mix: a plan with an add-on, and its history
        service = cls._service(
            subscription, cls.plan_basic, "2025-03-01", addons=[(cls.addon_intl, 2)]
        )
        cls.service = service
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
        if "telecom.interconnect.cdr" in cls.env:
            cls._plant_trunk_record(service.number_ids[:1].name)
        cls.customer_b = cls.env["res.partner"].create({"name": "T Walk Other Customer"})
        cls.call_detail = (
            cls.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "=", cls.invoice.id),
                    ("res_field", "=", "telecom_call_detail_file"),
                ]
            )
        )
        cls.walkers = {}
        for role, group in WALKERS.items():
            extra = "" if role == "public" else ",base.group_allow_export"
            cls.walkers[role] = new_test_user(
                cls.env, login=f"t_walk_{role}", groups=f"{group}{extra}"
            )
        # the portal user of another customer
        cls.walkers["portal"].partner_id.parent_id = cls.customer_b
        cls.cpni = cpni_fields_by_model(cls.env)
        cls.need_groups = cpni_need_groups_by_model(cls.env)
        cls.suite_fields = suite_fields(cls.env)
        for model, names in cls.cpni.items():
            cls.suite_fields.setdefault(model, set()).update(names)

    @classmethod
    def _plant_trunk_record(cls, number):
        """A trunk record of a call from our customer's line to the marker (telecom_interconnect
        installed)."""
        carrier = cls.env["res.partner"].create({"name": "T Walk Carrier", "is_company": True})
        agreement = cls.env["telecom.interconnect.agreement"].create(
            {"name": "T Walk agreement", "partner_id": carrier.id}
        )
        cls.trunk_record = (
            cls.env["telecom.interconnect.cdr"]
            .sudo()
            .create(
                {
                    "name": "T-WALK-IC",
                    "agreement_id": agreement.id,
                    "company_id": cls.env.company.id,
                    "trunk_group": "T-WALK-TRUNK",
                    "direction": "out",
                    "start_time": "2025-03-05 10:00:00",
                    "usage_date": "2025-03-05",
                    "calling_number": number,
                    "called_number": MARKER,
                }
            )
        )

    strict = False

    def test_fixtures_hold_the_marker(self):
        """The walk is meaningful: CPNI Authorized staff do find the planted call detail."""
        self.assertIn("telecom.usage.record", self.cpni)
        self.assertIn("telecom.usage.reject", self.cpni)
        self.assertIn("account.move", self.cpni)
        self.assertIn("telecom.service", self.cpni)
        self.assertIn("telecom.service.addon", self.cpni)
        self.assertIn("telecom.service.history", self.cpni)
        self.assertIn("telecom.interconnect.cdr", self.cpni)
        self.assertTrue(self.trunk_record)
        self.assertTrue(self.usage_file.reject_ids)
        self.assertTrue(self.service.addon_line_ids and self.service.history_ids)
        self.assertEqual(len(self.call_detail), 1)
        cpni_user = new_test_user(
            self.env,
            login="t_walk_cpni",
            groups=f"telecom_catalog.group_telecom_billing,{CPNI_GROUP},"
            "account.group_account_invoice,base.group_allow_export",
        )
        # every CPNI value reached counts here, even those Billing reads for its work
        self.strict = True
        leaks = self._walk(cpni_user)
        for where in (
            "telecom.usage.record",
            "telecom.usage.reject",
            "account.move",
            "telecom.service.addon",
            "telecom.service.history",
            "telecom.interconnect.cdr",
        ):
            self.assertTrue(any(where in leak for leak in leaks), where)
        http_leaks = self._walk_http(cpni_user)
        for where in (
            "call_kw telecom.usage.record",
            "call_kw telecom.service",
            "call_kw telecom.interconnect.cdr",
            "/web/export/csv telecom.usage.reject",
            "/web/export/csv telecom.interconnect.cdr",
            "/web/content attachment",
            "/web/content account.move",
        ):
            self.assertTrue(any(where in leak for leak in http_leaks), where)

    def test_no_cpni_without_the_cpni_group(self):
        for role, user in self.walkers.items():
            with self.subTest(role=role):
                self.assertEqual(self._walk(user), [])

    def test_no_cpni_through_the_web_routes(self):
        """The same walk through HTTP, logged in as each role: JSON-RPC reads and groupings,
        the CSV export and the downloads of every file of the suite."""
        for role, user in self.walkers.items():
            with self.subTest(role=role):
                self.assertEqual(self._walk_http(user), [])

    def test_every_cpni_read_is_logged(self):
        """Every model declaring CPNI logs staff reads: it has the logging mixin, and the
        CPNI Authorized user's reads and exports of its newest records are in the access log
        of each customer those records belong to (the planted ones included)."""
        logged = self.env["telecom.cpni.logged.mixin"]._inherit_children
        self.assertEqual(sorted(set(self.cpni) - set(logged)), [], "CPNI read without a log")
        cpni_user = new_test_user(
            self.env,
            login="t_walk_cpni_log",
            groups=f"telecom_catalog.group_telecom_billing,{CPNI_GROUP},"
            "account.group_account_invoice,base.group_allow_export",
        )
        Log = self.env["telecom.cpni.access.log"]
        checked = set()
        for model_name, names in sorted(self.cpni.items()):
            records = self.env[model_name].search([], limit=LOG_WALK_LIMIT, order="id desc")
            customers = records.sudo()._telecom_cpni_customers()
            if not customers:
                continue
            for route in ("search_read", "export_data"):
                with self.subTest(model=model_name, route=route):
                    last = Log.search([], limit=1, order="id desc").id or 0
                    mine = records.with_user(cpni_user)
                    if route == "search_read":
                        mine.search_read([("id", "in", records.ids)], list(names))
                    else:
                        mine.export_data(list(names))
                    logs = Log.search(
                        [
                            ("id", ">", last),
                            ("user_id", "=", cpni_user.id),
                            ("data_viewed", "=like", f"{records._description}:%"),
                        ]
                    )
                    self.assertEqual(logs.partner_id, customers)
                    checked.add(model_name)
        for model_name in ("telecom.usage.record", "telecom.interconnect.cdr", "account.move"):
            self.assertIn(model_name, checked)
        self.assertIn(self.customer, self.trunk_record._telecom_cpni_customers())

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

    def _declared(self, Model):
        """CPNI fields of ``Model`` its user may not read: all of them, unless the user is in
        a group whose work needs them (Billing and NOC for the service mix)."""
        needs = self.need_groups.get(Model._name, ())
        if not self.strict and any(Model.env.user.has_group(group) for group in needs):
            return set()
        return set(self.cpni.get(Model._name, ()))

    def _scan(self, Model, route, rows):
        declared = self._declared(Model)
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
        declared = self._declared(Model)
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

    # ------------------------------------------------------------
    # THE WALK THROUGH HTTP
    # ------------------------------------------------------------

    def _walk_http(self, user):
        if user.has_group("base.group_public"):
            self.authenticate(None, None)
        else:
            self.authenticate(user.login, user.login)
        leaks = []
        for model_name, names in sorted(self.suite_fields.items()):
            if model_name not in self.env:
                continue
            Model = self.env[model_name].with_user(user)
            if Model._abstract or Model._transient or not Model._auto:
                continue
            names = sorted(name for name in names if name in Model._fields)
            leaks += self._walk_rpc(Model, names)
            leaks += self._walk_csv_export(Model, names)
            leaks += self._walk_downloads(Model)
        return leaks

    def _rpc(self, model, method, *args, **kwargs):
        """The result of a JSON-RPC call, or None when it is refused."""
        try:
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            )
        except JsonRpcException:
            return None

    def _walk_rpc(self, Model, names):
        """``web_search_read`` of every field (the restricted ones one by one, as a person
        would try them) and ``web_read_group`` on the CPNI fields."""
        readable = [n for n in names if Model._fields[n].is_accessible(Model.env)]
        route = f"call_kw {Model._name}"
        leaks = []
        for chunk in [readable] + [[n] for n in set(names) - set(readable)]:
            spec = {name: {} for name in chunk}
            result = self._rpc(
                Model._name, "web_search_read", [], spec, limit=WALK_LIMIT, order="id desc"
            )
            if result:
                leaks += self._scan(Model, route, result["records"])
        for name in self.cpni.get(Model._name, ()):
            if not Model._fields[name].store:
                continue
            result = self._rpc(Model._name, "web_read_group", [], ["__count"], [name])
            if result:
                groups = [{name: g[name]} for g in result["groups"] if g.get("__count")]
                leaks += self._scan(Model, f"{route} web_read_group", groups)
        return list(dict.fromkeys(leaks))

    def _walk_csv_export(self, Model, names):
        """The export button: ``/web/export/csv`` of every CPNI path of the model (its own
        CPNI fields and those of the records it links to)."""
        declared = self.cpni.get(Model._name, ())
        paths = [
            path for path in self._export_paths(Model, names) if "/" in path or path in declared
        ]
        ids = Model.sudo().search([], limit=WALK_LIMIT, order="id desc").ids
        if not (paths and ids):
            return []
        leaks = []
        for path in paths:
            data = {
                "model": Model._name,
                "fields": [{"name": path, "label": path}],
                "ids": ids,
                "domain": [],
                "import_compat": False,
            }
            with mute_logger("odoo.addons.web.controllers.export", "odoo.http"):
                response = self.url_open(
                    "/web/export/csv",
                    data={"data": json.dumps(data), "csrf_token": http.Request.csrf_token(self)},
                )
            if response.status_code != 200 or "Odoo Server Error" in response.text:
                continue
            if "text/csv" not in response.headers.get("Content-Type", ""):
                continue  # the login page of the public user
            values = [row[0] for row in csv.reader(io.StringIO(response.text)) if row][1:]
            leaks += self._scan(Model, "/web/export/csv", [{path: value} for value in values])
        return list(dict.fromkeys(leaks))

    def _walk_downloads(self, Model):
        """``/web/content`` of every file the model owns: its attachments by id and its
        binary fields by record."""
        leaks = []
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment.browse()
        # the files of records' fields (a search without ``res_field`` leaves them out)
        for domain in ([("res_field", "=", False)], [("res_field", "!=", False)]):
            attachments |= Attachment.search(
                [("res_model", "=", Model._name), *domain], limit=DOWNLOAD_LIMIT, order="id desc"
            )
        for attachment in attachments:
            response = self.url_open(f"/web/content/{attachment.id}?download=true")
            if response.status_code == 200 and _leaks(response.content):
                leaks.append(f"/web/content attachment {Model._name} {attachment.name}")
        binaries = [n for n, f in Model._fields.items() if f.type == "binary" and f.store]
        if not binaries:
            return leaks
        for record in Model.sudo().search([], limit=DOWNLOAD_LIMIT, order="id desc"):
            for name in binaries:
                if not record[name]:
                    continue
                response = self.url_open(f"/web/content/{Model._name}/{record.id}/{name}")
                if response.status_code == 200 and _leaks(response.content):
                    leaks.append(f"/web/content {Model._name}.{name}")
        return leaks
