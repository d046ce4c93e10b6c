from odoo.tests import tagged

from .common import TelecomNumbersCase
from .sim_fixtures import make_sims


@tagged("post_install", "-at_install")
class TestSimSwap(TelecomNumbersCase):
    """SIM swap from the backend (lines without a provisioning backend: done at once)."""

    def setUp(self):
        super().setUp()
        self.number = self.make_number("assigned", partner_id=self.resident.id)
        self.old = make_sims(self.env, 1, start=4001)
        self.old._telecom_assign(self.number, self.resident, "T activation")
        self.old._telecom_set_state("active", "T in service")
        self.new = make_sims(self.env, 1, start=4002)
        self.Swap = self.env["telecom.sim.swap"]

    def _swap(self, **values):
        vals = {"old_sim_id": self.old.id, "new_sim_id": self.new.id, "new_kind": "physical"}
        vals.update(values)
        return self.Swap.create(vals)

    def _notices(self, swap):
        return swap.message_ids.filtered(
            lambda m: self.resident in m.partner_ids and m.message_type == "comment"
        )

    def test_swap_without_authentication_is_refused_and_kept(self):
        swap = self._swap()
        swap.action_confirm()
        self.assertEqual(swap.state, "refused")
        self.assertEqual(swap.refuse_reason, "The customer was not authenticated.")
        self.assertEqual((self.old.state, self.new.state), ("active", "in_stock"))
        self.assertEqual(len(self._notices(swap)), 1, "the customer is told of the attempt")
        # a wrong account PIN is refused too
        wrong = self._swap(auth_method="account_pin", pin_given="9999")
        wrong.action_confirm()
        self.assertEqual(wrong.state, "refused")
        self.assertFalse(wrong.pin_given, "the PIN given is not kept")
        self.assertEqual(self.Swap.search_count([("number_id", "=", self.number.id)]), 2)

    def test_lock_blocks_the_swap(self):
        self.resident.telecom_sim_lock = True
        swap = self._swap(auth_method="account_pin", pin_given="2580")
        swap.action_confirm()
        self.assertEqual(swap.state, "refused")
        self.assertIn("locked SIM changes", swap.refuse_reason)
        self.assertEqual(self.old.state, "active")

    def test_authenticated_swap_retires_the_old_sim(self):
        swap = self._swap(auth_method="account_pin", pin_given="2580")
        swap.action_confirm()
        self.assertEqual(swap.state, "done")
        self.assertEqual(self.old.state, "retired")
        self.assertEqual(self.new.state, "active")
        self.assertEqual(self.number.sim_id, self.new)
        self.assertEqual(self.new.partner_id, self.resident)
        notices = self._notices(swap)
        self.assertEqual(len(notices), 1)
        self.assertIn("new SIM", notices.body)
        self.assertEqual(
            self.old.history_ids.sorted("id").mapped("to_state")[-2:], ["swapped", "retired"]
        )
        self.assertEqual(self.old.history_ids[:1].swap_id, swap)

    def test_esim_swap_takes_a_profile_and_sends_the_qr_code(self):
        profile = make_sims(self.env, 1, start=4100, kind="esim")
        profile._telecom_reserve(self.resident)  # held for the customer: taken first
        swap = self._swap(new_sim_id=False, new_kind="esim", auth_method="id_document",
                          id_document_ref="Driver license ...4411")  # fmt: skip
        swap.action_confirm()
        self.assertEqual(swap.new_sim_id, profile)
        self.assertEqual(profile.state, "active")
        mail = profile.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.attachment_ids.mimetype, "image/png")
        self.assertTrue(mail.attachment_ids.raw.startswith(b"\x89PNG"))
        self.assertIn(self.resident, mail.partner_ids)
