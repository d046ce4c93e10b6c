from odoo import api, fields, models

TEST_CALL_RESULTS = [
    ("passed", "Passed: the PSAP/test line read back the registered location"),
    ("wrong_location", "Failed: wrong location read back"),
    ("no_answer", "Failed: no answer / call did not complete"),
]


class TelecomE911TestCall(models.Model):
    """Evidence of the E911 test call placed on a line at its activation: to which test number,
    with what result, by whom and when. Kept with the service as proof that 911 worked when the
    line went live."""

    _name = "telecom.e911.test.call"
    _description = "E911 Test Call"
    _order = "call_date desc, id desc"
    _check_company_auto = True

    service_id = fields.Many2one(
        "telecom.service", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="service_id.company_id", store=True)
    partner_id = fields.Many2one(related="service_id.partner_id", store=True, string="Customer")
    number_id = fields.Many2one(
        "telecom.number",
        string="Calling Number",
        required=True,
        domain="[('service_id', '=', service_id)]",
    )
    test_number = fields.Char(
        required=True,
        default="933",
        help="Number dialled for the test: the 911 provider's test line (933 reads back the "
        "registered address), never a live 911 call without the PSAP's agreement.",
    )
    result = fields.Selection(TEST_CALL_RESULTS, required=True)
    location_read_back = fields.Char(help="The address the test line read back.")
    user_id = fields.Many2one(
        "res.users", string="Placed By", required=True, default=lambda self: self.env.user
    )
    call_date = fields.Datetime(string="Placed On", required=True, default=fields.Datetime.now)
    note = fields.Text()
    passed = fields.Boolean(compute="_compute_passed", store=True)

    @api.depends("result")
    def _compute_passed(self):
        for call in self:
            call.passed = call.result == "passed"

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        for call in calls:
            call.service_id._message_log(
                body=self.env._(
                    "E911 test call from %(number)s to %(test)s by %(user)s: %(result)s.",
                    number=call.number_id.name,
                    test=call.test_number,
                    user=call.user_id.name,
                    result=dict(TEST_CALL_RESULTS)[call.result],
                )
            )
        calls.filtered("passed").service_id.activity_feedback(
            ["telecom_regulatory.mail_activity_e911_test_call"]
        )
        return calls
