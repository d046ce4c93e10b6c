from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.legacy import address_key, email_key, phone_key, text_key

DUPLICATE_DECISIONS = [
    ("pending", "To Review"),
    ("merge", "Merge"),
    ("keep", "Keep Apart"),
]
# points per matching criterion; a pair scoring at least the batch threshold is a candidate
MATCH_WEIGHTS = {"email": 40, "phone": 35, "address": 25, "name": 25}
MATCH_LABELS = {
    "email": "same email",
    "phone": "same phone",
    "address": "same service address",
    "name": "same name",
}


def row_keys(row):
    """The normalised matching keys of a legacy customer row (or of a partner's values)."""
    return {
        "email": email_key(row.get("email")),
        "phone": phone_key(row.get("phone")),
        "address": address_key(row.get("street"), row.get("zip")),
        "name": text_key(row.get("name")),
    }


def match(keys, other):
    """(score, reason) of two sets of keys."""
    hits = [kind for kind in MATCH_WEIGHTS if keys[kind] and keys[kind] == other[kind]]
    score = min(sum(MATCH_WEIGHTS[kind] for kind in hits), 100)
    reason = ", ".join(f"{MATCH_LABELS[kind]} ({keys[kind].split('|')[0]})" for kind in hits)
    return score, reason


class TelecomMigrationDuplicate(models.Model):
    """A candidate duplicate found before the cut-over: a legacy customer row that looks like
    an earlier row of the same extract or like a customer already in Odoo. Nothing is merged
    until someone decides."""

    _name = "telecom.migration.duplicate"
    _description = "Legacy Customer: Candidate Duplicate"
    _order = "batch_id, decision desc, score desc, legacy_id"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    batch_id = fields.Many2one(
        "telecom.migration.batch", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    legacy_id = fields.Char(string="Legacy Customer", required=True, readonly=True)
    legacy_name = fields.Char(readonly=True)
    match_legacy_id = fields.Char(
        string="Looks Like (Legacy)",
        readonly=True,
        help="An earlier row of the same extract; on merge this row joins its customer.",
    )
    match_partner_id = fields.Many2one(
        "res.partner",
        string="Looks Like (Odoo)",
        readonly=True,
        help="A customer already in Odoo; on merge the legacy account is attached to it.",
    )
    match_name = fields.Char(readonly=True)
    score = fields.Integer(readonly=True, aggregator="max", help="0 to 100.")
    reason = fields.Char(readonly=True)
    decision = fields.Selection(DUPLICATE_DECISIONS, default="pending", required=True)
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True)
    decided_on = fields.Datetime(readonly=True)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_merge(self):
        self._telecom_decide("merge")

    def action_keep(self):
        self._telecom_decide("keep")

    def _telecom_decide(self, decision):
        if self.batch_id.filtered(lambda b: b.state == "done"):
            raise UserError(
                self.env._(
                    "The migration has already run: decide duplicates before migrating, or "
                    "merge the customers with Odoo's contact merge."
                )
            )
        merged = set()
        for candidate in self.sorted("score", reverse=True):
            if decision == "merge" and candidate.legacy_id in merged:
                raise UserError(
                    self.env._(
                        "Legacy customer %(ref)s can merge into one customer only.",
                        ref=candidate.legacy_id,
                    )
                )
            merged.add(candidate.legacy_id)
        self.write(
            {
                "decision": decision,
                "decided_by_id": self.env.uid,
                "decided_on": fields.Datetime.now(),
            }
        )
        others = self.search(
            [
                ("batch_id", "in", self.batch_id.ids),
                ("legacy_id", "in", list(merged)),
                ("decision", "=", "merge"),
                ("id", "not in", self.ids),
            ]
        )
        if decision == "merge" and others:
            raise UserError(
                self.env._(
                    "Legacy customer %(ref)s is already merged into another customer.",
                    ref=others[0].legacy_id,
                )
            )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_find(self, batch, rows):
        """Candidates among ``rows`` (legacy customer rows, in file order) and against the
        customers already in Odoo; decisions already taken are kept."""
        threshold = batch.duplicate_threshold
        decided = {
            (d.legacy_id, d.match_legacy_id or "", d.match_partner_id.id)
            for d in batch.duplicate_ids
            if d.decision != "pending"
        }
        batch.duplicate_ids.filtered(lambda d: d.decision == "pending").unlink()
        keyed = [(row["legacy_id"], row.get("name"), row_keys(row)) for _no, row in rows]
        vals_list = []
        for legacy_id, name, keys, other_id, other_name, other_keys in self._telecom_pairs(keyed):
            score, reason = match(keys, other_keys)
            if score >= threshold and (legacy_id, other_id, False) not in decided:
                vals_list.append(
                    {
                        "batch_id": batch.id,
                        "legacy_id": legacy_id,
                        "legacy_name": name,
                        "match_legacy_id": other_id,
                        "match_name": other_name,
                        "score": score,
                        "reason": reason,
                    }
                )
        candidates = self._telecom_odoo_candidates(batch, keyed)
        for legacy_id, name, keys in keyed:
            partners = candidates.get(("email", keys["email"]), []) + candidates.get(
                ("phone", keys["phone"]), []
            )
            for partner, partner_keys in dict(partners).items():
                score, reason = match(keys, partner_keys)
                if score >= threshold and (legacy_id, "", partner.id) not in decided:
                    vals_list.append(
                        {
                            "batch_id": batch.id,
                            "legacy_id": legacy_id,
                            "legacy_name": name,
                            "match_partner_id": partner.id,
                            "match_name": partner.display_name,
                            "score": score,
                            "reason": reason,
                        }
                    )
        return self.create(vals_list)

    @staticmethod
    def _telecom_pairs(keyed):
        """Pairs of rows sharing at least one key (blocking on each key: no n² scan); the
        later row is paired with the earlier one."""
        index = defaultdict(list)
        for position, (_legacy_id, _name, keys) in enumerate(keyed):
            for kind, key in keys.items():
                if key:
                    index[kind, key].append(position)
        pairs = set()
        for positions in index.values():
            for later in positions[1:]:
                pairs.update((later, earlier) for earlier in positions if earlier < later)
        for later, earlier in sorted(pairs):
            yield (*keyed[later], *keyed[earlier])

    @api.model
    def _telecom_odoo_candidates(self, batch, keyed):
        """{("email" or "phone", key): [(partner, partner keys)]} of the customers already in
        Odoo sharing an email or a phone number with a row (one query for the whole file),
        except those this migration created itself (a re-run is not a duplicate)."""
        emails = sorted({keys["email"] for _id, _name, keys in keyed if keys["email"]})
        digits = set()
        for _id, _name, keys in keyed:
            phone = keys["phone"]
            if phone:
                digits.add(phone.lstrip("+"))
                if phone.startswith("+1"):
                    digits.add(phone[2:])
        if not emails and not digits:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT p.id FROM res_partner p
                WHERE p.active AND p.parent_id IS NULL
                  AND (lower(p.email) = ANY(%s)
                       OR regexp_replace(COALESCE(p.phone, ''), '[^0-9]', '', 'g') = ANY(%s))
                  AND NOT EXISTS (SELECT 1 FROM telecom_migration_map m
                                   WHERE m.kind = 'customer' AND m.res_id = p.id
                                     AND m.company_id = %s)""",
            [emails, sorted(digits), batch.company_id.id],
        )
        found = defaultdict(list)
        for partner in self.env["res.partner"].browse(r[0] for r in self.env.cr.fetchall()):
            keys = row_keys(
                {
                    "email": partner.email,
                    "phone": partner.phone,
                    "street": partner.street,
                    "zip": partner.zip,
                    "name": partner.name,
                }
            )
            for kind in ("email", "phone"):
                if keys[kind]:
                    found[kind, keys[kind]].append((partner, keys))
        return found
