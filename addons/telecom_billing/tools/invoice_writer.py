"""Set-based writer of the bill run's invoices.

The ORM creates and posts an invoice in about 100 ms (dynamic lines synchronised at creation
and again at posting, every stored field computed line by line). A bill run's invoices are
simple and all alike: company currency, explicit income accounts, telecom taxes and fees as
tax lines whose amounts the tax engine gave (the Odoo taxes are 0 % placeholders: nothing to
compute), one due date. For those, this writer creates the invoice headers with the ORM (every
header field computed as usual, in one batch, without lines; the chatter's auto-subscription
once per group of alike headers), then inserts their lines, the
taxes of the charge lines and the tax tags with one COPY each per chunk, runs Odoo's
constraints on them as the ORM's create would, posts them with one
UPDATE and applies what posting does (analytic lines, the customer as follower, customer
rank). The bill run calls
:func:`number_invoices` last in the chunk: the numbers come from the journal's sequence
under a lock on the journal row, held only from there to the commit.

It gives exactly the rows of the ORM path (tests/test_bill_run_writer.py compares both field
by field); anything it does not handle (:func:`supported`) goes through the ORM path.
"""

import contextlib
import copy
import datetime
import io
import itertools
import re
from collections import defaultdict
from decimal import Decimal

from psycopg2.extras import Json, execute_values

from odoo import SUPERUSER_ID, Command, fields, models
from odoo.models import LOG_ACCESS_COLUMNS
from odoo.tools import SQL, float_compare, float_repr, float_round

from odoo.addons.telecom_catalog.tools.planner import planner_settings

MOVE_TYPES = {"out_invoice": 1, "out_refund": -1}
# account.move.line fields written here; any other stored column stays NULL.
LINE_FIELDS = [
    "move_id",
    "journal_id",
    "company_id",
    "company_currency_id",
    "currency_id",
    "partner_id",
    "sequence",
    "display_type",
    "name",
    "account_id",
    "product_id",
    "product_uom_id",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "discount",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "discount_amount_currency",
    "discount_balance",
    "tax_tag_invert",
    "reconciled",
    "analytic_distribution",
    "date",
    "invoice_date",
    "date_maturity",
    "move_name",
    "parent_state",
    "tax_line_id",
    "tax_group_id",
    "tax_repartition_line_id",
    "tax_base_amount",
    "create_uid",
    "write_uid",
    "create_date",
    "write_date",
]
# account.move's stored computed fields that _post() and number_invoices() write
POSTING_FIELDS = [
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
    "payment_state",
    "sequence_prefix",
    "sequence_number",
    "made_sequence_gap",
]
# what _post()'s UPDATE writes: {account.move column: its value, in SQL over the row
# ``v`` of the invoice's amounts and its journal ``j``}
POSTED_VALUES = {
    "state": "'posted'",
    "is_manually_modified": "FALSE",
    "posted_before": "TRUE",
    "payment_state": "CASE WHEN v.total = 0 THEN 'paid' ELSE 'not_paid' END",
    "checked": "j.autocheck_on_post",
    "amount_untaxed": "v.untaxed",
    "amount_tax": "v.tax",
    "amount_total": "v.total",
    "amount_residual": "v.total",
    "amount_untaxed_signed": "v.untaxed_signed",
    "amount_untaxed_in_currency_signed": "v.untaxed_signed",
    "amount_tax_signed": "v.tax_signed",
    "amount_total_signed": "v.signed",
    "amount_total_in_currency_signed": "v.signed",
    "amount_residual_signed": "v.signed",
    "invoice_date_due": "v.due",
}
SECTION_TYPES = ("line_section", "line_note")
# the company domains of Odoo's models (``_check_company_domain``) that depend on the
# companies only: the values of a field can be checked against them together
PLAIN_COMPANY_DOMAINS = (
    models.BaseModel._check_company_domain,
    models.check_company_domain_parent_of,
    models.check_companies_domain_parent_of,
)
# {(database, journal id, refund sequence): numbers} that other workers took between this
# process's last prediction of its invoices' numbers and their numbering (_predicted_names):
# only whether the lines are rewritten at the numbering depends on it.
_SKIPS = {}
# Odoo's constraints on the lines the writer inserts and on the invoices' lines (see
# _check_keys for what they read)
ACCOUNT_CONSTRAINTS = [
    "odoo.addons.account.models.account_move_line._check_caba_non_caba_shared_tags",
    "odoo.addons.account.models.account_move_line._check_off_balance",
    "odoo.addons.account.models.account_move_line._check_payable_receivable",
    "odoo.addons.account.models.account_move_line._check_product_uom_category_id",
    "odoo.addons.account.models.account_move._validate_taxes_country",
]
# invoice line values the writer understands; other keys must be telecom_* columns
LINE_KEYS = {
    "display_type",
    "name",
    "sequence",
    "product_id",
    "product_uom_id",
    "quantity",
    "price_unit",
    "account_id",
    "analytic_distribution",
    "tax_ids",
    "discount",
}


def _line_vals(command):
    if not isinstance(command, (list, tuple)) or command[0] != Command.CREATE:
        return None
    return command[2]


def supported(env, bill):
    """Whether the writer produces this bill's invoice (else the ORM path does).

    What Odoo's posting checks or does besides the rows written here goes through the ORM:
    an inalterability hash chain, an archived journal, an inactive currency, a deprecated
    account, a date in a locked period (Odoo moves the accounting date), a payment term with
    an early-payment discount or several installments.
    """
    vals = bill["move_vals"]
    if vals.get("move_type") not in MOVE_TYPES or not vals.get("invoice_date"):
        return False
    journal = env["account.journal"].browse(vals.get("journal_id"))
    if (journal.invoice_reference_type, journal.invoice_reference_model) != ("invoice", "odoo"):
        return False
    if journal.restrict_mode_hash_table or not journal.active:
        return False
    company = env["res.company"].browse(vals["company_id"])
    if vals.get("currency_id") != company.currency_id.id or not company.currency_id.active:
        return False
    invoice_date = fields.Date.to_date(vals["invoice_date"])
    if company._get_violated_lock_dates(invoice_date, False, journal):
        return False
    term = env["account.payment.term"].browse(vals.get("invoice_payment_term_id"))
    if term and (term.early_discount or len(term.line_ids) != 1):
        return False
    product_lines = 0
    for command in vals["invoice_line_ids"]:
        line = _line_vals(command)
        if line is None:
            return False
        Line = env["account.move.line"]
        for key in line:
            field = Line._fields.get(key)
            if key not in LINE_KEYS and not (
                key.startswith("telecom_") and field and field.store and field.column_type
            ):
                return False  # e.g. a one2many or many2many command: the ORM writes it
        display_type = line.get("display_type", "product")
        if display_type in SECTION_TYPES:
            continue
        if display_type != "product" or not line.get("account_id") or line.get("discount"):
            return False
        if env["account.account"].browse(line["account_id"]).deprecated:
            return False
        if any(
            tax_command[0] not in (Command.CLEAR, Command.SET)
            for tax_command in line.get("tax_ids") or []
        ):
            return False
        taxes = env["account.tax"].browse(_tax_ids(line))
        if any(not tax.telecom_tax_kind or tax.amount for tax in taxes):
            return False  # an Odoo tax to compute: the ORM does it
        product_lines += 1
    return bool(product_lines)


def write_invoices(run, bills):
    """Create and post the invoices of ``bills`` (all :func:`supported`), unnumbered until
    :func:`number_invoices`; returns the moves in the order of ``bills``."""
    env = run.env
    Move = (
        env["account.move"]
        .with_company(run.company_id)
        .with_context(
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            skip_is_manually_modified=True,
        )
    )
    # Drafts are numbered when posted: "/" spares each header the search of the journal's
    # last number. The sales team is the same for all (user and company): computed once.
    headers = [
        {key: value for key, value in bill["move_vals"].items() if key != "invoice_line_ids"}
        | {"name": "/"}
        for bill in bills
    ]
    for vals in headers:
        if vals.get("invoice_date"):
            # as account.move computes it for an invoice, without the lines' default looked
            # up per header by its computation
            vals.setdefault("date", vals["invoice_date"])
    _add_fiscal_positions(Move, headers)
    moves = _create_headers(Move, headers[:1])
    if len(headers) > 1:
        if "team_id" in Move._fields:
            for vals in headers[1:]:
                vals.setdefault("team_id", moves.team_id.id)
        moves |= _create_headers(Move, headers[1:])
    # written by the posting and the numbering below: not computed first on the empty headers
    for name in POSTING_FIELDS:
        env.remove_to_compute(Move._fields[name], moves)
    env.flush_all()
    rows, totals = _line_rows(env, moves, bills, _predicted_names(env, moves))
    keys = _check_keys(moves, rows)  # before the COPY takes the taxes out of the rows
    line_ids = _insert_lines(env, rows)
    _check_lines(moves, line_ids, keys)
    _post(env, moves, totals)
    return moves


def _add_fiscal_positions(Move, headers):
    """The delivery address and the fiscal position of each header, as account.move
    computes them (``partner_shipping_id``, ``fiscal_position_id``), the fiscal position
    looked up once per set of alike customers: alike in what Odoo's ``_get_fiscal_position``
    reads of the customer and of the delivery address (tax ID, ZIP, state, country, fiscal
    position set by hand) in the same company. Left to Odoo when a module changes how the
    fiscal position is found."""
    env = Move.env
    FiscalPosition = env["account.fiscal.position"]
    Partner = env["res.partner"]
    own = set()
    for method in ("_get_fiscal_position", "_get_fpos_ranking_functions", "_get_vat_valid"):
        own |= _method_modules(FiscalPosition, method)
    for method in ("_compute_fiscal_position_id", "_compute_partner_shipping_id"):
        own |= _method_modules(Move, method)
    if own != {"account"} or _method_modules(Partner, "address_get") - {"base"}:
        return
    todo = [
        vals
        for vals in headers
        if vals.get("partner_id") and not {"fiscal_position_id", "partner_shipping_id"} & set(vals)
    ]
    # iterated from one recordset: the customers' fields are read for all of them at once
    partners = {
        partner.id: partner for partner in Partner.browse({vals["partner_id"] for vals in todo})
    }
    found = {}
    for vals in todo:
        company = env["res.company"].browse(vals["company_id"])
        partner = partners[vals["partner_id"]].with_company(company)
        delivery_id = partner.address_get(["delivery"])["delivery"]
        delivery = (partners.get(delivery_id) or Partner.browse(delivery_id)).with_company(company)
        key = (company.id, *(_fiscal_key(address) for address in (partner, delivery)))
        if key not in found:
            found[key] = FiscalPosition.with_company(company)._get_fiscal_position(
                partner, delivery=delivery
            )
        vals["partner_shipping_id"] = delivery.id
        vals["fiscal_position_id"] = found[key].id


def _fiscal_key(address):
    return (
        address.vat,
        address.zip,
        address.state_id.id,
        address.country_id.id,
        address.property_account_position_id.id,
    )


def _check_keys(moves, rows):
    """What Odoo's constraints (:data:`ACCOUNT_CONSTRAINTS`) and the company check read of
    each line of ``rows`` (its type, account, product, unit, taxes, tax repartition,
    reconciled flag, its invoice's company, journal and type, and the accounts of its
    invoice when its account is off-balance) and of each invoice (company, journal, type,
    fiscal position and the taxes of its lines)."""
    accounts, taxes = defaultdict(set), defaultdict(set)
    for row in rows:
        accounts[row["move_id"]].add(row.get("account_id"))
        taxes[row["move_id"]].update(row.get("_tax_ids", ()), [row.get("tax_line_id")])
    off_balance = set(
        moves.env["account.account"]
        .browse({row["account_id"] for row in rows if row.get("account_id")})
        .filtered(lambda account: account.account_type == "off_balance")
        .ids
    )
    heads = {move.id: (move.company_id.id, move.journal_id.id, move.move_type) for move in moves}
    line_keys = [
        (
            heads[row["move_id"]],
            # the other accounts of the invoice count for an off-balance line only
            frozenset(accounts[row["move_id"]]) if row.get("account_id") in off_balance else None,
            row["display_type"],
            row.get("account_id"),
            row.get("product_id"),
            row.get("product_uom_id"),
            frozenset(row.get("_tax_ids", ())),
            row.get("tax_line_id"),
            row.get("tax_repartition_line_id"),
            row["reconciled"],
        )
        for row in rows
    ]
    move_keys = [
        (heads[move.id], move.fiscal_position_id.id, frozenset(taxes[move.id])) for move in moves
    ]
    return {
        # the columns, and the many2many fields whose rows the COPY takes out of them
        "written": ({name for row in rows for name in row} - {"_tax_ids", "_tag_ids"})
        | {"tax_ids", "tax_tag_ids"},
        "lines": line_keys,
        "moves": move_keys,
    }


def _check_lines(moves, line_ids, keys):
    """What Odoo checks when the ORM creates the lines of ``moves`` (ids ``line_ids``): the
    constraints of the lines on the fields written, their company consistency, and the
    invoices' constraints on their lines (e.g. taxes of the invoice's tax country).

    When these are Odoo's own (:data:`ACCOUNT_CONSTRAINTS`), which read only what
    :func:`_check_keys` keeps, one line (invoice) of the lines (invoices) alike in it is
    checked: the others would give the same answer."""
    Line = moves.env["account.move.line"]
    lines = Line.browse(line_ids)
    if _constraints(Line, keys["written"]) | _constraints(moves, ["line_ids"]) == set(
        ACCOUNT_CONSTRAINTS
    ) and not _method_modules(Line, "_check_company"):
        lines = lines.browse(_first_of_each(line_ids, keys["lines"]))
        moves = moves.browse(_first_of_each(moves.ids, keys["moves"]))
    lines._validate_fields(keys["written"])
    _check_company(lines)  # as create() checks it
    # The taxes' country check assigns the tax country it computes; protected, as when the
    # ORM creates lines, it goes to the cache instead of a write() of every invoice.
    with moves.env.protecting([moves._fields["tax_country_id"]], moves):
        moves._validate_fields(["line_ids"])


def _check_company(records):
    """``records._check_company()``, each value of a field checked once per company: Odoo's
    check of a field reads only the record's company and the field's value (the invoices
    of a chunk share their journal, terms and bank, the lines their accounts and taxes).
    The values of a many2one field whose model gives its company domain by one of Odoo's
    own functions (which read the companies only, not the value) are checked together,
    per company: all the customers of a chunk in one search of the domain instead of one
    each. Where a value fails, Odoo's own check runs on its records and raises its error.
    A model that overrides the check: every record."""
    if _method_modules(records, "_check_company"):
        records._check_company()
        return
    records = records.sudo()
    names = [
        name
        for name, field in records._fields.items()
        if field.relational and field.check_company and name not in ("company_id", "company_ids")
    ]
    if "company_id" not in records._fields or records._name == "res.company":
        records._check_company(names)
        return
    records.fetch(["company_id", *(name for name in names if records._fields[name].store)])
    companies = [record.company_id for record in records]
    for name in names:
        field = records._fields[name]
        if field.store or field.compute:
            values = [record[name] for record in records]
        else:  # not stored nor computed: its default, the same for every record (read once)
            values = [records[:1][name]] * len(records)
        if (
            field.type == "many2one"
            and not field.company_dependent
            and _plain_domain(records.env[field.comodel_name])
        ):
            _check_company_together(records, name, companies, values)
        else:
            keys = [
                (company.id, value._ids) for company, value in zip(companies, values, strict=True)
            ]
            records.browse(_first_of_each(records.ids, keys))._check_company([name])


def _plain_domain(Comodel):
    """Whether the company domain of ``Comodel`` is one of Odoo's own functions, which read
    the companies given, not the records."""
    return type(Comodel)._check_company_domain in PLAIN_COMPANY_DOMAINS


def _check_company_together(records, name, companies, values):
    """Odoo's company check of many2one ``name`` of ``records``, one search of the domain per
    company for all their values."""
    by_company = defaultdict(list)
    for record, company, value in zip(records, companies, values, strict=True):
        if value:
            by_company[company].append((record.id, value.id))
    Comodel = records.env[records._fields[name].comodel_name].with_context(active_test=False)
    for company, pairs in by_company.items():
        domain = Comodel._check_company_domain(company)
        if not domain:
            continue
        allowed = set(Comodel.browse({value for __, value in pairs}).filtered_domain(domain).ids)
        failing = [record for record, value in pairs if value not in allowed]
        if failing:
            records.browse(failing)._check_company([name])


def _first_of_each(ids, keys):
    """The first id of each key."""
    first = {}
    for id_, key in zip(ids, keys, strict=True):
        first.setdefault(key, id_)
    return list(first.values())


def _constraints(records, names):
    """The Python constraints of ``records`` that changing fields ``names`` runs."""
    return {
        f"{check.__module__}.{check.__name__}"
        for check in records._constraint_methods
        if not set(names).isdisjoint(check._constrains)
    }


def _create_headers(Move, vals_list):
    """``Move.create(vals_list)``, with the chatter's auto-subscription done once for the
    headers that share the values it looks at instead of once per header (its query of the
    followers of the sales team is the same for all)."""
    if _method_modules(Move, "_message_auto_subscribe") | _method_modules(
        Move, "_message_auto_subscribe_followers"
    ) != {"mail"}:
        return Move.create(vals_list)  # another module subscribes from other values
    moves = _insert_headers(Move.with_context(tracking_disable=True), vals_list).with_env(Move.env)
    # what mail.thread's create() does besides (the context's defaults count as values)
    defaults = {
        key[8:]: value for key, value in Move.env.context.items() if key.startswith("default_")
    }
    __, __, __, __, relation = Move.env["mail.message.subtype"]._get_auto_subscription_subtypes(
        Move._name
    )
    # the values _message_auto_subscribe() reads: parent relations and the responsible user
    keys = sorted({name for names in relation.values() for name in names} | {"user_id"})
    groups = defaultdict(lambda: Move)
    for move, vals in zip(moves, vals_list, strict=True):
        values = defaults | vals
        groups[tuple((key, values.get(key)) for key in keys)] |= move
    for key_values, group in groups.items():
        group._message_auto_subscribe(
            {key: value for key, value in key_values if value}, followers_existing_policy="update"
        )
    return moves


def _insert_headers(Move, vals_list):
    """What ``Move.create(vals_list)`` writes, in one INSERT: the defaults looked up once per
    set of given fields (``default_get`` reads the context, not the values), the
    precomputed fields by Odoo's ``_add_precomputed_values`` and the row written by Odoo's
    ``_create`` (the other stored computed fields are computed at the flush, as after
    create) and the inverses of the given values run as create runs them. Left out, as
    nothing in them applies to these headers: account.move's synchronisation of dynamic
    lines (no lines yet) and its balance check. The company consistency check runs once for
    the batch. Another module's ``create``, a value of a non-stored field with an inverse or
    a properties field: ``Move.create``."""
    fields_ = Move._fields
    if _method_modules(Move, "create") != {"account", "mail"} or (
        Move._inherits
        or any(field.type == "properties" for field in fields_.values())
        or any(
            field is None or (field.inverse and not field.store)
            for vals in vals_list
            for field in map(fields_.get, vals)
        )
    ):
        return Move.create(vals_list)
    Move.check_access("create")
    env = Move.env
    # as _prepare_create_values(): no magic columns nor readonly precomputed fields given
    forbidden = ["id", "parent_path"] + [
        name for name, field in fields_.items() if field.precompute and field.readonly
    ]
    if Move._log_access and (env.uid != SUPERUSER_ID or Move.pool.ready):
        forbidden += LOG_ACCESS_COLUMNS
    log_access = dict.fromkeys(("create_uid", "write_uid"), env.uid) | dict.fromkeys(
        ("create_date", "write_date"), env.cr.now()
    )
    defaults = {}
    full = []
    for vals in vals_list:
        keys = frozenset(vals)
        if keys not in defaults:
            filled = Move._add_missing_default_values(dict(vals))
            defaults[keys] = {key: value for key, value in filled.items() if key not in vals}
        vals = copy.deepcopy(defaults[keys]) | vals
        for name in forbidden:
            vals.pop(name, None)
        if Move._log_access:
            vals = log_access | vals
        full.append(vals)
    Move._add_precomputed_values(full)
    data_list = []
    inverses = defaultdict(set)  # {inverse: fields}
    for vals in full:
        precomputed = vals.pop("__precomputed__", ())
        protected, inversed = set(), set()
        for name in vals:
            field = fields_[name]
            if field.inverse and field not in precomputed:
                inverses[field.inverse].add(field)
                inversed.add(name)
            if field.compute and (not field.readonly or field.precompute):
                protected.update(Move.pool.field_computed.get(field, [field]))
        data_list.append(
            {
                "stored": {name: value for name, value in vals.items() if fields_[name].store},
                "inversed": inversed,
                "inherited": {},
                "protected": protected,
            }
        )
    # The taxes' country check (a constraint on the company and the fiscal position) assigns
    # the tax country it computes with write(), which would synchronise the dynamic lines
    # and check the balance of the headers, which have no line yet.
    moves = (
        Move.with_context(check_move_validity=False, skip_invoice_sync=True)
        ._create(data_list)
        .with_env(Move.env)
    )
    # the inverses of the given values (all stored: their values are in the cache)
    with Move.env.protecting([(data["protected"], data["record"]) for data in data_list]):
        for fields_of in inverses.values():
            names = {field.name for field in fields_of}
            records = Move.concat(
                *(data["record"] for data in data_list if not names.isdisjoint(data["inversed"]))
            )
            next(iter(fields_of)).determine_inverse(records)
    _check_company(moves)  # as create: journal, partner, terms, bank of the same company
    moves._track_discard()
    return moves


def _tax_ids(vals):
    """The tax ids of an invoice line's ``tax_ids`` commands (CLEAR or SET)."""
    ids = []
    for command in vals.get("tax_ids") or []:
        ids = list(command[2]) if command[0] == Command.SET else []
    return ids


def _predicted_names(env, moves):
    """``{move id: (number, payment reference)}`` as :func:`number_invoices` will most
    likely give them, read without its lock. The lines are inserted with them (the number,
    and the reference as the receivable's label): rewriting every line of the chunk at the
    numbering would cost as much as inserting them. Another writer numbering invoices of the
    journal before this chunk's numbering makes them wrong: the numbering then rewrites the
    lines of the invoices whose number changed. Workers billing side by side number in
    turn: each skips as many numbers as the others took between its last prediction and
    its last numbering (:data:`_SKIPS`)."""
    names = {}
    seen = env.cr.cache.setdefault("telecom_predicted_sequences", {})
    with committed_view(env) as cursors:
        for key, group in _by_sequence(moves).items():
            skip = _SKIPS.get((env.cr.dbname, *key), 0)
            seen[(*key, group[0].id)] = _number(cursors, group, names, skip, gaps=False)
    predicted = {}
    for move in moves:
        name = names[move.id][0]
        predicted[move.id] = (name, _payment_reference(move, name) or "")
    return predicted


def _payment_reference(move, name):
    """The payment reference ``move`` gets when posted as number ``name``: its own, else, for
    a customer invoice, its number (``_post()`` with the journal's reference type
    "invoice"; :func:`supported` leaves the other types to the ORM)."""
    return move.payment_reference or (name if move.move_type == "out_invoice" else None)


def _by_sequence(moves):
    """The moves grouped by the sequence that numbers them: ``{(journal id, refund): list}``."""
    by_sequence = defaultdict(list)
    for move in moves:
        refund = move.journal_id.refund_sequence and move.move_type == "out_refund"
        by_sequence[(move.journal_id.id, refund)].append(move)
    return by_sequence


def _line_rows(env, moves, bills, names):
    """Rows of the invoice, payment term and tax lines, each move's totals; ``names``: the
    number and payment reference of each move (:func:`_predicted_names`)."""
    uid = env.uid
    now = env.cr.now()
    rows, term_rows, tax_rows, totals = [], [], [], {}
    Line = env["account.move.line"]
    Tax = env["account.tax"]
    # Float.convert_to_cache() of the quantity and unit price, the digits looked up once
    to_quantity, to_price = (_cache_converter(Line, name) for name in ("quantity", "price_unit"))
    base_tags = {}
    for move, bill in zip(moves, bills, strict=True):
        sign = MOVE_TYPES[move.move_type]
        currency = move.currency_id
        partner = move.commercial_partner_id
        common = {
            "move_id": move.id,
            "journal_id": move.journal_id.id,
            "company_id": move.company_id.id,
            "company_currency_id": move.company_id.currency_id.id,
            "currency_id": currency.id,
            "partner_id": partner.id,
            "date": move.date,
            "invoice_date": move.invoice_date,
            "move_name": names[move.id][0],
            "parent_state": "posted",
            "tax_tag_invert": False,
            "reconciled": False,
            "discount": 0.0,
            "quantity": 0.0,
            "price_unit": 0.0,
            "price_subtotal": 0.0,
            "price_total": 0.0,
            "debit": 0.0,
            "credit": 0.0,
            "balance": 0.0,
            "amount_currency": 0.0,
            "amount_residual": 0.0,
            "amount_residual_currency": 0.0,
            "create_uid": uid,
            "write_uid": uid,
            "create_date": now,
            "write_date": now,
        }
        untaxed = 0.0
        inbound = move.is_inbound()
        refund = move.move_type == "out_refund"
        for command in bill["move_vals"]["invoice_line_ids"]:
            vals = _line_vals(command)
            display_type = vals.get("display_type", "product")
            row = dict(common, display_type=display_type, name=vals.get("name"))
            row["sequence"] = vals.get("sequence", 100)
            if display_type == "product":
                product = env["product.product"].browse(vals.get("product_id"))
                quantity = to_quantity(vals.get("quantity", 1))
                price_unit = to_price(vals.get("price_unit", 0.0))
                subtotal = currency.round(quantity * price_unit)
                untaxed += subtotal
                balance = -sign * subtotal
                row.update(
                    account_id=vals["account_id"],
                    product_id=product.id or None,
                    product_uom_id=vals.get("product_uom_id") or product.uom_id.id or None,
                    quantity=quantity,
                    price_unit=price_unit,
                    price_subtotal=subtotal,
                    price_total=subtotal,
                    balance=balance,
                    amount_currency=balance,
                    debit=max(balance, 0.0),
                    credit=max(-balance, 0.0),
                    analytic_distribution=vals.get("analytic_distribution") or None,
                )
                for key, value in vals.items():
                    if key.startswith("telecom_"):
                        row[key] = value
                taxes = Tax.browse(_tax_ids(vals))
                if taxes:
                    row["tax_tag_invert"] = inbound
                    row["_tax_ids"] = taxes.ids
                    key = (tuple(taxes.ids), refund)
                    if key not in base_tags:
                        base_tags[key] = _base_tags(taxes, refund)
                    row["_tag_ids"] = base_tags[key]
            rows.append(row)
        tax_total = 0.0
        for vals in move._telecom_tax_line_vals(bill.get("tax_lines") or []):
            repartition = env["account.tax.repartition.line"].browse(
                vals["tax_repartition_line_id"]
            )
            balance = currency.round(vals["balance"])
            tax_total += -sign * balance
            # open on a reconcilable account (a cash-basis tax's transition account)
            residual = balance if _reconcilable(env, vals["account_id"]) else 0.0
            tax_rows.append(
                dict(
                    common,
                    display_type="tax",
                    sequence=10000,
                    name=vals["name"],
                    account_id=vals["account_id"],
                    tax_line_id=repartition.tax_id.id,
                    tax_group_id=repartition.tax_id.tax_group_id.id,
                    tax_repartition_line_id=repartition.id,
                    tax_base_amount=vals["tax_base_amount"],
                    balance=balance,
                    amount_currency=balance,
                    debit=max(balance, 0.0),
                    credit=max(-balance, 0.0),
                    amount_residual=residual,
                    amount_residual_currency=residual,
                    tax_tag_invert=inbound,
                    _tax_ids=vals["tax_ids"][0][2],
                    _tag_ids=vals["tax_tag_ids"][0][2],
                    **{key: value for key, value in vals.items() if key.startswith("telecom_")},
                )
            )
        tax_total = currency.round(tax_total)
        untaxed = currency.round(untaxed)
        total = currency.round(untaxed + tax_total)
        if move.invoice_payment_term_id:
            terms = move.invoice_payment_term_id._compute_terms(
                date_ref=move.invoice_date,
                currency=currency,
                company=move.company_id,
                tax_amount=sign * tax_total,
                tax_amount_currency=sign * tax_total,
                sign=sign,
                untaxed_amount=sign * untaxed,
                untaxed_amount_currency=sign * untaxed,
                cash_rounding=move.invoice_cash_rounding_id,
            )
            term_lines = [
                (fields.Date.to_date(term["date"]), term["company_amount"])
                for term in terms["line_ids"]
            ]
        else:
            term_lines = [(move.invoice_date_due or move.invoice_date, sign * total)]
        receivable = partner.with_company(move.company_id).property_account_receivable_id
        receivable = move.fiscal_position_id.map_account(receivable)
        for date_maturity, amount in term_lines:
            term_rows.append(
                dict(
                    common,
                    display_type="payment_term",
                    name=names[move.id][1],
                    sequence=12000,
                    account_id=receivable.id,
                    date_maturity=date_maturity,
                    balance=amount,
                    amount_currency=amount,
                    debit=max(amount, 0.0),
                    credit=max(-amount, 0.0),
                    amount_residual=amount,
                    amount_residual_currency=amount,
                    # as Odoo computes it: a receivable with nothing left is reconciled
                    reconciled=currency.is_zero(amount),
                    discount_amount_currency=0.0,
                    discount_balance=0.0,
                )
            )
        totals[move.id] = {
            "total": total,
            "untaxed": untaxed,
            "tax": tax_total,
            "sign": sign,
            "due": max(date for date, __ in term_lines),
        }
    return rows + term_rows + tax_rows, totals


def _cache_converter(Model, name):
    """What ``Model._fields[name].convert_to_cache(value, Model)`` gives for a float field,
    its digits looked up once."""
    field = Model._fields[name]
    digits = field.get_digits(Model.env)
    if not digits:
        return lambda value: float(value or 0.0)
    return lambda value: float_round(float(value or 0.0), precision_digits=digits[1])


def _base_tags(taxes, refund):
    """Tags a charge line gets from the base repartition of its taxes (a cash-basis tax
    tags its base on the cash basis entries of the payments, as in Odoo)."""
    taxes = taxes.filtered(lambda tax: tax.tax_exigibility == "on_invoice")
    lines = taxes.refund_repartition_line_ids if refund else taxes.invoice_repartition_line_ids
    return lines.filtered(lambda line: line.repartition_type == "base").tag_ids.ids


def _reconcilable(env, account_id):
    account = env["account.account"].browse(account_id)
    return account.reconcile or account.account_type in ("asset_receivable", "liability_payable")


def _rounded_repr(scale):
    """``float_repr(float_round(value, scale), scale)``, remembered per value: a chunk's
    amounts repeat (zeros, quantities, plan prices)."""
    known = {}

    def convert(value):
        text = known.get(value)
        if text is None:
            text = known[value] = float_repr(
                float_round(float(value or 0.0), precision_digits=scale), scale
            )
        return text

    return convert


def _copy_formats(Model, columns):
    """Per column, a value (not None) in the text format of ``COPY`` as
    ``field.convert_to_column(value, Model)`` gives it, with the float digits looked up
    once instead of once per value."""
    formats = []
    for name in columns:
        field = Model._fields.get(name)
        if field is None:
            formats.append(_copy_text)
        elif field.type == "float" and not field.company_dependent:
            digits = field.get_digits(Model.env)
            formats.append(_rounded_repr(digits[1]) if digits else _float_text)
        elif field.type == "many2one":
            formats.append(_id_text)  # Many2one.convert_to_column: the id or NULL
        else:
            formats.append(
                lambda value, field=field: _copy_text(field.convert_to_column(value, Model))
            )
    return formats


def _float_text(value):
    return str(float(value or 0.0))


def _id_text(value):
    return str(value) if value else "\\N"


def _insert_rows(env, model, rows, columns=()):
    """Write the rows (dicts of column values; a missing key, or None, is NULL) into the
    table of ``model``, the ``columns`` given and those of the rows; returns their ids,
    taken from the table's sequence in the order of ``rows``."""
    Model = env[model]
    columns = sorted({*columns, *(key for row in rows for key in row)})
    pairs = list(zip(columns, _copy_formats(Model, columns), strict=True))
    cr = env.cr
    cr.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [Model._table, len(rows)],
    )
    ids = [id_ for (id_,) in cr.fetchall()]
    _copy(
        cr,
        Model._table,
        ["id", *columns],
        (
            "\t".join(
                [
                    str(id_),
                    *(
                        "\\N" if value is None else text(value)
                        for name, text in pairs
                        for value in (row.get(name),)
                    ),
                ]
            )
            for id_, row in zip(ids, rows, strict=True)
        ),
        formatted=True,
    )
    return ids


# COPY's text format: these characters of a value are written escaped, NULL is \N
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_AS_TEXT = (int, float, Decimal, datetime.date)  # datetime.datetime is a date


def _copy_text(value):
    """``value`` (a column's value as Odoo's fields convert it) in the text format of
    ``COPY``."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Json):
        value = value.dumps(value.adapted)
    elif isinstance(value, _COPY_AS_TEXT):
        return str(value)
    elif not isinstance(value, str):
        raise TypeError(f"no COPY text for {type(value).__name__} value {value!r}")
    return value.translate(_COPY_ESCAPES)


def _copy(cr, table, columns, rows, formatted=False):
    """Write ``rows`` into ``table`` with one ``COPY``: the rows are neither planned nor
    parsed as one large INSERT would be (a chunk's journal items are written in about 60 %
    of the time). ``rows``: sequences of column values, or with ``formatted`` lines of
    COPY's text format without their line end."""
    if not formatted:
        rows = ("\t".join(map(_copy_text, row)) for row in rows)
    buffer = io.StringIO()
    buffer.writelines(line + "\n" for line in rows)
    buffer.seek(0)
    cr._obj.copy_expert(
        SQL(
            "COPY %s (%s) FROM STDIN",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(name) for name in columns),
        ).code,
        buffer,
    )


def _insert_lines(env, rows):
    """Write the lines, then their taxes and tax tags (many2many rows); returns the lines'
    ids in the order of ``rows``.

    The ORM's cache then forgets what it held (the rows changed under it) and learns the
    lines' taxes and tags as inserted: Odoo's constraints read them, and read back from the
    relation tables, whose rows grow with every bill, they would be planned on statistics
    older than the run and scanned whole (145 ms a chunk after 100,000 bills)."""
    relations = [(row.pop("_tax_ids", ()), row.pop("_tag_ids", ())) for row in rows]
    ids = _insert_rows(env, "account.move.line", rows, LINE_FIELDS)
    taxes, tags = [], []
    for line_id, (tax_ids, tag_ids) in zip(ids, relations, strict=True):
        taxes += [(line_id, tax_id) for tax_id in tax_ids]
        tags += [(line_id, tag_id) for tag_id in tag_ids]
    if taxes:
        _copy(
            env.cr,
            "account_move_line_account_tax_rel",
            ["account_move_line_id", "account_tax_id"],
            taxes,
        )
    if tags:
        _copy(
            env.cr,
            "account_account_tag_account_move_line_rel",
            ["account_move_line_id", "account_account_tag_id"],
            tags,
        )
    env.invalidate_all(flush=False)
    lines = env["account.move.line"].browse(ids)
    for index, name in enumerate(("tax_ids", "tax_tag_ids")):
        field = lines._fields[name]
        id_lists = [relation[index] for relation in relations]
        env.cache.insert_missing(lines, field, _as_read(lines, field, id_lists))
    return ids


def _as_read(records, field, id_lists):
    """The values the ORM reads for many2many ``field`` of ``records`` from these lists of
    ids in the relation table (``Many2many.read``: the field's domain and context, the
    record rules, the comodel's order), with one search of all the ids: each list keeps the
    ids found, in the order found."""
    comodel = records.env[field.comodel_name].with_context({"active_test": False} | field.context)
    domain = field.get_domain_list(records)
    every = list({id_ for ids in id_lists for id_ in ids})
    rank = {
        id_: index for index, id_ in enumerate(comodel.search([*domain, ("id", "in", every)]).ids)
    }
    values = {
        ids: tuple(sorted(ids & rank.keys(), key=rank.__getitem__))
        for ids in set(map(frozenset, id_lists))
    }
    return [values[frozenset(ids)] for ids in id_lists]


def _create_analytic_lines(env, lines):
    """``lines._create_analytic_lines()`` with one COPY: the values are Odoo's own
    (``_prepare_analytic_lines``), the amounts rounded in the company currency and the
    related columns (currency, journal) filled as the ORM fills them."""
    lines._validate_analytic_distribution()
    vals_list = _analytic_vals(env, lines.filtered("analytic_distribution"))
    if not vals_list:
        return
    Analytic = env["account.analytic.line"]
    uid, now = env.uid, env.cr.now()
    journals = {line.id: line.journal_id.id for line in lines}
    given = {name for vals in vals_list for name in vals}
    defaults = Analytic.default_get(
        [name for name, field in Analytic._fields.items() if field.store and name not in given]
    )
    rows = []
    for vals in vals_list:
        vals = defaults | vals
        company = env["res.company"].browse(vals["company_id"])
        row = {
            name: value
            for name, value in vals.items()
            if Analytic._fields[name].store and Analytic._fields[name].column_type
        }
        row.update(
            amount=company.currency_id.round(vals.get("amount") or 0.0),
            currency_id=company.currency_id.id,
            journal_id=journals.get(vals.get("move_line_id")),
            create_uid=uid,
            write_uid=uid,
            create_date=now,
            write_date=now,
        )
        rows.append(row)
    records = Analytic.browse(_insert_rows(env, "account.analytic.line", rows))
    written = {name for row in rows for name in row}
    # as create(): the editable computed fields given are not computed again
    protected = [
        field
        for field in map(Analytic._fields.get, written)
        if field.compute and (not field.readonly or field.precompute)
    ]
    with env.protecting(protected, records):
        records.modified(list(written), create=True)
    _compute_missing(records, written)


def _method_modules(Model, name):
    """The modules whose classes define method ``name`` of ``Model``."""
    return {
        cls.__module__.split(".")[2]
        for cls in type(Model).__mro__
        if name in vars(cls) and cls.__module__.startswith("odoo.addons.")
    }


def _analytic_vals(env, lines):
    """``_prepare_analytic_lines()`` of each line, with the analytic accounts checked once for
    all lines (Odoo's ``_prepare_analytic_distribution_line`` checks them with one query per
    line). A line whose values another module changes (an override of either method; a
    cost sale re-invoices) gets them from Odoo's own method."""
    Line = env["account.move.line"]
    own = _method_modules(Line, "_prepare_analytic_lines") <= {"account", "sale"} and (
        _method_modules(Line, "_prepare_analytic_distribution_line") <= {"account"}
    )
    reinvoiced = "sale" in _method_modules(Line, "_prepare_analytic_lines")
    # sale's own test ends with the product's expense policy: a product that is never
    # re-invoiced needs no call per line
    policy_first = _method_modules(Line, "_sale_can_be_reinvoice") <= {"sale"}
    account_ids = {
        int(id_) for line in lines for key in line.analytic_distribution for id_ in key.split(",")
    }
    existing = set(env["account.analytic.account"].browse(account_ids).exists().ids)
    precision = env["decimal.precision"].precision_get("Percentage Analytic")
    vals_list = []
    columns = {}  # {plan: its column}
    for line in lines:
        if not own or (
            reinvoiced
            and not (policy_first and line.product_id.expense_policy in (False, "no"))
            and line._sale_can_be_reinvoice()
        ):
            vals_list += line._prepare_analytic_lines()
            continue
        on_each_plan = {}
        for key, distribution in line.analytic_distribution.items():
            accounts = env["account.analytic.account"].browse(
                id_ for id_ in map(int, key.split(",")) if id_ in existing
            )
            vals = _analytic_distribution_vals(
                line, float(distribution), accounts, on_each_plan, precision, columns
            )
            if not line.currency_id.is_zero(vals.get("amount")):
                vals_list.append(vals)
    return vals_list


def _analytic_distribution_vals(line, distribution, accounts, on_each_plan, precision, columns):
    """Odoo's ``account.move.line._prepare_analytic_distribution_line`` (account 18.0), the
    existing ``accounts`` given; ``columns`` keeps the column of each plan met."""
    account_field_values = {}
    amount = 0
    for account in accounts:
        plan = account.root_plan_id
        distribution_plan = on_each_plan.get(plan, 0) + distribution
        if float_compare(distribution_plan, 100, precision_digits=precision) == 0:
            amount = -line.balance * (100 - on_each_plan.get(plan, 0)) / 100.0
        else:
            amount = -line.balance * distribution / 100.0
        on_each_plan[plan] = distribution_plan
        if account.plan_id not in columns:
            columns[account.plan_id] = account.plan_id._column_name()
        account_field_values[columns[account.plan_id]] = account.id
    move = line.move_id
    default_name = line.name or (
        line.ref or "/" + " -- " + (line.partner_id and line.partner_id.name or "/")
    )
    return {
        "name": default_name,
        "date": line.date,
        **account_field_values,
        "partner_id": line.partner_id.id,
        "unit_amount": line.quantity,
        "product_id": line.product_id and line.product_id.id or False,
        "product_uom_id": line.product_uom_id and line.product_uom_id.id or False,
        "amount": amount,
        "general_account_id": line.account_id.id,
        "ref": line.ref,
        "move_line_id": line.id,
        "user_id": move.invoice_user_id.id or line.env.uid,
        "company_id": line.company_id.id or line.env.company.id,
        "category": "invoice"
        if move.is_sale_document()
        else "vendor_bill"
        if move.is_purchase_document()
        else "other",
    }


def _compute_missing(records, given):
    """The stored computed fields not in ``given`` (added by other modules) are computed by
    the ORM, as its create() does."""
    for field in records._fields.values():
        if field.store and field.compute and field.name not in given:
            records.env.add_to_compute(field, records)


@contextlib.contextmanager
def committed_view(env):
    """Cursors that together see what other workers committed after this transaction began.

    Odoo's transactions are REPEATABLE READ: their snapshot may predate another worker's
    commit. This yields ``(env.cr, new cursor)``: read both (in tests the new transaction
    does not see the test's data). While modules load it yields ``(env.cr,)`` only: no worker
    runs then, and a new transaction would wait for the locks the loading one holds.
    """
    if not env.registry.ready:
        yield (env.cr,)
        return
    with env.registry.cursor() as fresh:
        yield (env.cr, fresh)


def _post(env, moves, totals):
    """Post the moves (still unnumbered: :func:`number_invoices` numbers them at the end of
    the chunk) and do what posting does besides."""
    cr = env.cr
    data = []
    for move in moves:
        amounts = totals[move.id]
        total, sign = amounts["total"], amounts["sign"]
        untaxed, tax = amounts["untaxed"], amounts["tax"]
        data.append(
            (move.id, total, sign * total, untaxed, sign * untaxed, tax, sign * tax, amounts["due"])
        )
    execute_values(
        cr._obj,
        f"""
        UPDATE account_move m
           SET {", ".join(f"{column} = {value}" for column, value in POSTED_VALUES.items())}
          FROM (VALUES %s) AS v(id, total, signed, untaxed, untaxed_signed, tax, tax_signed,
                                due), account_journal j
         WHERE m.id = v.id AND j.id = m.journal_id
        """,  # noqa: S608 - the columns and values are the constants above
        data,
        template="(%s, %s::numeric, %s::numeric, %s::numeric, %s::numeric, %s::numeric,"
        " %s::numeric, %s::date)",
        page_size=1000,
    )
    _forget_posted_columns(moves)
    lines = moves.line_ids
    _recompute_dependents(env, lines)
    # what posting does besides the state
    _create_analytic_lines(env, lines)
    _subscribe_customers(env, moves)
    ranks = defaultdict(int)
    for move in moves:
        ranks[move.partner_id | move.partner_id.commercial_partner_id] += 1
    by_count = defaultdict(lambda: env["res.partner"])
    for partners, count in ranks.items():
        by_count[count] |= partners
    for count, partners in by_count.items():
        partners._increase_rank("customer_rank", count)


def _forget_posted_columns(moves):
    """Drop from the cache what the posting's UPDATE changed: the invoices' fields and the
    fields of any model that depend on the columns it wrote (the rest of the cache, the
    taxes, accounts and customers of the chunk, stays)."""
    Move = moves.env["account.move"]
    written = [Move._fields[name] for name in POSTED_VALUES]
    dependents = {
        dependent
        for field in written
        for dependent in moves.pool.get_dependent_fields(field)
        if dependent.model_name != "account.move"
    }
    Move.invalidate_model(flush=False)
    moves.env.cache.invalidate([(field, None) for field in dependents])


def number_invoices(env, moves):
    """Give the posted moves of :func:`write_invoices` their numbers from the journal's
    sequence. Call it last before the commit: it locks the journal row, which every writer
    takes to number, so that workers billing side by side wait for each other only here."""
    if not moves:
        return
    cr = env.cr
    env.flush_all()
    by_sequence = _by_sequence(moves)
    cr.execute(
        "SELECT id FROM account_journal WHERE id = ANY(%s) FOR NO KEY UPDATE",
        [list({journal for journal, __ in by_sequence})],
    )
    names = {}
    # Another worker may have numbered and committed invoices of the journal since this
    # transaction's snapshot: the last number is read from what is committed, under the
    # journal lock taken above, which every writer takes before numbering.
    predicted = cr.cache.get("telecom_predicted_sequences", {})
    with committed_view(env) as cursors:
        for key, group in by_sequence.items():
            seen = _number(cursors, group, names)
            if (*key, group[0].id) in predicted:
                # what others numbered since the prediction: skipped by the next one
                _SKIPS[(cr.dbname, *key)] = max(seen - predicted.pop((*key, group[0].id)), 0)
    execute_values(
        cr._obj,
        """
        UPDATE account_move m
           SET name = v.name, sequence_prefix = v.prefix, sequence_number = v.number,
               made_sequence_gap = v.gap, payment_reference = v.reference
          FROM (VALUES %s) AS v(id, name, prefix, number, gap, reference)
         WHERE m.id = v.id
        """,
        [(move.id, *names[move.id], _payment_reference(move, names[move.id][0])) for move in moves],
        page_size=1000,
    )
    # the lines' copy of the number, and the payment reference as the receivable's label,
    # where they differ from the ones predicted at the INSERT (_predicted_names)
    cr.execute(
        """UPDATE account_move_line l
              SET move_name = m.name,
                  name = CASE WHEN l.display_type = 'payment_term'
                              THEN COALESCE(m.payment_reference, '') ELSE l.name END
             FROM account_move m WHERE m.id = l.move_id AND m.id = ANY(%s)
              AND (l.move_name IS DISTINCT FROM m.name
                   OR (l.display_type = 'payment_term'
                       AND l.name IS DISTINCT FROM COALESCE(m.payment_reference, '')))""",
        [moves.ids],
    )
    env.invalidate_all(flush=False)


def _last_sequence(cursors, move, relaxed=False):
    """``move._get_last_sequence()``: the highest of what ``cursors`` see."""
    where_string, param = move._get_last_sequence_domain(relaxed)
    where_string += " AND id != %(id)s "
    param["id"] = move.id
    found = []
    for cr in cursors:
        # A bill run adds invoices faster than PostgreSQL's statistics follow (autovacuum
        # analyzes after 10 % of a table changed, or never when it is off): planned on stale
        # ones, the period's date condition looks selective and every invoice of the period
        # is read and sorted (300 ms at 100,000 invoices). Without sorts, the journal's
        # sequence indexes give the last number in a few reads.
        with planner_settings(cr, enable_sort="off"):
            cr.execute(
                f"""
                SELECT sequence_number, name FROM account_move {where_string}
                   AND sequence_prefix = (SELECT sequence_prefix FROM account_move
                                           {where_string} ORDER BY id DESC LIMIT 1)
                 ORDER BY sequence_number DESC LIMIT 1
                """,  # noqa: S608 - the domain's SQL is Odoo's own
                param,
            )
            found += cr.fetchall()
    return max(found)[1] if found else None


def _number(cursors, group, names, skip=0, gaps=True):
    """Names, prefixes, numbers and gap flags of ``group`` (moves of one sequence), as
    ``_set_next_sequence()`` and ``_compute_split_sequence()`` give them, into ``names``;
    ``skip`` numbers left out after the last one, no gap flags (None) without ``gaps``
    (a prediction). Returns the last number seen."""
    first = group[0]
    last = _last_sequence(cursors, first)
    new = not last
    if new:
        last = _last_sequence(cursors, first, relaxed=True) or first._get_starting_sequence()
    format_string, values = first._get_sequence_format_param(last)
    if new:
        reset = first._deduce_sequence_number_reset(last)
        date_start, date_end, year_start, year_end = first._get_sequence_date_range(reset)
        values["seq"] = 0
        values["year"] = first._truncate_year_to_length(
            year_start or date_start.year, values["year_length"]
        )
        values["year_end"] = first._truncate_year_to_length(
            year_end or date_end.year, values["year_end_length"]
        )
        values["month"] = first[first._sequence_date_field].month
    # sequence_prefix / sequence_number as _compute_split_sequence() splits them
    regex = first._make_regex_non_capturing(first._sequence_fixed_regex.replace(r"?P<seq>", ""))
    seen = values["seq"]
    values["seq"] += skip
    previous = None
    for move in group:
        values["seq"] += 1
        name = format_string.format(**values)
        matching = re.match(regex, name)
        prefix, number = name[: matching.start(1)], int(matching.group(1) or 0)
        if not gaps:
            gap = None
        elif previous is None:
            # made_sequence_gap as _compute_made_sequence_gap() tells it
            exists = False
            for cr in cursors:
                cr.execute(
                    """SELECT 1 FROM account_move WHERE journal_id = %s
                          AND sequence_prefix = %s AND sequence_number = %s""",
                    [move.journal_id.id, prefix, number - 1],
                )
                exists = exists or bool(cr.fetchone())
            gap = number > 1 and not exists
        else:
            gap = number > 1 and previous != (prefix, number - 1)
        previous = (prefix, number)
        names[move.id] = (name, prefix, number, gap)
    return seen


def _subscribe_customers(env, moves):
    """``move.message_subscribe([move.partner_id])`` for every move, in one batch: the
    active partner follows with the default subtypes (external ones for customers)."""
    Partner = env["res.partner"].sudo()
    partner_ids = list(set(moves.partner_id.ids))
    active = set(Partner.search([("id", "in", partner_ids), ("active", "=", True)]).ids)
    customers = set(Partner.search([("id", "in", partner_ids), ("partner_share", "=", True)]).ids)
    default, __, external = env["mail.message.subtype"].default_subtypes("account.move")
    Followers = env["mail.followers"].sudo().with_context(default_partner_id=False)
    existing = set(
        Followers.search([("res_model", "=", "account.move"), ("res_id", "in", moves.ids)]).mapped(
            lambda f: (f.res_id, f.partner_id.id)
        )
    )
    todo = [
        move
        for move in moves
        if move.partner_id.id in active and (move.id, move.partner_id.id) not in existing
    ]
    if not todo:
        return
    subtypes = [external.ids if move.partner_id.id in customers else default.ids for move in todo]
    vals_list = [
        {"res_model": "account.move", "res_id": move.id, "partner_id": move.partner_id.id}
        for move in todo
    ]
    if _method_modules(Followers, "create") != {"mail"}:  # another module's create: the ORM's
        Followers.create(
            [
                dict(vals, subtype_ids=[Command.set(ids)])
                for vals, ids in zip(vals_list, subtypes, strict=True)
            ]
        )
        return
    # what mail's create writes: the rows, their subtypes, the documents' followers to read
    # again (mail.followers has no computed stored field nor log columns)
    follower_ids = _insert_rows(env, "mail.followers", vals_list)
    rows = [
        (follower_id, subtype_id)
        for follower_id, ids in zip(follower_ids, subtypes, strict=True)
        for subtype_id in ids
    ]
    if rows:
        _copy(
            env.cr,
            "mail_followers_mail_message_subtype_rel",
            ["mail_followers_id", "mail_message_subtype_id"],
            rows,
        )
    moves.invalidate_recordset(["message_follower_ids", "message_partner_ids"])


def _recompute_dependents(env, lines):
    """Recompute what other models store from the new lines (charges billed, promotion
    months used...); the accounting fields are already right."""
    tocompute = env.transaction.tocompute
    before = {field: set(ids) for field, ids in tocompute.items()}
    # No row refers to the new lines yet but their taxes and tags (the writer inserts no
    # other relation): given as such, modified() does not read the other relations of every
    # line from the database (reconciliations, analytic lines, sales order lines) to find
    # what follows them. Forgotten after, as the analytic lines are inserted next.
    empty = [
        field
        for field in lines._fields.values()
        if field.store
        and field.type in ("one2many", "many2many")
        and field.name not in ("tax_ids", "tax_tag_ids")
    ]
    for field in empty:
        env.cache.insert_missing(lines, field, itertools.repeat(()))
    lines.modified(_fields_with_dependents_elsewhere(lines), create=True)
    lines.invalidate_recordset([field.name for field in empty], flush=False)
    for field in list(tocompute):
        if field.model_name in ("account.move", "account.move.line"):
            kept = before.get(field)
            if kept:
                tocompute[field] = type(tocompute[field])(kept)
            else:
                tocompute.pop(field)
    env.flush_all()


def _fields_with_dependents_elsewhere(lines):
    """The stored fields of journal items on which a field of another model depends,
    directly or through other fields: marking only them as modified marks what marking every
    stored field would mark outside account.move and account.move.line (trigger trees are
    transitive), without walking the trees of the others. Models that inherit account.move
    by delegation (bank statement lines) count as account.move: their fields follow their
    own move, never one of the bill run's invoices."""
    own = {"account.move", "account.move.line"} | {
        name for name, model in lines.pool.items() if "account.move" in model._inherits
    }
    return [
        name
        for name, field in lines._fields.items()
        if field.store
        and any(
            dependent.model_name not in own for dependent in lines.pool.get_dependent_fields(field)
        )
    ]
